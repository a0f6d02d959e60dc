"""Running the departmental cross-checks (部门数据比对): `run_crosscheck` for the county (set-based
SQL, streamed by `iter_crosscheck`), `household_crosscheck` for one household's page (plain Python), and the loaders that turn
database rows into the Python engine's plain data. Neither stores anything: the clue store takes the
`Hit`s (verification.hits) from here."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Q

from jingzhun.engines.python import crosscheck as py
from jingzhun.engines.sql import crosscheck as sql
from jingzhun.regions.models import code_range
from jingzhun.registry.enums import RegistryStatus
from jingzhun.registry.models import Household, Member
from jingzhun.rules.datasets import KIND_ID, METHODS, RECORD_FIELDS, SPEC_BY_NAME
from jingzhun.rules.hits import Hit
from jingzhun.verification.importer import county_code
from jingzhun.verification.models import Dataset, DatasetRecord
from jingzhun.verification.params import current_params

PERSON_FIELDS = (
    "id",
    "household_id",
    "household__code",
    "resident_id",
    "id_number",
    "name",
    "gender",
    "birth_date",
    "health",
    "school_status",
    "medical_insurance",
    "dibao",
    "tekun",
)


def in_scope_members(county: str) -> Any:
    """Members of the registry in scope (spec "Common terms"): household not 注销/清退, member not removed."""
    lo, hi = code_range(county)
    return Member.objects.filter(
        is_active=True,
        household__registry_status=RegistryStatus.ACTIVE,
        household__village_id__gte=lo,
        household__village_id__lt=hi,
    )


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def person(row: tuple[Any, ...]) -> py.Person:
    (mid, hid, code, rid, number, name, gender, birth, health, school, insurance, dibao, tekun) = row
    return py.Person(
        member_id=mid,
        household_id=hid,
        household_code=code,
        resident_id=rid,
        id_number=number,
        name=name,
        gender=gender,
        birth_date=_as_date(birth),
        health=health,
        school_status=school,
        medical_insurance=insurance,
        dibao=dibao,
        tekun=tekun,
    )


def persons(queryset: Any) -> list[py.Person]:
    return [person(row) for row in queryset.values_list(*PERSON_FIELDS).order_by("id")]


def record(row: tuple[Any, ...], names: dict[int, tuple[str, list[str]]]) -> py.Record:
    (rid, dataset_id, id18, kind_code, name, birth, gender, d1, d2, kind, status, amount, year, key, data) = (
        row
    )
    dataset, columns = names[dataset_id]
    return py.Record(
        id=rid,
        dataset=dataset,
        id18=id18,
        id_kind=kind_code,
        name=name,
        birth_date=birth,
        gender=gender,
        date1=d1,
        date2=d2,
        kind=kind,
        status=status,
        amount=amount,
        year=year,
        key=key,
        columns={c: v for c, v in zip(columns, data, strict=False) if c},
    )


@dataclass(frozen=True)
class County:
    code: str
    datasets: dict[str, int]  # 数据集 → Dataset id
    names: dict[int, tuple[str, list[str]]]  # Dataset id → (数据集, columns)


def county_datasets(code: str | None = None) -> County:
    code = code or county_code()
    rows = list(Dataset.objects.filter(county_code=code).values_list("id", "name", "columns"))
    return County(code, {n: i for i, n, _ in rows}, {i: (n, c) for i, n, c in rows})


def iter_crosscheck_people(
    year: int,
    region: str | None = None,
    params: dict[str, dict[str, Any]] | None = None,
    *,
    unmatched: dict[str, tuple[int, int]] | None = None,
    by_village: dict[str, int] | None = None,
) -> Iterator[tuple[Hit, py.Person]]:
    """Every X-* hit of the county (or of `region`, a code prefix) for year Y with its member, set-based
    in SQL, in the order of the command's CSV (规则代码, 户编号, 证件号码), streamed: the SQL engine keeps
    the hits in a temporary table and hands them over in batches with their member and record, so memory
    does not grow with the hits. Matching always looks at the whole county: whether a near match is the
    only candidate does not depend on the region asked for. `unmatched` (数据集 → (records, matching
    nobody)) and `by_village` (village code → records matched to its households, `village_records`)
    are filled before the first hit."""
    params = params or current_params()
    county = county_datasets()
    for batch in sql.raw_hits(
        county.code, region, county.datasets, year, params, unmatched, by_village=by_village
    ):
        for h, person_row, record_row in batch:
            someone, safety = _person(person_row)
            match = None
            if record_row is not None:
                assert h.rank is not None  # a hit with a record was matched by a method
                match = py.Match(_record(record_row, county.names), h.member_id, METHODS[h.rank])
            facts = dict(h.facts)
            if h.rule == "X-HOUSING":
                facts["housing_safety"] = safety
            yield py.make_hit(h.rule, someone, match, year, **facts), someone


def iter_crosscheck(
    year: int,
    region: str | None = None,
    params: dict[str, dict[str, Any]] | None = None,
    *,
    unmatched: dict[str, tuple[int, int]] | None = None,
    by_village: dict[str, int] | None = None,
) -> Iterator[Hit]:
    """The hits of `iter_crosscheck_people`, streamed (what the clue store takes)."""
    for hit, _ in iter_crosscheck_people(year, region, params, unmatched=unmatched, by_village=by_village):
        yield hit


def run_crosscheck(
    year: int,
    region: str | None = None,
    params: dict[str, dict[str, Any]] | None = None,
    *,
    unmatched: dict[str, tuple[int, int]] | None = None,
    by_village: dict[str, int] | None = None,
) -> list[Hit]:
    """`iter_crosscheck` as a list sorted by rule, household, member (tests, the demo; a county run
    streams instead)."""
    return sort_hits(list(iter_crosscheck(year, region, params, unmatched=unmatched, by_village=by_village)))


def _person(row: tuple[Any, ...]) -> tuple[py.Person, str]:
    """A member row of the SQL engine (engines.sql.crosscheck.PERSON_SQL) and its 住房安全等级."""
    *fields, safety = row
    for i in (10, 11, 12):  # SQLite gives 0/1 for booleans
        fields[i] = None if fields[i] is None else bool(fields[i])
    return person(tuple(fields)), safety


def _record(given: tuple[Any, ...], names: dict[int, tuple[str, list[str]]]) -> py.Record:
    """A record row of the SQL engine (engines.sql.crosscheck.RECORD_SQL), typed as the ORM would."""
    row = list(given)
    for i in (5, 7, 8):  # dates: ISO text on SQLite
        if isinstance(row[i], str):
            row[i] = date.fromisoformat(row[i])
    if row[11] is not None and not isinstance(row[11], Decimal):
        row[11] = Decimal(str(row[11]))
    if isinstance(row[14], str):
        row[14] = json.loads(row[14])
    return record(tuple(row), names)


def load_county(county: County) -> tuple[list[py.HouseholdFacts], list[py.Record]]:
    """The whole county as plain data (the Python engine's input; tests and small counties)."""
    members = persons(in_scope_members(county.code))
    by_household: dict[int, list[py.Person]] = {}
    for p in members:
        by_household.setdefault(p.household_id, []).append(p)
    facts = [
        py.HouseholdFacts(hid, code, safety, tuple(by_household[hid]))
        for hid, code, safety in Household.objects.filter(id__in=list(by_household))
        .order_by("id")
        .values_list("id", "code", "housing_safety")
    ]
    records = [
        record(row, county.names)
        for row in DatasetRecord.objects.filter(dataset_id__in=list(county.names))
        .order_by("id")
        .values_list(*RECORD_FIELDS)
    ]
    return facts, records


def run_crosscheck_python(
    year: int, region: str | None = None, params: dict[str, dict[str, Any]] | None = None
) -> list[Hit]:
    """The same hits as `run_crosscheck`, computed in plain Python over the county loaded whole."""
    county = county_datasets()
    households, records = load_county(county)
    everyone = [p for h in households for p in h.members]
    if region:
        lo, hi = code_range(region)
        inside = set(
            Household.objects.filter(village_id__gte=lo, village_id__lt=hi).values_list("id", flat=True)
        )
        households = [h for h in households if h.household_id in inside]
    hits = py.crosscheck(
        households,
        records,
        imported=county.datasets,
        year=year,
        params=params or current_params(),
        persons=everyone,
    )
    return sort_hits(hits)


def _household_matches(household_id: int) -> tuple[County, list[py.Person], list[py.Match]]:
    """The county's datasets, one household's members in scope and the matches of their records: by ID,
    and the near candidates, matched against everyone in the county who could claim them (the engine's
    matching, so a page agrees with the county run)."""
    county = county_datasets()
    scope = in_scope_members(county.code)
    members = persons(scope.filter(household_id=household_id))
    if not members:
        return county, [], []
    ids = [p.resident_id for p in members]
    near = Q()
    for p in members:
        near |= Q(name=p.name, birth_date=p.birth_date, gender=p.gender, id_kind=KIND_ID)
    rows = (
        DatasetRecord.objects.filter(dataset_id__in=list(county.names))
        .filter(Q(id18__in=ids) | near)
        .order_by("id")
        .values_list(*RECORD_FIELDS)
    )
    records = [record(row, county.names) for row in rows]
    # everyone who could take one of these records instead: by ID, or as another near candidate
    claim = Q(resident_id__in=[r.id18 for r in records])
    for r in records:
        if r.birth_date is not None:
            claim |= Q(name=r.name, birth_date=r.birth_date, gender=r.gender)
    others = persons(scope.filter(claim)) if records else []
    matches = [m for m in py.match_records(others, records) if m.member_id in {p.member_id for p in members}]
    return county, members, matches


def household_crosscheck(
    household_id: int, year: int, params: dict[str, dict[str, Any]] | None = None
) -> list[Hit]:
    """One household's X-* hits in plain Python (a page)."""
    county, members, matches = _household_matches(household_id)
    if not members:
        return []
    safety = Household.objects.filter(id=household_id).values_list("code", "housing_safety").get()
    facts = py.HouseholdFacts(household_id, safety[0], safety[1], tuple(members))
    hits = py.evaluate_household(
        facts, matches, imported=county.datasets, year=year, params=params or current_params()
    )
    return sort_hits(hits)


def member_assistance(household_id: int, member_id: int, year: int) -> dict[str, bool] | None:
    """救助类别 (低保/特困) → whether the 民政 roll has a period of it covering 31 Dec of `year` for the
    member, by all of the member's current 低保特困 records as the cross-check matches them; None when
    低保特困 was never imported or the member is no longer in scope (X-DIBAO's follow-up)."""
    county, members, matches = _household_matches(household_id)
    if "低保特困" not in county.datasets or member_id not in {p.member_id for p in members}:
        return None
    rows = [m for m in matches if m.member_id == member_id and m.record.dataset == "低保特困"]
    return py.assistance_covered(rows, date(year, 12, 31))


def sort_key(hit: Hit, people: dict[int, tuple[str, str]] | None = None) -> tuple[str, int, int]:
    return (hit.rule, hit.household_id, hit.member_id or 0)


def sort_hits(hits: list[Hit]) -> list[Hit]:
    return sorted(hits, key=sort_key)


__all__ = [
    "iter_crosscheck",
    "run_crosscheck",
    "run_crosscheck_python",
    "household_crosscheck",
    "SPEC_BY_NAME",
]
