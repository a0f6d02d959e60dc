"""`jingzhun verify crosscheck PATH... --year Y --out FILE.csv [--region CODE] [--user NAME]`
(spec/verification.md §2): import the departmental files (all-or-nothing), run every X-* rule, write
the hits as CSV, and print a Chinese summary with the records of each dataset that matched nobody.
Exit 0 ok, 1 invalid input. A run over the whole county keeps its hits as clues (`verification.runs`)."""

from __future__ import annotations

import csv
import sys
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from itertools import chain
from pathlib import Path
from typing import Any

from jingzhun.engines.python.crosscheck import Person
from jingzhun.lib import masking
from jingzhun.lib.spreadsheet import safe_row
from jingzhun.rules.hits import Hit

EXIT_OK, EXIT_INVALID = 0, 1
SHOWN_ERRORS = 20
HEADER = ["规则代码", "数据集", "户编号", "证件号码", "姓名", "匹配方式", "说明"]


def csv_row(hit: Hit, person: Person, *, masked: bool = False) -> list[str]:
    """The hit with the registry's 户编号, ID and name; `masked`: as a role without
    registry.view_sensitive sees them (the ID as `430821********1234`, the 说明's personal values ***)."""
    return [
        hit.rule,
        hit.dataset,
        person.household_code,
        masking.mask_id_number(person.id_number) if masked else person.id_number,
        person.name,
        hit.match,
        masking.mask_text(hit.explanation) if masked else hit.explanation,
    ]


def write_csv(
    hits: Iterable[tuple[Hit, Person]], out: str, by_rule: Counter[str], *, masked: bool = False
) -> Iterator[Hit]:
    """Write each hit as it comes (they come sorted by 规则代码, 户编号, 证件号码) and pass it on, so
    the CSV and the clue store read one stream; `by_rule` counts them."""
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        for hit, person in hits:
            writer.writerow(
                safe_row(csv_row(hit, person, masked=masked))
            )  # values from departments: never a formula
            by_rule[hit.rule] += 1
            yield hit


def run(
    *, paths: list[str], year: int, out: str, region: str | None = None, username: str | None = None
) -> int:
    from django.db import transaction

    from jingzhun.accounts.access import actor_for
    from jingzhun.accounts.models import User
    from jingzhun.accounts.roles import Perm
    from jingzhun.core import audit
    from jingzhun.verification.crosscheck import county_datasets, iter_crosscheck_people
    from jingzhun.verification.importer import import_datasets
    from jingzhun.verification.runs import crosscheck_records, crosscheck_rules, keep_as_clues

    user: Any = None
    actor: Any = None
    if username:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            print(f"错误：账号 {username} 不存在或已停用", file=sys.stderr)
            return EXIT_INVALID
        actor = actor_for(user)
        # as that account: what it may do and see on the pages (the county's departmental data)
        if not actor.can(Perm.VIEW_DATASETS):
            print(f"错误：账号 {username} 无权查看部门数据比对（仅县级角色）", file=sys.stderr)
            return EXIT_INVALID
        if paths and not actor.can(Perm.IMPORT_DATASETS):
            print(f"错误：账号 {username} 没有导入部门数据的权限", file=sys.stderr)
            return EXIT_INVALID
    masked = actor is not None and not actor.sees_sensitive
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
    by_village: dict[str, int] = {}
    stream = iter_crosscheck_people(year, region=region, unmatched=counts, by_village=by_village)
    first = next(stream, None)  # the SQL runs here: `counts` is known before the clue store starts
    by_rule: Counter[str] = Counter()
    hits = write_csv(chain([first], stream) if first is not None else iter(()), out, by_rule, masked=masked)
    county = county_datasets()
    records = crosscheck_records(counts, by_village, county.code)
    # N of the sentence: every record for the county; for a region, those matched to its villages
    total = sum(n for code, n in records.items() if code.startswith(region or ""))
    rules_run = crosscheck_rules(set(county.datasets))
    if region:
        deque(hits, maxlen=0)  # the CSV only (a run over a region stores nothing)
    clues = keep_as_clues(
        hits=hits, rules_run=rules_run, year=year, region=region, actor=actor, village_records=records
    )
    written = sum(by_rule.values())
    with transaction.atomic():  # the CSV names people with their ID numbers
        audit.record(
            actor=user,
            action="verification.crosscheck_export",
            object_type="crosscheck",
            object_id=year,
            object_label=f"部门数据比对 {year} → {Path(out).name}",
            after={"rows": written, "region": region or "", **({"masked": True} if masked else {})},
        )
    print(
        f"部门数据比对（{year} 年，基准日 {year}-12-31）：比对 {total:,} 条记录，发现疑点 {written:,} 条 → {out}"
    )
    for rule, n in sorted(by_rule.items()):
        print(f"  {rule}：{n:,} 条")
    for name, (rows, unmatched) in counts.items():
        print(f"  {name}：{rows:,} 条记录，其中 {unmatched:,} 条未匹配到在册人员")
    print(clues)
    return EXIT_OK
