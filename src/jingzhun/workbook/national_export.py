"""Export in the national layouts (全国系统格式导出, docs/national-list.md "按全国系统格式导出"): one sheet, one
row per active member, the spec's headers in file order (`national_layout.LAYOUT_2016` / `LAYOUT_2021`),
household columns repeated on each row, places by name — county, township and village from the regions
table, 自然村 from 村民小组 — so a county can send its register back up.

Values are written as the national system writes them: 脱贫属性 and 户类型 in its words, 是/否, years and
dates as text. What the register does not know is written empty (unknown stays unknown, both ways). A
household imported from a national list kept the file's own spelling of its household columns
(`Household.national`): that spelling is written again as long as it still means what the register now
holds (e.g. 因病致贫 for 因病, 已脱贫(享受政策) for 已脱贫, 预脱贫), so import → export in the same layout gives
the same rows; after an edit the register's value wins, in the national words.

Masking is the requesting role's (lib/masking.POLICY: ID numbers, phones, health); the caller audits.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import QuerySet

from jingzhun.accounts.access import Actor
from jingzhun.regions.models import Region, code_range
from jingzhun.registry import enums
from jingzhun.registry.fields import FieldError, parse_bool, parse_money
from jingzhun.registry.models import Household, IncomeRecord, Member
from jingzhun.registry.presenters import masker
from jingzhun.workbook import national_layout as L
from jingzhun.workbook.columns import normalize_header
from jingzhun.workbook.national_values import _exit, year_of  # the importer's own readings
from jingzhun.workbook.xlsx_writer import FastBook

LAYOUT_CHOICES = {"national-2016": "2016", "national-2021": "2021"}
LAYOUT_TITLES = {
    "national-2016": "全国系统格式（2016–2019 建档立卡）",
    "national-2021": "全国系统格式（2021年起 防返贫监测）",
}
SHEET_NAME = "人员名单"
BATCH = 2000
EXITED_TYPE = "脱贫户"
TEXT = {True: "是", False: "否", None: ""}
ProgressFn = Callable[[int, int, str], Any]
Mask = Callable[[str, Any], Any]


def _exit_words(h: dict[str, Any]) -> str:
    """脱贫属性 in the national words (import: workbook.national._EXIT_WORDS)."""
    status = h["exit_status"]
    if status == enums.ExitStatus.EXITED and h["no_longer_enjoying"]:
        return "已脱贫(不享受政策)"
    return status or ""


def _same_exit(raw: str, h: dict[str, Any]) -> bool:
    try:
        meaning = _exit(raw)
    except FieldError:
        return False
    if meaning is None:
        return not h["exit_status"]
    status, no_longer, pre_exit = meaning
    # 预脱贫 = 未脱贫 planned for the import year: still true while a planned year is recorded
    planned_ok = (not pre_exit) or h["planned_exit_year"] is not None
    return status == h["exit_status"] and no_longer == h["no_longer_enjoying"] and planned_ok


def _same_cause(raw: str, cause: str) -> bool:
    return (raw[:-2] if raw.endswith("致贫") and len(raw) > 2 else raw) == cause


def _same_bool(raw: str, value: bool | None) -> bool:
    try:
        return parse_bool(raw) == value
    except FieldError:
        return False


def _same_money(raw: str, value: Decimal | None) -> bool:
    try:
        parsed = parse_money(raw)
    except FieldError:
        return False
    return (parsed is None and value is None) or (
        parsed is not None and value is not None and Decimal(parsed) == Decimal(value)
    )


def _same_year(raw: str, year: int | None) -> bool:
    try:
        return year_of(raw) == year
    except FieldError:
        return False


def _dilapidated(h: dict[str, Any]) -> bool | None:
    """危房户: as the list gave it when the grade is unknown; from the grade otherwise (C/D = 危房)."""
    if h["housing_grade_unknown"]:
        return h["dilapidated"]
    grade = h["housing_safety"]
    if grade in ("C", "D"):
        return True
    return False if grade in ("A", "B") else None


def _household_type(h: dict[str, Any]) -> str:
    kept = h["household_type"] or ""
    exited = h["exit_status"] == enums.ExitStatus.EXITED
    if kept and (kept != EXITED_TYPE or exited):
        return kept
    return EXITED_TYPE if exited else ""


def _per_capita(income: dict[str, Any] | None, people: int) -> Decimal | None:
    if income is None:
        return None
    if income["per_capita_net"] is not None and income["wage"] is None:
        return Decimal(income["per_capita_net"])
    parts = [income[k] for k in ("wage", "business", "property_income", "transfer", "business_expense")]
    if None in parts or people <= 0:
        return None
    net = sum(Decimal(p) for p in parts[:4]) - Decimal(parts[4])
    return (net / people).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _money_text(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _raw(value: Any) -> dict[str, Any]:
    if not value:
        return {}
    return json.loads(value) if isinstance(value, str) else dict(value)


def household_values(h: dict[str, Any], income: dict[str, Any] | None, people: int) -> dict[str, str]:
    """The household columns (canonical keys of national_layout) as the national system writes them,
    keeping the file's own spelling where it still means the register's value."""
    raw = _raw(h["national"])
    per_capita = _per_capita(income, people)
    dilapidated = _dilapidated(h)
    identified = h["identified_year"]
    derived = {
        L.ATTRIBUTE: h["attribute"] or "",
        L.CAUSE: h["main_cause"] or "",
        L.EXIT: _exit_words(h),
        L.PHONE: h["phone"] or "",
        L.HOUSING: TEXT[dilapidated],
        L.WATER: TEXT[h["water_safe"]],
        L.INCOME: _money_text(per_capita),
        L.TYPE: _household_type(h),
        L.IDENTIFIED: "" if identified is None else str(identified),
        L.DATA_DATE: date.today().isoformat(),
    }
    if not raw:  # a household of the registry workbook: the register's values, nothing to compare
        return derived
    same: dict[str, Callable[[str], bool]] = {
        L.ATTRIBUTE: lambda r: r.replace("五保贫困户", "特困供养贫困户") == h["attribute"],
        L.CAUSE: lambda r: _same_cause(r, h["main_cause"]),
        L.EXIT: lambda r: _same_exit(r, h),
        L.PHONE: lambda r: r == (h["phone"] or ""),
        L.HOUSING: lambda r: _same_bool(r, dilapidated),
        L.WATER: lambda r: _same_bool(r, h["water_safe"]),
        L.INCOME: lambda r: _same_money(r, per_capita),
        L.TYPE: lambda r: r == derived[L.TYPE],
        L.IDENTIFIED: lambda r: _same_year(r, identified),
        L.DATA_DATE: lambda r: True,  # the date the national system stamped on the data it gave
    }
    out = {}
    for key, value in derived.items():
        kept = raw.get(key)
        out[key] = kept if isinstance(kept, str) and kept and same[key](kept) else value
    return out


def _member_values(m: dict[str, Any]) -> dict[str, Any]:
    raw = _raw(m["national"])
    values: dict[str, Any] = {
        L.PERSON: m["person_code"] or "",
        L.NAME: m["name"],
        L.ID: m["id_number"],
        L.RELATION: m["relation"],
        L.ETHNICITY: m["ethnicity"] or "",
        L.EDUCATION: m["education"] or "",
        L.SCHOOL: m["school_status"],
        L.HEALTH: m["health"],
        L.SKILL: m["labour_skill"],
        L.WORK: "" if m["work_months"] is None else str(m["work_months"]),
        L.ILLNESS: TEXT[m["serious_illness_insurance"]],
    }
    for key in L.MEMBER_RAW_KEYS:
        values[key] = raw.get(key, "")
    return values


# canonical key → the masking policy's field name (lib/masking.POLICY)
MASKED = {L.ID: "id_number", L.PHONE: "phone", L.PERSON_PHONE: "phone", L.HEALTH: "health"}
HOUSEHOLD_READ = (
    "id",
    "code",
    "village_id",
    "group_name",
    "phone",
    "attribute",
    "main_cause",
    "identified_year",
    "exit_status",
    "no_longer_enjoying",
    "planned_exit_year",
    "water_safe",
    "housing_safety",
    "housing_grade_unknown",
    "dilapidated",
    "household_type",
    "national",
)
MEMBER_READ = (
    "household_id",
    "person_code",
    "name",
    "id_number",
    "relation",
    "ethnicity",
    "education",
    "school_status",
    "health",
    "labour_skill",
    "work_months",
    "serious_illness_insurance",
    "national",
)
INCOME_READ = (
    "household_id",
    "year",
    "wage",
    "business",
    "property_income",
    "transfer",
    "business_expense",
    "per_capita_net",
)


class Places:
    """County, township and village names of a village code, from the regions table (read once)."""

    def __init__(self) -> None:
        self.regions = {
            code: (name, parent)
            for code, name, parent in Region.objects.values_list("code", "name", "parent_id")
        }

    def names(self, village: str) -> tuple[str, str, str]:
        name, township = self.regions.get(village, ("", None))
        township_name, county = self.regions.get(township or "", ("", None))
        county_name = self.regions.get(county or "", ("", None))[0]
        return county_name, township_name, name


def rows(query: QuerySet[Household], layout: str, mask: Mask | None) -> Iterator[list[str]]:
    """The sheet's data rows: households in (village, 户编号) order, members in id order."""
    headers = L.LAYOUTS[layout]
    keys = [L.ALIASES.get(normalize_header(h), normalize_header(h)) for h in headers]
    places = Places()
    serial = 0
    last: tuple[str, str] | None = None
    ordered = query.order_by("village_id", "code")
    while True:
        page = (
            ordered
            if last is None
            else ordered.filter(village_id__gte=last[0]).exclude(village_id=last[0], code__lte=last[1])
        )
        batch = list(page.values(*HOUSEHOLD_READ)[:BATCH])
        if not batch:
            return
        ids = [h["id"] for h in batch]
        members: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for m in (
            Member.objects.filter(household_id__in=ids, is_active=True).order_by("id").values(*MEMBER_READ)
        ):
            members[m["household_id"]].append(m)
        incomes: dict[int, dict[str, Any]] = {}
        for i in (
            IncomeRecord.objects.filter(household_id__in=ids)
            .order_by("household_id", "-year")
            .values(*INCOME_READ)
        ):
            incomes.setdefault(i["household_id"], i)
        for h in batch:
            people = members.get(h["id"], [])
            household = household_values(h, incomes.get(h["id"]), len(people))
            county, township, village = places.names(h["village_id"])
            common = {
                **household,
                L.COUNTY: county,
                L.TOWNSHIP: township,
                L.VILLAGE: village,
                L.GROUP: h["group_name"] or "",
                L.CODE: h["code"],
                L.SIZE: str(len(people)),
            }
            for m in people:
                serial += 1
                values = {**common, **_member_values(m), L.SERIAL: str(serial)}
                if mask is not None:
                    for key, field in MASKED.items():
                        values[key] = mask(field, values[key]) or ""
                yield [values.get(k, "") for k in keys]
        last = (batch[-1]["village_id"], batch[-1]["code"])


