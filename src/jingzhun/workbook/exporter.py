"""Registry workbook export (登记簿导出): exactly the spec's sheets 户 · 成员 · 村, streamed.

Households are read in id order in batches (keyset, no OFFSET) with their active members and latest
income, and streamed row by row through `xlsx_writer` (our own lean xlsx writer, docs/decisions.md), so
memory stays flat however large the registry. `year` exports the YearSnapshot of that 数据年度 instead
of the live registry.
Export → import into an empty database → export gives the same content.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from jingzhun.accounts.access import Actor
from jingzhun.assistance.sheets import add_to_book as add_assistance_sheets
from jingzhun.lib.masking import is_masked
from jingzhun.regions.models import VILLAGE_FACT_FIELDS, Region, code_range
from jingzhun.registry import enums
from jingzhun.registry.fields import INCOME_FIELD_NAMES
from jingzhun.registry.models import Household, IncomeRecord, Member, YearSnapshot
from jingzhun.registry.presenters import masker
from jingzhun.workbook.columns import HOUSEHOLD_SHEET, MEMBER_SHEET, SHEET_BY_NAME, VILLAGE_SHEET, Sheet
from jingzhun.workbook.unknown_columns import EXTRA_HOUSEHOLD_SPECS, SOURCE_NATIONAL
from jingzhun.workbook.xlsx_writer import FastBook

BATCH = 2000
ProgressFn = Callable[[int, int, str], Any]
HOUSEHOLD_READ = (
    "id",
    "code",
    "village_id",
    "group_name",
    "head_name",
    "head_id_number",
    "phone",
    "identification_standard",
    "attribute",
    "main_cause",
    "other_causes",
    "identified_year",
    "exit_status",
    "exit_year",
    "planned_exit_year",
    "food_secure",
    "clothing_secure",
    "water_safe",
    "housing_safety",
    "relocation",
    "household_type",
    "dilapidated",
    "national",
)
MEMBER_FIELD_NAMES = [s.name for s in SHEET_BY_NAME[MEMBER_SHEET].specs]
MEMBER_READ = ("household_id", *(n for n in MEMBER_FIELD_NAMES if n != "household_code"))
INCOME_READ = ("household_id", "year", *INCOME_FIELD_NAMES, "per_capita_net")


def cell(value: Any) -> Any:
    """A value as the workbook writes it: 是/否 for booleans, ISO dates, numbers for money and years."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _household_row(
    h: dict[str, Any], income: dict[str, Any] | None, mask: Callable[[str, Any], Any]
) -> list[Any]:
    income = income or {}
    row = {**h, "village_code": h["village_id"], "income_year": income.get("year")}
    for name in INCOME_FIELD_NAMES:
        row[name] = income.get(name)
    if row.get("relocation") == enums.Relocation.NO:
        row["relocation"] = "否"
    return [cell(mask(spec.name, row.get(spec.name))) for spec in SHEET_BY_NAME[HOUSEHOLD_SHEET].specs]


def _member_row(code: str, m: dict[str, Any], mask: Callable[[str, Any], Any]) -> list[Any]:
    row = {**m, "household_code": code}
    return [cell(mask(name, row.get(name))) for name in MEMBER_FIELD_NAMES]


BOOL_TEXT: dict[Any, str] = {True: "是", False: "否"}  # SQLite returns 1/0, equal to True/False


def _bool_positions(model: type[Any], names: tuple[str, ...]) -> list[int]:
    return [
        i
        for i, name in enumerate(names)
        if model._meta.get_field(name.removesuffix("_id")).get_internal_type() == "BooleanField"
    ]


def _raw_rows(
    cursor: Any, query: QuerySet[Any], names: tuple[str, ...], limit: int | None = None
) -> list[tuple[Any, ...]]:
    """The rows of `query` as the database returns them, without Django's per-value converters.

    Dates arrive as ISO strings or dates (SQLite, by column declaration) or dates (PostgreSQL), money as
    int/float (SQLite, and PostgreSQL through `_reading_cursor`), booleans as 1/0 (SQLite) or True/False;
    the sheet writer writes each of them as the workbook needs."""
    values = query.values_list(*names)
    sql, params = (values[:limit] if limit else values).query.sql_with_params()
    cursor.execute(sql, params)
    return cursor.fetchall()


