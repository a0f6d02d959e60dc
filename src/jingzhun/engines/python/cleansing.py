"""Data cleansing (数据清洗) in pure Python: every Q-* rule of spec/verification.md §1 evaluated over plain
data, one function per rule. The reference engine: the set-based SQL in `engines.sql.cleansing` is proven
to find the same hits with the same 说明 (tests/verification/test_cleanse_parity.py).

`cleanse_household` runs the household's own rules; Q-DUP-PERSON compares members across households and
runs over a collection (`duplicate_people`); `cleanse` runs everything over the households of a run.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

from jingzhun.rules import cleansing as q
from jingzhun.rules.cleansing import CleanseContext, CleanseHousehold, CleanseMember, Finding
from jingzhun.rules.vocabulary import age_on

RuleFn = Callable[[CleanseHousehold, CleanseContext], list[Finding]]
_RULES: dict[str, RuleFn] = {}


def _rule(code: str) -> Callable[[RuleFn], RuleFn]:
    def register(fn: RuleFn) -> RuleFn:
        _RULES[code] = fn
        return fn

    return register


def _age(member: CleanseMember, ctx: CleanseContext) -> int:
    return age_on(member.birth_date, ctx.reference)


def _member_hits(
    code: str, hh: CleanseHousehold, members: Iterable[tuple[CleanseMember, str]]
) -> list[Finding]:
    return [Finding(code, hh.id, m.id, text) for m, text in members]


@_rule("Q-SPOUSE-SEX")
def spouse_sex(hh: CleanseHousehold, ctx: CleanseContext) -> list[Finding]:
    head = hh.head
    if head is None:
        return []
    return _member_hits(
        "Q-SPOUSE-SEX",
        hh,
        ((m, q.spouse_sex(m)) for m in hh.members if m.relation == q.SPOUSE and m.gender == head.gender),
    )


@_rule("Q-SPOUSE-COUNT")
def spouse_count(hh: CleanseHousehold, ctx: CleanseContext) -> list[Finding]:
    spouses = sorted((m for m in hh.members if m.relation == q.SPOUSE), key=lambda m: m.id)
    if len(spouses) < 2:
        return []
    text = q.spouse_count([m.name for m in spouses])
    return _member_hits("Q-SPOUSE-COUNT", hh, ((m, text) for m in spouses))


def _gap_rule(code: str, relations: tuple[str, ...], *, older: bool) -> RuleFn:
    def evaluate(hh: CleanseHousehold, ctx: CleanseContext) -> list[Finding]:
        head = hh.head
        if head is None:
            return []
        minimum = ctx.param(code, "min_gap_years")
        out = []
        for m in hh.members:
            if m.relation not in relations:
                continue
            if older and age_on(m.birth_date, head.birth_date) < minimum:
                out.append((m, q.older_gap(m, head, minimum)))
            elif not older and age_on(head.birth_date, m.birth_date) < minimum:
                out.append((m, q.younger_gap(m, head, minimum)))
        return _member_hits(code, hh, out)

    return evaluate


_RULES["Q-PARENT-AGE"] = _gap_rule("Q-PARENT-AGE", q.PARENT_RELATIONS, older=True)
_RULES["Q-CHILD-AGE"] = _gap_rule("Q-CHILD-AGE", q.CHILD_RELATIONS, older=False)
_RULES["Q-GRANDCHILD-AGE"] = _gap_rule("Q-GRANDCHILD-AGE", q.GRANDCHILD_RELATIONS, older=False)


@_rule("Q-HEAD-MINOR")
def head_minor(hh: CleanseHousehold, ctx: CleanseContext) -> list[Finding]:
    limit = ctx.param("Q-HEAD-MINOR", "min_age")
    return _member_hits(
        "Q-HEAD-MINOR",
        hh,
        (
            (m, q.head_minor(m, _age(m, ctx), limit))
            for m in hh.members
            if m.relation == q.HEAD and _age(m, ctx) < limit
        ),
    )


@_rule("Q-CHILD-LABOUR")
def child_labour(hh: CleanseHousehold, ctx: CleanseContext) -> list[Finding]:
    limit = ctx.param("Q-CHILD-LABOUR", "min_age")
    return _member_hits(
        "Q-CHILD-LABOUR",
        hh,
        (
            (m, q.child_labour(m, _age(m, ctx), limit))
            for m in hh.members
            if m.labour_skill in q.LABOUR_SKILLS and _age(m, ctx) < limit
        ),
    )


@_rule("Q-PRESCHOOL-OLD")
def preschool_old(hh: CleanseHousehold, ctx: CleanseContext) -> list[Finding]:
    limit = ctx.param("Q-PRESCHOOL-OLD", "min_age")
    return _member_hits(
        "Q-PRESCHOOL-OLD",
        hh,
        (
            (m, q.preschool_old(m, _age(m, ctx)))
            for m in hh.members
            if (m.school_status == q.PRESCHOOL_STATUS or m.education == q.PRESCHOOL_EDUCATION)
            and _age(m, ctx) >= limit
        ),
    )


@_rule("Q-INFANT-SCHOOL")
def infant_school(hh: CleanseHousehold, ctx: CleanseContext) -> list[Finding]:
    limit = ctx.param("Q-INFANT-SCHOOL", "max_age")
    return _member_hits(
        "Q-INFANT-SCHOOL",
        hh,
        (
            (m, q.infant_school(m, _age(m, ctx)))
            for m in hh.members
            if m.school_status in q.SCHOOL_OR_ABOVE and _age(m, ctx) <= limit
        ),
    )


@_rule("Q-AGE-EXTREME")
def age_extreme(hh: CleanseHousehold, ctx: CleanseContext) -> list[Finding]:
    limit = ctx.param("Q-AGE-EXTREME", "max_age")
    return _member_hits(
        "Q-AGE-EXTREME",
        hh,
        ((m, q.age_extreme(m, _age(m, ctx), limit)) for m in hh.members if _age(m, ctx) > limit),
    )


@_rule("Q-WORK-NO-WAGE")
def work_no_wage(hh: CleanseHousehold, ctx: CleanseContext) -> list[Finding]:
    income = hh.latest_income(ctx.year)
    if income is None or income.wage != 0:
        return []
    months = ctx.param("Q-WORK-NO-WAGE", "min_months")
    return _member_hits(
        "Q-WORK-NO-WAGE",
        hh,
        (
            (m, q.work_no_wage(m, income.year))
            for m in hh.members
            if m.work_months is not None and m.work_months >= months
        ),
    )


def _household_hit(code: str, hh: CleanseHousehold, text: str) -> list[Finding]:
    return [Finding(code, hh.id, None, text)]


@_rule("Q-INCOME-ZERO")
def income_zero(hh: CleanseHousehold, ctx: CleanseContext) -> list[Finding]:
    income = hh.latest_income(ctx.year)
    if income is None or income.gross != 0:
        return []
    return _household_hit("Q-INCOME-ZERO", hh, q.income_zero(income.year))


@_rule("Q-INCOME-HIGH")
def income_high(hh: CleanseHousehold, ctx: CleanseContext) -> list[Finding]:
    income, people = hh.latest_income(ctx.year), len(hh.members)
    if ctx.line_cents is None or income is None or people == 0:
        return []
    multiple = ctx.param("Q-INCOME-HIGH", "line_multiple")
    # per capita > k × line ⇔ net > k × line × people: exact, no rounding of the per-capita figure
    if income.net is None or income.net <= multiple * ctx.line_cents * people:
        return []
    return _household_hit(
        "Q-INCOME-HIGH", hh, q.income_high(income, people, ctx.line_cents, multiple, ctx.year)
    )


@_rule("Q-INCOME-JUMP")
def income_jump(hh: CleanseHousehold, ctx: CleanseContext) -> list[Finding]:
    current, previous, people = hh.income(ctx.year), hh.income(ctx.year - 1), len(hh.members)
    if current is None or previous is None or people == 0:
        return []
    if current.net is None or previous.net is None or previous.net <= 0:
        return []
    multiple = ctx.param("Q-INCOME-JUMP", "jump_multiple")
    if current.net <= multiple * previous.net:  # the same people divide both years
        return []
    return _household_hit("Q-INCOME-JUMP", hh, q.income_jump(current, previous, people, multiple))


def _attribute_rule(code: str, special: str, flag: str, label: str) -> RuleFn:
    def evaluate(hh: CleanseHousehold, ctx: CleanseContext) -> list[Finding]:
        flagged = [m.name for m in sorted(hh.members, key=lambda m: m.id) if getattr(m, flag) is True]
        if (hh.attribute == special and not flagged) or (hh.attribute == q.GENERAL and flagged):
            return _household_hit(code, hh, q.attribute_mismatch(hh.attribute, label, flagged))
        return []

    return evaluate


_RULES["Q-DIBAO-ATTR"] = _attribute_rule("Q-DIBAO-ATTR", q.DIBAO_ATTR, "dibao", "低保")
_RULES["Q-TEKUN-ATTR"] = _attribute_rule("Q-TEKUN-ATTR", q.TEKUN_ATTR, "tekun", "特困供养")


@_rule("Q-EXIT-NO-INCOME")
def exit_no_income(hh: CleanseHousehold, ctx: CleanseContext) -> list[Finding]:
    if hh.exit_status != q.EXITED:
        return []
    if hh.exit_year is not None and hh.income(hh.exit_year) is not None:
        return []
    return _household_hit("Q-EXIT-NO-INCOME", hh, q.exit_no_income(hh.exit_year))


@_rule("Q-PLAN-OVERDUE")
def plan_overdue(hh: CleanseHousehold, ctx: CleanseContext) -> list[Finding]:
    planned = hh.planned_exit_year
    if hh.exit_status not in q.OPEN_STATUSES or planned is None or planned >= ctx.year:
        return []
    return _household_hit("Q-PLAN-OVERDUE", hh, q.plan_overdue(hh.exit_status, planned, ctx.year))


DUP = "Q-DUP-PERSON"


def finding_key(f: Finding) -> tuple:
    return (f.rule, f.household_id, f.member_id or 0, f.explanation)


def cleanse_household(hh: CleanseHousehold, ctx: CleanseContext) -> list[Finding]:
    """Every rule of the run that reads this household alone (all but Q-DUP-PERSON)."""
    out: list[Finding] = []
    for code in ctx.codes:
        fn = _RULES.get(code)
        if fn is not None:
            out.extend(fn(hh, ctx))
    return sorted(out, key=finding_key)


def duplicate_people(
    households: Iterable[CleanseHousehold], ctx: CleanseContext, *, only: int | None = None
) -> list[Finding]:
    """Q-DUP-PERSON: a member for whom a member of another household has the same 姓名, gender and birth
    date but another ID number; the 说明 names those households. `only`: report one household's
    members (the household page, given the candidates from elsewhere)."""
    if DUP not in ctx.codes:
        return []
    groups: dict[tuple, list[tuple[CleanseHousehold, CleanseMember]]] = defaultdict(list)
    for hh in households:
        for m in hh.members:
            groups[(m.name, m.gender, m.birth_date)].append((hh, m))
    out = []
    for group in groups.values():
        if len(group) < 2:
            continue
        for hh, m in group:
            if only is not None and hh.id != only:
                continue
            others = sorted(
                {o_hh.code for o_hh, o in group if o_hh.id != hh.id and o.id_number != m.id_number}
            )
            if others:
                out.append(Finding(DUP, hh.id, m.id, q.duplicate_person(m.name, others)))
    return sorted(out, key=finding_key)


def cleanse(households: Iterable[CleanseHousehold], ctx: CleanseContext) -> list[Finding]:
    """Every rule over the households of a run (its scope), sorted by rule, household, member."""
    households = list(households)
    out: list[Finding] = []
    for hh in households:
        out.extend(cleanse_household(hh, ctx))
    out.extend(duplicate_people(households, ctx))
    return sorted(out, key=finding_key)
