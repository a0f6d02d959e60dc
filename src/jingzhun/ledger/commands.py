"""`jingzhun ledger import|list|summary|escalate` (contract: spec/ledger.md). Exit 0 ok, 1 invalid input."""

from __future__ import annotations

import csv
import sys
from datetime import date
from pathlib import Path

from jingzhun.accounts.access import Actor, actor_for
from jingzhun.accounts.roles import Perm
from jingzhun.ledger import kinds
from jingzhun.ledger.selectors import items_visible, system_actor

EXIT_OK, EXIT_INVALID = 0, 1
SHOWN_ERRORS = 20


def _fail(message: str) -> int:
    print(f"错误：{message}", file=sys.stderr)
    return EXIT_INVALID


def _actor(username: str | None) -> Actor | None:
    if not username:
        return system_actor()
    from jingzhun.accounts.models import User

    user = User.objects.filter(username=username, is_active=True).first()
    return actor_for(user) if user is not None else None


def parse_as_of(text: str | None) -> date:
    if not text:
        return date.today()
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"日期格式应为 YYYY-MM-DD：{text}") from None


def _write_csv(out: str, header: list[str], rows: list[list]) -> None:
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def run_import(*, path: str, username: str | None, errors_out: str | None) -> int:
    from jingzhun.ledger.importer import import_ledger
    from jingzhun.workbook.report import write_report

    if not Path(path).exists():
        return _fail(f"文件不存在：{path}")
    actor = _actor(username)
    if actor is None:
        return _fail(f"用户 {username} 不存在或已停用")
    if not actor.can(Perm.LEDGER_IMPORT):
        return _fail(f"用户 {username} 没有导入台账的权限")
    result = import_ledger(path, actor=actor)
    if not result.ok:
        p = Path(path)
        report = write_report(result, errors_out or str(p.parent / f"{p.stem}-错误报告.xlsx"))
        print(
            f"导入失败：共 {result.total_errors} 个错误，未写入任何数据。前 {min(SHOWN_ERRORS, result.total_errors)} 个：",
            file=sys.stderr,
        )
        for issue in result.errors[:SHOWN_ERRORS]:
            print(f"  {issue}", file=sys.stderr)
        print(f"完整错误报告：{report}", file=sys.stderr)
        return EXIT_INVALID
    for warning in result.warnings[:SHOWN_ERRORS]:
        print(f"警告：{warning}", file=sys.stderr)
    print(
        f"导入完成：单位新增 {result.units_new}；事项新增 {result.items_new}，更新 {result.items_updated}，"
        f"未变 {result.items_unchanged}（{result.seconds:.1f} 秒）"
    )
    return EXIT_OK


def run_list(
    *, out: str, kind: str | None, status: str | None, overdue: bool, as_of: str | None, region: str | None
) -> int:
    from jingzhun.ledger.reports import LIST_HEADER, Filter, list_rows

    try:
        day = parse_as_of(as_of)
    except ValueError as exc:
        return _fail(str(exc))
    code = ""
    if kind:
        code = kinds.BY_LABEL.get(kind, kind)
        if code not in kinds.KINDS:
            return _fail(
                f"未知的类型：{kind}（可用：{'、'.join(f'{c}/{k.label}' for c, k in kinds.KINDS.items())}）"
            )
    if status and not any(status in k.states for k in kinds.KINDS.values()):
        return _fail(f"未知的状态：{status}")
    if region:
        from jingzhun.regions.models import Region

        if not Region.objects.filter(code=region.strip()).exists():
            return _fail(f"行政区划代码 {region} 不存在")
    flt = Filter(kind=code, status=status or "", overdue=overdue, region=(region or "").strip())
    # the spec's ledgers only: a kind with pages of its own (线索核查) is reported there
    rows = list_rows(items_visible(system_actor()).filter(kind__in=kinds.ORDER), flt, day)
    _write_csv(out, LIST_HEADER, rows)
    print(f"已写出 {len(rows)} 条（截至 {day.isoformat()}）→ {out}")
    return EXIT_OK


def run_summary(*, out: str, as_of: str | None) -> int:
    from jingzhun.ledger.reports import SUMMARY_HEADER, sentence, summary_rows

    try:
        day = parse_as_of(as_of)
    except ValueError as exc:
        return _fail(str(exc))
    query = items_visible(system_actor()).filter(kind__in=kinds.ORDER)
    rows = summary_rows(query, day)
    _write_csv(out, SUMMARY_HEADER, rows)
    text = sentence(query, day)
    print(f"已写出汇总（截至 {day.isoformat()}）→ {out}" + (f"\n{text}" if text else ""))
    return EXIT_OK


def run_escalate(*, as_of: str | None) -> int:
    from jingzhun.ledger.escalation import escalate

    try:
        day = parse_as_of(as_of)
    except ValueError as exc:
        return _fail(str(exc))
    counts = escalate(as_of=day)
    print(f"督办升级（截至 {day.isoformat()}）：" + "，".join(f"{k} {v} 件" for k, v in counts.items()))
    return EXIT_OK