class _ByHousehold:
    """`SELECT names FROM model WHERE household_id IN ids [AND extra] ORDER BY order` as raw SQL, built once.

    Django would prepare every id of the list through its lookups (~3 µs each) and psycopg would parse a
    statement of 2,000 placeholders for every batch. On PostgreSQL the ids go as one array, bounded by
    their range: without statistics (autovacuum has not analyzed a freshly imported table yet) the planner
    guesses that `= ANY(array)` matches most rows and scans the whole table for every batch, quadratic in
    the registry's size; the range gives it an index condition it estimates as narrow either way."""

    def __init__(self, model: type[Any], names: tuple[str, ...], *, where: str = "", order: str):
        qn = connection.ops.quote_name
        meta = model._meta
        columns = ", ".join(qn(meta.get_field(name).column) for name in names)
        column = qn(meta.get_field("household").column)
        self.array = connection.vendor == "postgresql"
        head = f"SELECT {columns} FROM {qn(meta.db_table)} WHERE "
        tail = f"{where} ORDER BY {order}"
        if self.array:
            self.sql = f"{head}{column} >= %s AND {column} <= %s AND {column} = ANY(%s::bigint[]){tail}"
        else:
            self.sql = head + column + " IN ({})" + tail

    def rows(self, cursor: Any, ids: list[int]) -> list[tuple[Any, ...]]:
        if self.array:  # the array as one text parameter: psycopg dumps a list of ints in Python, per item
            cursor.execute(self.sql, [min(ids), max(ids), "{" + ",".join(map(str, ids)) + "}"])
        else:
            cursor.execute(self.sql.format(", ".join(["%s"] * len(ids))), ids)
        return cursor.fetchall()


