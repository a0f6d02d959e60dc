"""Plain (framework-free) views of a standard and of the data a rule reads. Both engines take these."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from jingzhun.rules.vocabulary import Condition, conditions_from


@dataclass(frozen=True)
class RuleSpec:
    code: str
    name: str
    level: str
    operator: str
    params: dict[str, Any]
    position: int = 0
    is_assumption: bool = False
    note: str = ""

    @property
    def conditions(self) -> tuple[Condition, ...]:
        return conditions_from(self.params.get("conditions", []))


@dataclass(frozen=True)
class StandardSpec:
    id: int
    label: str
    lines: dict[int, Decimal]
    line_assumptions: frozenset[int]
    reference_month: int
    reference_day: int
    reference_is_assumption: bool
    rules: tuple[RuleSpec, ...]
    exit_notice_days: int = 7  # 退出公示 at least this many days (standards.exit_rules)

    def reference_date(self, year: int) -> date:
        day = self.reference_day
        while True:
            try:
                return date(year, self.reference_month, day)
            except ValueError:
                day -= 1

    def level_rules(self, level: str) -> tuple[RuleSpec, ...]:
        return tuple(sorted((r for r in self.rules if r.level == level), key=lambda r: (r.position, r.code)))

    def line(self, year: int) -> Decimal | None:
        return self.lines.get(year)


@dataclass(frozen=True)
class MemberData:
    """成员 as the rules read it (active members only)."""

    name: str
    birth_date: date
    gender: str = "男"
    relation: str = "户主"
    education: str = ""
    school_status: str = "非在校生"
    not_in_school_reason: str = ""
    health: str = "健康"
    labour_skill: str = "普通劳动力"
    work_months: int | None = None
    medical_insurance: bool | None = True
    serious_illness_insurance: bool | None = None
    pension_insurance: bool | None = None
    dibao: bool | None = None
    tekun: bool | None = None


@dataclass(frozen=True)
class HouseholdData:
    """户 as the rules read it. `net_income_cents` is the latest income record with 收入年度 ≤ the
    assessment year (None when there is none or its components are unknown); `per_capita_cents` is that
    record's stated 人均纯收入 when only it is known (a national list: "per-capita only", components
    unknown); 家庭人口数 is the number of active members. `housing_safety` is None when the grade is
    unknown and `vocabulary.DILAPIDATED` for "危房, grade unknown" (a national list's 危房户)."""

    id: int
    code: str
    village_code: str
    exit_status: str
    planned_exit_year: int | None = None
    food_secure: bool | None = True
    clothing_secure: bool | None = True
    water_safe: bool | None = True
    housing_safety: str | None = "A"
    relocation: str = "否"
    attribute: str = "一般贫困户"
    main_cause: str = "因病"
    income_year: int | None = None
    net_income_cents: int | None = None
    per_capita_cents: int | None = None
    members: tuple[MemberData, ...] = field(default_factory=tuple)

    @property
    def people(self) -> int:
        return len(self.members)
