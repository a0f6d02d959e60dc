"""`jingzhun registry import|export` (contract: product.md). Exit 0 ok, 1 invalid input."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jingzhun.accounts.access import Actor, actor_for
from jingzhun.accounts.roles import Perm
from jingzhun.workbook.issues import ImportResult

EXIT_OK, EXIT_INVALID = 0, 1
SHOWN_ERRORS = 20
ProgressFn = Callable[[int, int, str], Any]


def _fail(message: str) -> int:
    print(f"错误：{message}", file=sys.stderr)
    return EXIT_INVALID


def county_actor() -> Actor:
    """The whole county, acting as the system (CLI without --user, demo)."""
    from jingzhun.regions.home import home_prefixes

    return Actor(user=None, permissions=frozenset(), prefixes=home_prefixes())


def _user_actor(username: str) -> Actor | None:
    from jingzhun.accounts.models import User

    user = User.objects.filter(username=username, is_active=True).first()
    return actor_for(user) if user is not None else None


def default_report_path(source: str) -> str:
    path = Path(source)
    return str(path.parent / f"{path.stem if path.is_file() else path.name}-错误报告.xlsx")


def summarize(result: ImportResult) -> str:
    return (
        f"户：新增 {result.households_new}，更新 {result.households_updated}，未变 {result.households_unchanged}；"
        f"成员：新增 {result.members_new}，更新 {result.members_updated}，未变 {result.members_unchanged}；"
        f"村：更新 {result.villages_updated}；警告 {result.total_warnings}"
    )


def run_import(
    *,
    path: str,
    dry_run: bool,
    username: str | None,
    errors_out: str | None,
    progress: ProgressFn | None,
    year: int | None = None,
) -> int:
    from jingzhun.jobs.runner import reactions_run

    with reactions_run():  # the import's reactions run below, once it committed (jobs.outbox)
        return _run_import(
            path=path, dry_run=dry_run, username=username, errors_out=errors_out, progress=progress, year=year
        )


def _run_import(
    *,
    path: str,
    dry_run: bool,
    username: str | None,
    errors_out: str | None,
    progress: ProgressFn | None,
    year: int | None,
) -> int:
    from jingzhun.workbook.importer import import_path
    from jingzhun.workbook.report import write_report

    if not Path(path).exists():
        return _fail(f"文件不存在：{path}")
    if username:
        actor = _user_actor(username)
        if actor is None:
            return _fail(f"用户 {username} 不存在或已停用")
        if not actor.can(Perm.IMPORT_REGISTRY):
            return _fail(f"用户 {username} 没有导入登记簿的权限")
    else:
        actor = county_actor()
    result = import_path(path, actor=actor, dry_run=dry_run, progress=progress, year=year)
    if result.national is not None and (dry_run or not result.ok):
        from jingzhun.workbook.national_layout import describe

        # the mapping the upload page shows, so a county sees how its columns were read (docs/national-list.md)
        for line in describe(result.national):
            print(line)
    if not result.ok:
        report = write_report(result, errors_out or default_report_path(path))
        print(
            f"导入失败：共 {result.total_errors} 个错误，未写入任何数据。前 {min(SHOWN_ERRORS, result.total_errors)} 个：",
            file=sys.stderr,
        )
        for issue in result.errors[:SHOWN_ERRORS]:
            print(f"  {issue}", file=sys.stderr)
        print(f"完整错误报告：{report}", file=sys.stderr)
        return EXIT_INVALID
    if errors_out and result.total_warnings:
        write_report(result, errors_out)
    for warning in result.warnings[:SHOWN_ERRORS]:
        print(f"警告：{warning}", file=sys.stderr)
    verb = "校验通过（--dry-run，未写入）" if dry_run else "导入完成"
    print(f"{verb}：{summarize(result)}（{result.seconds:.1f} 秒）")
    if result.written:
        from jingzhun.jobs.models import JobStatus
        from jingzhun.jobs.runner import run_pending

        for job in run_pending():  # the import's reactions (re-assessment, jobs.outbox), now
            if job.status == JobStatus.FAILED:
                first_line = (job.error.splitlines() or [""])[0]
                print(f"后续任务 #{job.pk} 失败（导入已完成）：{first_line}", file=sys.stderr)
            elif job.result.get("message"):
                print(job.result["message"])
    return EXIT_OK


def run_export(
    *, out: str, region: str | None, year: int | None, progress: ProgressFn | None, layout: str = "registry"
) -> int:
    from jingzhun.regions.models import Region
    from jingzhun.registry.models import YearSnapshot
    from jingzhun.workbook.exporter import export_registry

    if not out.lower().endswith(".xlsx"):
        return _fail("导出文件名应以 .xlsx 结尾")
    region_obj = None
    if region:
        region_obj = Region.objects.filter(code=region.strip()).first()
        if region_obj is None:
            return _fail(f"行政区划代码 {region} 不存在")
    if layout != "registry":
        from jingzhun.workbook.national_export import LAYOUT_CHOICES, export_national

        if layout not in LAYOUT_CHOICES:
            return _fail(f"未知的导出格式：{layout}")
        if year is not None:  # the snapshot keeps the workbook's fields, not the national list's raw texts
            return _fail("全国系统格式导出的是当前登记簿，不能与 --year 同用")
        counts = export_national(
            out, layout=LAYOUT_CHOICES[layout], actor_or_none=None, region=region_obj, progress=progress
        )
        _audit_export(counts=counts, region=region_obj, year=None, layout=layout)
        print(f"已按{layout}格式导出 {counts['households']} 户 {counts['members']} 人 → {out}")
        return EXIT_OK
    if year is not None and not YearSnapshot.objects.filter(year=year).exists():
        return _fail(f"{year} 年度没有快照，请先运行 `jingzhun registry snapshot --year {year}`")
    counts = export_registry(out, actor_or_none=None, region=region_obj, year=year, progress=progress)
    _audit_export(counts=counts, region=region_obj, year=year)
    print(f"已导出 {counts['households']} 户 {counts['members']} 人 → {out}")
    return EXIT_OK


def _audit_export(*, counts: dict[str, int], region: Any, year: int | None, layout: str = "registry") -> None:
    """The command line exports unmasked personal data: like the web export it leaves a trace (who =
    系统, when, which filter, how many records), domain §11 "log every export"."""
    from django.db import transaction

    from jingzhun.core import audit

    filters = {k: v for k, v in {"region": region.code if region else "", "year": year}.items() if v}
    if layout != "registry":
        filters["layout"] = layout
    with transaction.atomic():
        audit.record(
            actor=None,
            action="registry.export",
            object_type="registry",
            object_id="export",
            object_label="登记簿导出（命令行）",
            after={**counts, "filters": filters},
            note=f"导出 {counts['households']} 户 {counts['members']} 人",
        )