@contextmanager
def _reading_cursor() -> Iterator[Any]:
    """A cursor for the export's reads. On PostgreSQL numeric columns load as float, not Decimal: money has
    12 digits at most, so the float's shortest repr is the stored value, and the sheet writer writes a
    float as it is (a Decimal costs a conversion and a finiteness check through float anyway)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            from psycopg.types.numeric import FloatLoader

            cursor.cursor.adapters.register_loader("numeric", FloatLoader)
        yield cursor


def _live_rows(
    query: QuerySet[Household], mask: Callable[[str, Any], Any] | None, *, extended: bool = False
) -> Iterator[tuple[list[Any], list[list[Any]]]]:
    """(household row, member rows) in sheet column order, households in id order, read in batches.
    `extended`: the household row ends with the columns of `unknown_columns.EXTRA_HOUSEHOLD_SPECS`."""
    specs = SHEET_BY_NAME[HOUSEHOLD_SHEET].specs
    h_index = {name: i for i, name in enumerate(HOUSEHOLD_READ)}
    h_index["village_code"] = h_index["village_id"]
    i_index = {name: i for i, name in enumerate(INCOME_READ)}
    i_index["income_year"] = i_index["year"]
    # each household column: (from the income row?, position, is boolean)
    h_bools = set(_bool_positions(Household, HOUSEHOLD_READ))
    columns = [
        (False, h_index[spec.name], h_index[spec.name] in h_bools)
        if spec.name in h_index
        else (True, i_index[spec.name], False)
        for spec in specs
    ]
    no_income: tuple[Any, ...] = (None,) * len(INCOME_READ)
    type_i, dilapidated_i, national_i = (h_index[n] for n in ("household_type", "dilapidated", "national"))
    per_capita_i = i_index["per_capita_net"]
    m_bools = _bool_positions(Member, MEMBER_READ)
    # every column the masking policy names (ID numbers, phone, birth date, health, disability …)
    masked_h = [i for i, spec in enumerate(specs) if is_masked(spec.name)]
    masked_m = [(i, name) for i, name in enumerate(MEMBER_FIELD_NAMES) if is_masked(name)]
    bool_text = BOOL_TEXT.get
    qn = connection.ops.quote_name
    active_members = _ByHousehold(Member, MEMBER_READ, where=f" AND {qn('is_active')}", order=qn("id"))
    latest_incomes = _ByHousehold(IncomeRecord, INCOME_READ, order=f"{qn('household_id')}, {qn('year')} DESC")
    last = 0
    while True:
        with _reading_cursor() as cursor:
            batch = _raw_rows(cursor, query.filter(id__gt=last).order_by("id"), HOUSEHOLD_READ, BATCH)
            if not batch:
                return
            ids = [h[0] for h in batch]
            member_rows = active_members.rows(cursor, ids)
            income_rows = latest_incomes.rows(cursor, ids)
        members: dict[int, list[list[Any]]] = defaultdict(list)
        for member in member_rows:
            cells = list(member)
            for i in m_bools:
                cells[i] = bool_text(cells[i])
            members[cells[0]].append(cells)
        incomes: dict[int, tuple[Any, ...]] = {}
        for record in income_rows:
            incomes.setdefault(record[0], record)
        for h in batch:
            income = incomes.get(h[0], no_income)
            row = [
                (income[i] if from_income else (bool_text(h[i]) if is_bool else h[i]))
                for from_income, i, is_bool in columns
            ]
            if extended:
                if h[national_i] is not None:  # from a national list: its unknowns as empty cells
                    dilapidated = h[dilapidated_i]
                    row += [
                        SOURCE_NATIONAL,
                        h[type_i] or "",
                        "" if dilapidated is None else bool_text(dilapidated),
                        "" if income[per_capita_i] is None else income[per_capita_i],
                    ]
                else:
                    row += ["", "", "", ""]
            code = h[1]
            people = members[h[0]]
            for m in people:
                m[0] = code
            if mask is not None:
                for i in masked_h:
                    row[i] = mask(specs[i].name, row[i])
                for m in people:
                    for i, name in masked_m:
                        m[i] = mask(name, m[i])
            yield row, people
        last = ids[-1]


def _snapshot_rows(
    year: int, prefix: str | None, mask: Callable[[str, Any], Any] | None
) -> Iterator[tuple[list[Any], list[list[Any]]]]:
    show = mask or (lambda name, value: value)
    for h, income, people in _snapshot(year, prefix):
        yield _household_row(h, income, show), [_member_row(h["code"], m, show) for m in people]


def _snapshot(
    year: int, prefix: str | None
) -> Iterator[tuple[dict[str, Any], dict[str, Any] | None, list[dict[str, Any]]]]:
    query = YearSnapshot.objects.filter(year=year)
    if prefix:
        low, high = code_range(prefix)
        query = query.filter(village_code__gte=low, village_code__lt=high)
    last = 0
    while True:
        batch = list(query.filter(id__gt=last).order_by("id").values("id", "data")[:BATCH])
        if not batch:
            return
        for snap in batch:
            data = snap["data"]
            h = dict(data["household"])
            incomes = sorted(data.get("incomes", []), key=lambda i: -int(i["year"]))
            income = dict(incomes[0]) if incomes else None
            if income:
                for name in INCOME_FIELD_NAMES:
                    income[name] = Decimal(str(income[name])) if income.get(name) is not None else None
            members = []
            for m in data.get("members", []):
                m = dict(m)
                if m.get("birth_date"):
                    m["birth_date"] = date.fromisoformat(m["birth_date"])
                members.append(m)
            yield h, income, members
        last = batch[-1]["id"]


def _villages(actor: Actor | None, prefix: str | None, codes: set[str] | None = None) -> list[dict[str, Any]]:
    """The 村 sheet's villages (those with facts): in scope and under `prefix`, or, for a filtered export,
    only `codes` — the villages of the exported households, not every village of the county."""
    query = Region.objects.filter(level="village", registered_population__isnull=False)
    if prefix:
        low, high = code_range(prefix)
        query = query.filter(code__gte=low, code__lt=high)
    if actor is not None:
        query = query.filter(actor.region_q("code"))
    fields = ("code", *VILLAGE_FACT_FIELDS)
    if codes is None:
        return list(query.order_by("code").values(*fields))
    wanted = sorted(codes)
    out: list[dict[str, Any]] = []
    for start in range(0, len(wanted), 500):  # bounded IN lists (SQLite's variable limit)
        out += query.filter(code__in=wanted[start : start + 500]).order_by("code").values(*fields)
    return out


def export_registry(
    out: str,
    *,
    actor_or_none: Actor | None,
    region: Region | None = None,
    year: int | None = None,
    household_ids_query: QuerySet[Household] | None = None,
    villages_of_households: bool = False,
    progress: ProgressFn | None = None,
) -> dict[str, int]:
    """Write the registry (or the given households, or year `year`'s snapshot) to `out` (.xlsx).

    `actor_or_none`: None = the whole registry (CLI); an Actor limits villages to its scope and, when it may
    not see them, masks every field of the masking policy (jingzhun.lib.masking.POLICY). `household_ids_query` (a Household queryset, e.g. the
    filtered list) must already be scoped by the caller (registry.selectors.households_visible).
    `villages_of_households`: the 村 sheet carries only the villages of the exported households (a filtered
    list); otherwise every village with facts in scope, so an unfiltered export re-imports completely.
    """
    prefix = region.prefix if region is not None else None
    mask = None if actor_or_none is None or actor_or_none.sees_sensitive else masker(actor_or_none)
    extended = False
    if year is not None:
        rows = _snapshot_rows(year, prefix, mask)
        total = YearSnapshot.objects.filter(year=year).count()
    else:
        query = (
            household_ids_query
            if household_ids_query is not None
            else Household.objects.filter(registry_status=enums.RegistryStatus.ACTIVE)
        )
        if prefix:
            low, high = code_range(prefix)
            query = query.filter(village_id__gte=low, village_id__lt=high)
        extended = query.filter(national__isnull=False).exists()
        rows = _live_rows(query, mask, extended=extended)
        total = query.count()
    book = FastBook(out)
    household_sheet = SHEET_BY_NAME[HOUSEHOLD_SHEET]
    if year is None and extended:  # households of a national list: their unknowns stay unknown
        household_sheet = Sheet(HOUSEHOLD_SHEET, household_sheet.specs + EXTRA_HOUSEHOLD_SPECS, True)
    households_sheet = book.sheet(household_sheet)
    members_sheet = book.sheet(SHEET_BY_NAME[MEMBER_SHEET])
    villages_sheet = book.sheet(SHEET_BY_NAME[VILLAGE_SHEET])
    households = members = 0
    village_at = [spec.name for spec in SHEET_BY_NAME[HOUSEHOLD_SHEET].specs].index("village_code")
    seen_villages: set[str] = set()
    try:
        write_member = members_sheet.row
        for household, people in rows:
            households_sheet.row(household)
            seen_villages.add(household[village_at])
            for m in people:
                write_member(m)
            households += 1
            members += len(people)
            if progress and households % BATCH == 0:
                progress(households, total, "导出户与成员")
        codes = seen_villages if villages_of_households else None
        for village in _villages(actor_or_none, prefix, codes):
            villages_sheet.row([cell(village.get(spec.name)) for spec in SHEET_BY_NAME[VILLAGE_SHEET].specs])
        if year is None:  # 帮扶责任人, 帮扶措施 (docs/assistance.md): live data, not in a year's snapshot
            add_assistance_sheets(book, households=query, mask=mask)
    finally:
        book.close()
    if progress:
        progress(households, max(total, households), "导出完成")
    return {"households": households, "members": members}
