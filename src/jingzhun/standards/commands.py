"""`jingzhun assess households|villages|county --year Y [--region CODE] [--out FILE.csv]`.

Output exactly as spec/registry-workbook.md "Assessment output": UTF-8 CSV, sorted, 人均纯收入 with 2
decimals, rule codes joined by `;` in the standard's (domain.md) order, 贫困发生率 as a percentage
with 2 decimals. Writes to stdout when --out is not given. The run is stored (verdicts + run record).
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TextIO

from jingzhun.engines.python.household import PASS, per_capita
from jingzhun.lib.spreadsheet import safe_row
from jingzhun.regions.home import home_county
from jingzhun.regions.models import Region
from jingzhun.standards.loading import load_spec, standard_for_year
from jingzhun.standards.reports import county_indicators, verdicts, village_results
from jingzhun.standards.services import StandardError, assess

HOUSEHOLD_HEADER = [
    "户编号",
    "行政区划代码",
    "脱贫状态",
    "计划脱贫年度",
    "家庭人口数",
    "人均纯收入",
    "是否达标",
    "未达标项",
    "数据缺失项",
    "疑似错退",
]
VILLAGE_HEADER = [
    "行政区划代码",
    "村名",
    "是否贫困村",
    "户籍人口",
    "剩余贫困人口",
    "贫困发生率",
    "是否达标",
    "未达标项",
    "数据缺失项",
]
COUNTY_HEADER = ["指标", "代码", "数值", "阈值", "是否达标", "口径"]


def _yes(value: bool) -> str:
    return "是" if value else "否"


@contextmanager
def _output(out: str | None) -> Iterator[TextIO]:
    if not out:
        yield sys.stdout
        sys.stdout.flush()
        return
    with open(out, "w", encoding="utf-8", newline="") as handle:
        yield handle


def household_rows(spec: Any, year: int, prefix: str) -> list[list[str]]:
    query = verdicts(spec, year, prefix, _all()).values_list(
        "household__code",
        "village_code",
        "exit_status",
        "planned_exit_year",
        "people",
        "net_income_cents",
        "passed",
        "failed",
        "missing",
        "suspected_wrong_exit",
    )
    rows = []
    for code, village, status, planned, people, net, passed, failed, missing, wrong in query.iterator(
        chunk_size=20000
    ):
        pc = per_capita(net, people)
        rows.append(
            [
                code,
                village,
                status,
                "" if planned is None else str(planned),
                str(people),
                "" if pc is None else f"{pc:.2f}",
                _yes(passed),
                failed,
                missing,
                _yes(wrong),
            ]
        )
    rows.sort(key=lambda r: r[0])
    return rows


def village_rows(spec: Any, year: int, prefix: str) -> list[list[str]]:
    return [
        [
            r.code,
            r.name,
            _yes(r.is_poor_village),
            "" if r.population is None else str(r.population),
            str(r.remaining_poor),
            "" if r.incidence is None else f"{r.incidence:.2f}",
            _yes(r.passed),
            ";".join(r.failed_codes),
            ";".join(r.missing_codes),
        ]
        for r in village_results(spec, year, prefix)
    ]


def county_rows(spec: Any, year: int, prefix: str) -> list[list[str]]:
    indicators, _, _ = county_indicators(spec, year, prefix)
    return [
        [
            i.name,
            i.code,
            "" if i.value is None else f"{i.value:.2f}",
            i.threshold,
            "" if i.status == "unknown" else _yes(i.status == PASS),
            i.basis,
        ]
        for i in indicators
    ]


def _all() -> Any:
    from django.db.models import Q

    return Q()


def _prefix(region: str | None) -> str:
    if not region:
        county = home_county()
        return county.prefix if county else ""
    found = Region.objects.filter(code=region.strip()).first()
    if found is None:
        raise StandardError(f"行政区划代码 {region} 不存在")
    return found.prefix


def run_assess(
    *, level: str, year: int, region: str | None, out: str | None, progress: Callable[..., Any] | None = None
) -> int:
    """Assess (and store) the year, then print the requested table. Returns the exit code."""
    try:
        standard = standard_for_year(year)
        if standard is None:
            raise StandardError(f"没有适用于{year}年的已发布标准")
        prefix = _prefix(region)
        whole = not region
        assess(year=year, region_prefix="" if whole else prefix, progress=progress, standard=standard)
        spec = load_spec(standard)
        rows = {"households": household_rows, "villages": village_rows, "county": county_rows}[level](
            spec, year, prefix
        )
    except StandardError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    header = {"households": HOUSEHOLD_HEADER, "villages": VILLAGE_HEADER, "county": COUNTY_HEADER}[level]
    with _output(out) as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(safe_row(r) for r in rows)  # 户编号 is free text from a file
    if out:
        print(f"已写出 {len(rows)} 行 → {out}（{year}年，{spec.label}）", file=sys.stderr)
    return 0
