"""`jingzhun verify cleanse --year Y [--region CODE] --out FILE.csv` (spec/verification.md §1).

The CSV exactly as the spec: UTF-8, header `规则代码,户编号,证件号码,姓名,说明`, one row per hit, sorted by
规则代码, 户编号, 证件号码; household-level rules carry the 户主's 证件号码 and 姓名. The SQL engine runs over
the registry in scope; one Chinese summary line with the count of every rule goes to stdout. A run over
the whole county keeps its hits as clues (`verification.runs`), one more line saying how many."""

from __future__ import annotations

import csv
from collections import Counter

from jingzhun.core.errors import ValidationFailed
from jingzhun.lib.spreadsheet import safe_row
from jingzhun.regions.models import Region
from jingzhun.rules.checks import ALL_CHECKS
from jingzhun.verification.cleanse import cleanse_rows, context, to_hit
from jingzhun.verification.importer import county_code
from jingzhun.verification.runs import CLEANSING_CODES, cleanse_records, keep_as_clues

HEADER = ["规则代码", "户编号", "证件号码", "姓名", "说明"]


def region_prefix(region: str | None) -> tuple[str | None, str]:
    """(code prefix or None for the whole register, the region's name for the summary)."""
    if not region:
        return None, "全县"
    found = Region.objects.filter(code=region.strip()).first()
    if found is None:
        raise ValidationFailed({"__all__": f"行政区划代码 {region} 不存在"})
    return found.prefix, found.name


def csv_rows(rows: list) -> list[list[str]]:
    out = [[r.finding.rule, r.household_code, r.id_number, r.name, r.finding.explanation] for r in rows]
    out.sort(key=lambda r: (r[0], r[1], r[2], r[4]))
    return out


def summary(year: int, place: str, rows: list, codes: tuple[str, ...]) -> str:
    counts = Counter(r.finding.rule for r in rows)
    parts = [f"{ALL_CHECKS[c].name}（{c}）{counts.get(c, 0)} 条" for c in codes]
    households = len({r.finding.household_id for r in rows})
    return f"数据清洗 {year}年 {place}：疑点 {len(rows)} 条，涉及 {households} 户；" + "；".join(parts)


def run_cleanse_command(*, year: int, region: str | None, out: str) -> int:
    prefix, place = region_prefix(region)
    ctx = context(year)
    rows = cleanse_rows(year, prefix, ctx=ctx)
    with open(out, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(safe_row(r) for r in csv_rows(rows))  # 户编号 and names are free text from files
    print(summary(year, place, rows, ctx.codes))
    hits = [to_hit(r.finding) for r in rows]
    compared = None if prefix else cleanse_records(county_code())  # stored only for a county-wide run
    print(
        keep_as_clues(
            hits=hits,
            rules_run=set(CLEANSING_CODES),
            year=year,
            region=prefix,
            actor=None,
            village_records=compared,
        )
    )
    return 0
