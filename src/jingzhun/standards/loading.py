"""Load standards and registry rows into the plain structures the rules read."""

from __future__ import annotations

from datetime import date

from django.db.models import Max

from jingzhun.registry.models import Household, IncomeRecord, Member
from jingzhun.standards.models import AssessmentRun, StandardSet, StandardStatus
from jingzhun.standards.spec import HouseholdData, MemberData, RuleSpec, StandardSpec, cents

_PUBLISHED_CACHE: dict[int, StandardSpec] = {}
MEMBER_COLUMNS = (
    "name",
    "birth_date",
    "gender",
    "relation",
    "education",
    "school_status",
    "not_in_school_reason",
    "health",
    "labour_skill",
    "work_months",
    "medical_insurance",
    "serious_illness_insurance",
    "pension_insurance",
    "dibao",
    "tekun",
)


def load_spec(standard: StandardSet) -> StandardSpec:
    """The standard as plain data. Published versions are frozen, so they are cached."""
    cached = _PUBLISHED_CACHE.get(standard.pk)
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
        _PUBLISHED_CACHE[standard.pk] = spec
    return spec


def clear_cache() -> None:
    _PUBLISHED_CACHE.clear()


def standard_for_year(year: int) -> StandardSet | None:
    """The newest published version whose years cover `year`."""
    return (
        StandardSet.objects.filter(status=StandardStatus.PUBLISHED, first_year__lte=year, last_year__gte=year)
        .order_by("-published_at", "-version", "-id")
        .first()
    )


def default_year() -> int:
    """The year pages show when none is asked for: the latest assessed year, else this year capped to
    the last year a published standard covers."""
    run = AssessmentRun.objects.order_by("-id").values_list("year", flat=True).first()
    if run:
        return int(run)
    this_year = date.today().year
    last = StandardSet.objects.filter(status=StandardStatus.PUBLISHED).aggregate(m=Max("last_year"))["m"]
    return min(this_year, last) if last else this_year


def household_data(household: Household, *, year: int) -> HouseholdData:
    """One household, its active members and its latest income record with 收入年度 ≤ `year` (2 queries)."""
    members = tuple(
        MemberData(**row)
        for row in Member.objects.filter(household_id=household.pk, is_active=True)
        .order_by("id")
        .values(*MEMBER_COLUMNS)
    )
    income = (
        IncomeRecord.objects.filter(household_id=household.pk, year__lte=year)
        .order_by("-year")
        .only("year", "wage", "business", "property_income", "transfer", "business_expense")
        .first()
    )
    return HouseholdData(
        id=household.pk,
        code=household.code,
        village_code=household.village_id,
        exit_status=household.exit_status,
        planned_exit_year=household.planned_exit_year,
        food_secure=household.food_secure,
        clothing_secure=household.clothing_secure,
        water_safe=household.water_safe,
        housing_safety=household.housing_safety,
        relocation=household.relocation,
        attribute=household.attribute,
        main_cause=household.main_cause,
        income_year=income.year if income else None,
        net_income_cents=cents(income.net_income) if income else None,
        members=members,
    )
