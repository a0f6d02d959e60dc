"""Load standards and registry rows into the plain structures the rules read."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import Max

from jingzhun.registry.models import Household
from jingzhun.rules.spec import HouseholdData, MemberData, RuleSpec, StandardSpec
from jingzhun.rules.vocabulary import DILAPIDATED
from jingzhun.standards.models import AssessmentRun, StandardSet, StandardStatus

# Published versions are frozen, so their plain form is cached per process. The key includes the
# publication time: a rolled-back test database may hand the same id to a different version.
_PUBLISHED_CACHE: dict[tuple[int, Any], StandardSpec] = {}
# the member columns the rules read: the fields of rules.spec.MemberData, in its order
MEMBER_COLUMNS = tuple(f.name for f in dataclasses.fields(MemberData))


def load_spec(standard: StandardSet) -> StandardSpec:
    """The standard as plain data. Published versions are frozen, so they are cached."""
    cached = _PUBLISHED_CACHE.get((standard.pk, standard.published_at))
    if cached is not None and standard.status == StandardStatus.PUBLISHED:
        return cached
    lines = list(standard.lines.all())
    spec = StandardSpec(
        id=standard.pk,
        label=str(standard),
        lines={line.year: line.amount for line in lines},
        line_assumptions=frozenset(line.year for line in lines if line.is_assumption),
        reference_month=standard.reference_month,
        reference_day=standard.reference_day,
        reference_is_assumption=standard.reference_is_assumption,
        exit_notice_days=standard.exit_notice_days,
        rules=tuple(
            RuleSpec(
                code=r.code,
                name=r.name,
                level=r.level,
                operator=r.operator,
                params=r.params,
                position=r.position,
                is_assumption=r.is_assumption,
                note=r.note,
            )
            for r in standard.rules.all()
        ),
    )
    if standard.status == StandardStatus.PUBLISHED:
        _PUBLISHED_CACHE[(standard.pk, standard.published_at)] = spec
    return spec


def clear_cache() -> None:
    _PUBLISHED_CACHE.clear()
    _PUBLISHED_SETS.clear()


_PUBLISHED_SETS: dict[tuple[int, Any], StandardSet] = {}


def standard_for_year(year: int) -> StandardSet | None:
    """The newest published version whose years cover `year` (one indexed query; published versions
    are frozen, so their objects are cached)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, published_at FROM standards_standardset WHERE status = %s AND first_year <= %s AND last_year >= %s "
            "ORDER BY published_at DESC, version DESC, id DESC LIMIT 1",
            [StandardStatus.PUBLISHED, year, year],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    cached = _PUBLISHED_SETS.get((row[0], str(row[1])))
    if cached is None:
        cached = StandardSet.objects.get(pk=row[0])
        _PUBLISHED_SETS[(row[0], str(row[1]))] = cached
    return cached


def default_year() -> int:
    """The year pages show when none is asked for: the latest assessed year, else this year capped to
    the last year a published standard covers."""
    run = AssessmentRun.objects.order_by("-id").values_list("year", flat=True).first()
    if run:
        return int(run)
    this_year = date.today().year
    last = StandardSet.objects.filter(status=StandardStatus.PUBLISHED).aggregate(m=Max("last_year"))["m"]
    return min(this_year, last) if last else this_year


_MEMBER_SQL = f"SELECT {', '.join(MEMBER_COLUMNS)} FROM registry_member WHERE household_id = %s AND is_active = %s ORDER BY id"
# Net income in cents computed exactly as the SQL engine does (compiler.NET_CENTS; NULL when a component
# is unknown), and the stated per-capita figure of a "per-capita only" record (a national list).
_INCOME_SQL = (
    "SELECT year, CAST(ROUND((wage + business + property_income + transfer - business_expense) * 100) AS BIGINT), "
    "CAST(ROUND(per_capita_net * 100) AS BIGINT) "
    "FROM registry_incomerecord WHERE household_id = %s AND year <= %s ORDER BY year DESC LIMIT 1"
)
_BOOLS = {"medical_insurance", "serious_illness_insurance", "pension_insurance", "dibao", "tekun"}


def _member(row: tuple[Any, ...]) -> MemberData:
    values = dict(zip(MEMBER_COLUMNS, row, strict=True))
    if isinstance(values["birth_date"], str):  # SQLite keeps dates as ISO text
        values["birth_date"] = date.fromisoformat(values["birth_date"])
    for name in _BOOLS:
        if values[name] is not None:
            values[name] = bool(values[name])
    return MemberData(**values)


def housing_as_rules_see_it(household: Household) -> str | None:
    """住房安全等级 for the rules: a grade the national list did not carry is unknown (None), or
    "危房, grade unknown" when its 危房户 said 是 — the Python twin of vocabulary.HOUSING's SQL overlay."""
    if household.housing_grade_unknown:
        return DILAPIDATED if household.dilapidated else None
    return household.housing_safety


def household_data(household: Household, *, year: int) -> HouseholdData:
    """One household, its active members and its latest income record with 收入年度 ≤ `year`. Two plain
    indexed queries: this runs on every household page (≤ 20 ms budget)."""
    with connection.cursor() as cursor:
        cursor.execute(_MEMBER_SQL, [household.pk, True])
        members = tuple(_member(row) for row in cursor.fetchall())
        cursor.execute(_INCOME_SQL, [household.pk, year])
        income = cursor.fetchone()
    return HouseholdData(
        id=household.pk,
        code=household.code,
        village_code=household.village_id,
        exit_status=household.exit_status,
        planned_exit_year=household.planned_exit_year,
        food_secure=household.food_secure,
        clothing_secure=household.clothing_secure,
        water_safe=household.water_safe,
        housing_safety=housing_as_rules_see_it(household),
        relocation=household.relocation,
        attribute=household.attribute,
        main_cause=household.main_cause,
        income_year=income[0] if income else None,
        net_income_cents=int(income[1]) if income and income[1] is not None else None,
        per_capita_cents=int(income[2]) if income and income[2] is not None else None,
        members=members,
    )
