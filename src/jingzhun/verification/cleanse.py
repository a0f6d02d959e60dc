"""Data cleansing (数据清洗, spec/verification.md §1) as the county runs it: the context of a run (year,
reference date and poverty line from the standard in force, parameters from the published rule set), the
whole county or a region set-based in SQL (`run_cleanse`), and one household in Python for its page
(`cleanse_household`). Nothing here stores clues or changes the registry: the hits are handed over as
`Hit`s to whoever stores them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch

from jingzhun.engines.python import cleansing as python_engine
from jingzhun.engines.sql import cleansing as sql_engine
from jingzhun.engines.sql.compiler import Scope
from jingzhun.registry import enums
from jingzhun.registry.models import Household, IncomeRecord, Member
from jingzhun.rules.cleansing import (
    CleanseContext,
    CleanseHousehold,
    CleanseIncome,
    CleanseMember,
    Finding,
)
from jingzhun.rules.hits import Hit
from jingzhun.standards.loading import load_spec, standard_for_year
from jingzhun.verification.params import current_params

MEMBER_FIELDS = (
    "id",
    "name",
    "id_number",
    "gender",
    "birth_date",
    "relation",
    "education",
    "school_status",
    "labour_skill",
    "work_months",
    "dibao",
    "tekun",
)


def context(year: int, params: dict[str, dict[str, Any]] | None = None) -> CleanseContext:
    """The run's context: the reference date and the line of Y from the standard in force (31 December
    and no line when no published standard covers Y), the parameters in force unless given."""
    standard = standard_for_year(year)
    if standard is None:
        reference, line = date(year, 12, 31), None
    else:
        spec = load_spec(standard)
        reference, amount = spec.reference_date(year), spec.line(year)
        line = int(amount * 100) if amount is not None else None
    return CleanseContext(
        year=year,
        reference=reference,
        line_cents=line,
        params=params if params is not None else current_params(),
    )


def to_hit(finding: Finding) -> Hit:
    return Hit(
        rule=finding.rule,
        household_id=finding.household_id,
        member_id=finding.member_id,
        explanation=finding.explanation,
    )


def scope_for(region: str | None) -> Scope:
    return Scope.region(region) if region else Scope.everything()


def cleanse_rows(
    year: int, region: str | None = None, *, ctx: CleanseContext | None = None
) -> list[sql_engine.CleanseRow]:
    """The SQL engine's hits with the columns of the CSV (户编号, 证件号码, 姓名)."""
    return sql_engine.cleanse_rows(ctx or context(year), scope_for(region))


def run_cleanse(year: int, region: str | None = None) -> list[Hit]:
    """Every Q-* hit over the registry in scope (the county, or a region subtree by code prefix), SQL
    engine, sorted by rule, household, member. The clue store takes these (`store_hits`)."""
    return [to_hit(row.finding) for row in cleanse_rows(year, region)]


# --- the Python engine over database rows (household page, parity tests) -----------------------------


def _cents(value: Decimal | None) -> int | None:
    """分 as the database rounds each column; None (unknown, a national list's income) stays None."""
    return None if value is None else int((value * 100).to_integral_value())


def plain_household(
    household: Household, members: list[Member], incomes: list[IncomeRecord]
) -> CleanseHousehold:
    return CleanseHousehold(
        id=household.pk,
        code=household.code,
        attribute=household.attribute,
        exit_status=household.exit_status,
        exit_year=household.exit_year,
        planned_exit_year=household.planned_exit_year,
        members=tuple(
            CleanseMember(**{f: getattr(m, f) for f in MEMBER_FIELDS})
            for m in sorted(members, key=lambda m: m.pk)
        ),
        incomes=tuple(
            CleanseIncome(
                i.year,
                _cents(i.wage),
                _cents(i.business),
                _cents(i.property_income),
                _cents(i.transfer),
                _cents(i.business_expense),
            )
            for i in incomes
        ),
    )


def plain_households(queryset: Any) -> list[CleanseHousehold]:
    """Households (a queryset) with their active members and incomes, in three queries."""
    rows = queryset.filter(registry_status=enums.RegistryStatus.ACTIVE).prefetch_related(
        Prefetch(
            "members",
            queryset=Member.objects.filter(is_active=True).only(*MEMBER_FIELDS, "household_id"),
            to_attr="active",
        ),
        "incomes",
    )
    return [plain_household(h, h.active, list(h.incomes.all())) for h in rows]


def cleanse_household(household: Household, year: int, *, ctx: CleanseContext | None = None) -> list[Hit]:
    """One household's hits (Python engine), for its page: its own rules, and Q-DUP-PERSON against the
    members of every other household on the register with the same 姓名, gender and birth date."""
    ctx = ctx or context(year)
    if household.registry_status != enums.RegistryStatus.ACTIVE:
        return []
    plain = plain_households(Household.objects.filter(pk=household.pk))[0]
    findings = python_engine.cleanse_household(plain, ctx)
    if python_engine.DUP in ctx.codes and plain.members:
        keys = {(m.name, m.gender, m.birth_date) for m in plain.members}
        others = (
            Member.objects.filter(
                is_active=True,
                household__registry_status=enums.RegistryStatus.ACTIVE,
                name__in={k[0] for k in keys},
            )
            .exclude(household_id=household.pk)
            .select_related("household")
        )
        candidates: dict[int, list[Member]] = {}
        homes: dict[int, Household] = {}
        for m in others:
            if (m.name, m.gender, m.birth_date) in keys:
                candidates.setdefault(m.household_id, []).append(m)
                homes[m.household_id] = m.household
        partial = [plain_household(homes[hid], ms, []) for hid, ms in candidates.items()]
        findings += python_engine.duplicate_people([plain, *partial], ctx, only=household.pk)
    return [to_hit(f) for f in sorted(findings, key=python_engine.finding_key)]
