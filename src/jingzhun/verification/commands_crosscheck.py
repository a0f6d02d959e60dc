"""`jingzhun verify crosscheck PATH... --year Y --out FILE.csv [--region CODE] [--user NAME]`
(spec/verification.md §2): import the departmental files (all-or-nothing), run every X-* rule, write
the hits as CSV, and print a Chinese summary with the records of each dataset that matched nobody.
Exit 0 ok, 1 invalid input. A run over the whole county keeps its hits as clues (`verification.runs`)."""

from __future__ import annotations

import csv
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from jingzhun.lib.spreadsheet import safe_row
from jingzhun.rules.hits import Hit

EXIT_OK, EXIT_INVALID = 0, 1
SHOWN_ERRORS = 20
HEADER = ["规则代码", "数据集", "户编号", "证件号码", "姓名", "匹配方式", "说明"]


def csv_rows(hits: list[Hit]) -> list[list[str]]:
    """One row per (rule, member) with the registry's ID and name, sorted by 规则代码, 户编号, 证件号码."""
    from jingzhun.registry.models import Member

    ids = sorted({h.member_id for h in hits if h.member_id is not None})
    people: dict[int, tuple[str, str, str]] = {}
    for i in range(0, len(ids), 900):
        for mid, code, number, name in Member.objects.filter(id__in=ids[i : i + 900]).values_list(
            "id", "household__code", "id_number", "name"
        ):
            people[mid] = (code, number, name)
    rows = []
    for h in hits:
        code, number, name = people[h.member_id] if h.member_id is not None else ("", "", "")
        rows.append([h.rule, h.dataset, code, number, name, h.match, h.explanation])
    rows.sort(key=lambda r: (r[0], r[2], r[3]))
    return rows


def write_csv(hits: list[Hit], out: str) -> int:
    rows = csv_rows(hits)
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        for row in rows:
            writer.writerow(safe_row(row))  # values from departments: never a formula in Excel
    return len(rows)


def run(
    *, paths: list[str], year: int, out: str, region: str | None = None, username: str | None = None
) -> int:
    from django.db import transaction

    from jingzhun.accounts.access import actor_for
    from jingzhun.accounts.models import User
    from jingzhun.core import audit
    from jingzhun.verification.crosscheck import county_datasets, run_crosscheck
    from jingzhun.verification.importer import import_datasets
    from jingzhun.verification.runs import crosscheck_rules, keep_as_clues

    user: Any = None
    actor: Any = None
    if username:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            print(f"错误：账号 {username} 不存在或已停用", file=sys.stderr)
            return EXIT_INVALID
        actor = actor_for(user)
    if paths:
        outcome = import_datasets(
            paths, actor=actor, user=user, file_name=", ".join(Path(p).name for p in paths)
        )
        result = outcome.result
        if not result.ok:
            print(f"导入失败：共 {result.total_errors} 个错误，未写入任何数据。", file=sys.stderr)
            for issue in result.errors[:SHOWN_ERRORS]:
                print(f"  {issue}", file=sys.stderr)
            if result.total_errors > SHOWN_ERRORS:
                print(f"  ……另有 {result.total_errors - SHOWN_ERRORS} 个错误", file=sys.stderr)
            return EXIT_INVALID
        for name, rows in outcome.datasets.items():
            print(f"已导入 {name}：{rows:,} 条（替换原有数据）")
    counts: dict[str, tuple[int, int]] = {}
    hits = run_crosscheck(year, region=region, unmatched=counts)
    written = write_csv(hits, out)
    with transaction.atomic():  # the CSV names people with their full ID numbers
        audit.record(
            actor=user,
            action="verification.crosscheck_export",
            object_type="crosscheck",
            object_id=year,
            object_label=f"部门数据比对 {year} → {Path(out).name}",
            after={"rows": written, "region": region or ""},
        )
    total = sum(c[0] for c in counts.values())
    print(
        f"部门数据比对（{year} 年，基准日 {year}-12-31）：比对 {total:,} 条记录，发现疑点 {written:,} 条 → {out}"
    )
    by_rule = Counter(h.rule for h in hits)
    for rule, n in sorted(by_rule.items()):
        print(f"  {rule}：{n:,} 条")
    for name, (rows, unmatched) in counts.items():
        print(f"  {name}：{rows:,} 条记录，其中 {unmatched:,} 条未匹配到在册人员")
    rules_run = crosscheck_rules(set(county_datasets().datasets))
    print(keep_as_clues(hits=hits, rules_run=rules_run, year=year, region=region, actor=actor, records=total))
    return EXIT_OK