def export_national(
    out: str,
    *,
    layout: str,
    actor_or_none: Actor | None,
    region: Region | None = None,
    household_ids_query: QuerySet[Household] | None = None,
    progress: ProgressFn | None = None,
) -> dict[str, int]:
    """Write the person list in `layout` ("2016" | "2021") to `out` (.xlsx). `actor_or_none` None = the
    whole register unmasked (CLI); an Actor masks for roles without registry.view_sensitive. A given
    `household_ids_query` must already be scoped by the caller."""
    mask = None if actor_or_none is None or actor_or_none.sees_sensitive else masker(actor_or_none)
    query = (
        household_ids_query
        if household_ids_query is not None
        else Household.objects.filter(registry_status=enums.RegistryStatus.ACTIVE)
    )
    if region is not None:
        low, high = code_range(region.prefix)
        query = query.filter(village_id__gte=low, village_id__lt=high)
    total = query.count()
    headers = list(L.LAYOUTS[layout])
    book = FastBook(out)
    sheet = book.add_sheet(
        name=SHEET_NAME,
        headers=headers,
        text_columns=[True] * len(headers),  # the national lists are text throughout (IDs, codes, dates)
        widths=[max(8, len(h) * 2 + 2) for h in headers],
    )
    people = 0
    households: set[str] = set()
    try:
        code_at = headers.index("户编号")
        for row in rows(query, layout, mask):
            sheet.row(row)
            people += 1
            if row[code_at] not in households:
                households.add(row[code_at])
                if progress and len(households) % BATCH == 0:
                    progress(len(households), total, "导出人员名单")
    finally:
        book.close()
    return {"households": len(households), "members": people}
