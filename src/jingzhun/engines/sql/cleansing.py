"""Data cleansing (数据清洗) set-based for the whole county (SQLite and PostgreSQL): every Q-* rule of
spec/verification.md §1 as one SQL predicate, combined into three statements — one over members (the
member rules, with the 户主, the spouse count and the latest income joined), one over households (the
household rules, with member aggregates and the incomes of Y, Y−1, the latest and the 脱贫年度 joined) and
one for Q-DUP-PERSON (people grouped by 姓名, gender and birth date across households). Never one query
per household. The 说明 of each hit is built by `rules.cleansing` from the row's values, as the Python
engine builds it, so both engines give the same hits with the same sentences.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection

from jingzhun.engines.sql.compiler import Scope, _date_param
from jingzhun.registry import enums
from jingzhun.rules import cleansing as q
from jingzhun.rules.cleansing import CleanseContext, CleanseIncome, CleanseMember, Finding
from jingzhun.rules.vocabulary import age_on, latest_birth_for_age

DUP = "Q-DUP-PERSON"
MEMBER_RULES = (
    "Q-SPOUSE-SEX",
    "Q-SPOUSE-COUNT",
    "Q-PARENT-AGE",
    "Q-CHILD-AGE",
    "Q-GRANDCHILD-AGE",
    "Q-HEAD-MINOR",
    "Q-CHILD-LABOUR",
    "Q-PRESCHOOL-OLD",
    "Q-INFANT-SCHOOL",
    "Q-AGE-EXTREME",
    "Q-WORK-NO-WAGE",
)
HOUSEHOLD_RULES = (
    "Q-INCOME-ZERO",
    "Q-INCOME-HIGH",
    "Q-INCOME-JUMP",
    "Q-DIBAO-ATTR",
    "Q-TEKUN-ATTR",
    "Q-EXIT-NO-INCOME",
    "Q-PLAN-OVERDUE",
)
# Helper flags of the member statement: the members whose 低保 / 特困供养 = 是 in a 一般贫困户, named in
# the 说明 of Q-DIBAO-ATTR / Q-TEKUN-ATTR.
DIBAO_NAMES, TEKUN_NAMES = "dibao-names", "tekun-names"
INCOME_COLUMNS = ("wage", "business", "property_income", "transfer", "business_expense")


@dataclass(frozen=True)
class CleanseRow:
    """A finding with the columns of the CSV: 户编号, 证件号码, 姓名 (the 户主's for household rules)."""

    finding: Finding
    household_code: str
    id_number: str
    name: str


def _ymd(col: str) -> str:
    """A date as the integer YYYYMMDD: age_on(a, b) < n ⇔ ymd(b) − ymd(a) < 10000·n, exactly (29 February
    included), without date arithmetic that differs between the databases."""
    if connection.vendor == "sqlite":
        return f"CAST(REPLACE({col}, '-', '') AS INTEGER)"
    return f"(EXTRACT(YEAR FROM {col}) * 10000 + EXTRACT(MONTH FROM {col}) * 100 + EXTRACT(DAY FROM {col}))"


def _cents(alias: str, column: str) -> str:
    return f"CAST(ROUND({alias}.{column} * 100) AS BIGINT)"


def _gross(alias: str) -> str:
    return "(" + " + ".join(_cents(alias, c) for c in INCOME_COLUMNS[:4]) + ")"


def _net(alias: str) -> str:
    return f"({_gross(alias)} - {_cents(alias, 'business_expense')})"


def _in(values: tuple[str, ...]) -> tuple[str, list[Any]]:
    return "(" + ", ".join(["%s"] * len(values)) + ")", list(values)


def _birth(value: Any) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value


# --- members ------------------------------------------------------------------------------------


def _member_predicates(ctx: CleanseContext) -> list[tuple[str, str, list[Any]]]:
    """(code, boolean SQL over m (member), hd (户主), sc (spouse count), i (latest income), params)."""
    ref = ctx.reference
    out: list[tuple[str, str, list[Any]]] = []
    codes = set(ctx.codes)

    def younger_than(n: int) -> Any:  # age < n ⇔ born after the latest birth date of age n
        return _date_param(latest_birth_for_age(n, ref))

    if "Q-SPOUSE-SEX" in codes:
        out.append(("Q-SPOUSE-SEX", "m.relation = %s AND m.gender = hd.gender", [q.SPOUSE]))
    if "Q-SPOUSE-COUNT" in codes:
        out.append(("Q-SPOUSE-COUNT", "m.relation = %s AND hh.spouses > 1", [q.SPOUSE]))
    for code, relations, older in (
        ("Q-PARENT-AGE", q.PARENT_RELATIONS, True),
        ("Q-CHILD-AGE", q.CHILD_RELATIONS, False),
        ("Q-GRANDCHILD-AGE", q.GRANDCHILD_RELATIONS, False),
    ):
        if code not in codes:
            continue
        rel_sql, rel_params = _in(relations)
        first, second = ("hd", "m") if older else ("m", "hd")
        gap = f"{_ymd(first + '.birth_date')} - {_ymd(second + '.birth_date')} < %s"
        out.append(
            (
                code,
                f"m.relation IN {rel_sql} AND {gap}",
                [*rel_params, 10000 * ctx.param(code, "min_gap_years")],
            )
        )
    if "Q-HEAD-MINOR" in codes:
        out.append(
            (
                "Q-HEAD-MINOR",
                "m.relation = %s AND m.birth_date > %s",
                [q.HEAD, younger_than(ctx.param("Q-HEAD-MINOR", "min_age"))],
            )
        )
    if "Q-CHILD-LABOUR" in codes:
        skills, skill_params = _in(q.LABOUR_SKILLS)
        out.append(
            (
                "Q-CHILD-LABOUR",
                f"m.labour_skill IN {skills} AND m.birth_date > %s",
                [*skill_params, younger_than(ctx.param("Q-CHILD-LABOUR", "min_age"))],
            )
        )
    if "Q-PRESCHOOL-OLD" in codes:
        out.append(
            (
                "Q-PRESCHOOL-OLD",
                "(m.school_status = %s OR m.education = %s) AND m.birth_date <= %s",
                [
                    q.PRESCHOOL_STATUS,
                    q.PRESCHOOL_EDUCATION,
                    younger_than(ctx.param("Q-PRESCHOOL-OLD", "min_age")),
                ],
            )
        )
    if "Q-INFANT-SCHOOL" in codes:
        statuses, status_params = _in(q.SCHOOL_OR_ABOVE)
        out.append(
            (
                "Q-INFANT-SCHOOL",
                f"m.school_status IN {statuses} AND m.birth_date > %s",  # age ≤ n ⇔ age < n + 1
                [*status_params, younger_than(ctx.param("Q-INFANT-SCHOOL", "max_age") + 1)],
            )
        )
    if "Q-AGE-EXTREME" in codes:  # age > n ⇔ age ≥ n + 1
        out.append(
            ("Q-AGE-EXTREME", "m.birth_date <= %s", [younger_than(ctx.param("Q-AGE-EXTREME", "max_age") + 1)])
        )
    if "Q-WORK-NO-WAGE" in codes:
        out.append(
            (
                "Q-WORK-NO-WAGE",
                f"i.household_id IS NOT NULL AND {_cents('i', 'wage')} = 0 AND m.work_months >= %s",
                [ctx.param("Q-WORK-NO-WAGE", "min_months")],
            )
        )
    if "Q-DIBAO-ATTR" in codes:
        out.append((DIBAO_NAMES, "h.attribute = %s AND m.dibao = %s", [q.GENERAL, True]))
    if "Q-TEKUN-ATTR" in codes:
        out.append((TEKUN_NAMES, "h.attribute = %s AND m.tekun = %s", [q.GENERAL, True]))
    return out


def _member_rows(ctx: CleanseContext, scope: Scope) -> tuple[list[str], list[tuple]]:
    predicates = _member_predicates(ctx)
    if not predicates:
        return [], []
    flags = "".join(
        f", CASE WHEN {sql} THEN 1 ELSE 0 END AS f{i}" for i, (_, sql, _) in enumerate(predicates)
    )
    any_flag = " OR ".join(f"f{i} = 1" for i in range(len(predicates)))
    sql = (
        "SELECT * FROM (SELECT m.id, m.household_id, h.code, m.name, m.id_number, m.gender, m.birth_date, "
        "m.relation, m.education, m.school_status, m.labour_skill, m.work_months, "
        f"hd.id, hd.name, hd.id_number, hd.gender, hd.birth_date, hd.relation, i.year{flags} "
        "FROM registry_member m JOIN registry_household h ON h.id = m.household_id "
        # the 户主 and the spouse count of each household in ONE pass over the members
        "LEFT JOIN (SELECT m.household_id AS hid, MIN(CASE WHEN m.relation = %s THEN m.id END) AS head_id, "
        "SUM(CASE WHEN m.relation = %s THEN 1 ELSE 0 END) AS spouses FROM registry_member m "
        f"WHERE m.is_active = %s{scope.member_sql} GROUP BY m.household_id) hh "
        "ON hh.hid = m.household_id LEFT JOIN registry_member hd ON hd.id = hh.head_id "
        "LEFT JOIN (SELECT household_id, MAX(year) AS y FROM registry_incomerecord WHERE year <= %s"
        f"{scope.income_sql} GROUP BY household_id) ly ON ly.household_id = m.household_id "
        "LEFT JOIN registry_incomerecord i ON i.household_id = m.household_id AND i.year = ly.y "
        f"WHERE m.is_active = %s AND h.registry_status = %s{scope.household_sql}{scope.member_sql}) x "
        f"WHERE {any_flag}"
    )
    params = [p for _, _, ps in predicates for p in ps]
    params += [q.HEAD, q.SPOUSE, True, *scope.params, ctx.year, *scope.params]
    params += [True, enums.RegistryStatus.ACTIVE, *scope.params, *scope.params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [code for code, _, _ in predicates], cursor.fetchall()


def _member_of(row: tuple, offset: int) -> CleanseMember:
    return CleanseMember(
        id=row[offset],
        name=row[offset + 1],
        id_number=row[offset + 2],
        gender=row[offset + 3],
        birth_date=_birth(row[offset + 4]),
        relation=row[offset + 5],
    )


def _member_findings(
    ctx: CleanseContext, scope: Scope
) -> tuple[list[CleanseRow], dict[str, dict[int, list]]]:
    codes, rows = _member_rows(ctx, scope)
    out: list[CleanseRow] = []
    spouses: dict[int, list[tuple[int, str, str, str]]] = defaultdict(list)
    names: dict[str, dict[int, list]] = {DIBAO_NAMES: defaultdict(list), TEKUN_NAMES: defaultdict(list)}
    ref = ctx.reference
    for row in rows:
        m = CleanseMember(
            id=row[0],
            name=row[3],
            id_number=row[4],
            gender=row[5],
            birth_date=_birth(row[6]),
            relation=row[7],
            education=row[8],
            school_status=row[9],
            labour_skill=row[10],
            work_months=row[11],
        )
        hid, code = row[1], row[2]
        head = _member_of(row, 12) if row[12] is not None else None
        income_year = row[18]
        for flag, rule in zip(row[19:], codes, strict=True):
            if not flag:
                continue
            if rule in names:
                names[rule][hid].append((m.id, m.name))
                continue
            if rule == "Q-SPOUSE-COUNT":
                spouses[hid].append((m.id, m.name, code, m.id_number))
                continue
            text = _member_text(rule, m, head, income_year, ctx, age_on(m.birth_date, ref))
            out.append(CleanseRow(Finding(rule, hid, m.id, text), code, m.id_number, m.name))
    for hid, group in spouses.items():
        group.sort()
        text = q.spouse_count([name for _, name, _, _ in group])
        out.extend(
            CleanseRow(Finding("Q-SPOUSE-COUNT", hid, mid, text), code, number, name)
            for mid, name, code, number in group
        )
    return out, names


def _member_text(
    rule: str, m: CleanseMember, head: CleanseMember | None, income_year: int, ctx: CleanseContext, age: int
) -> str:
    if rule == "Q-SPOUSE-SEX":
        return q.spouse_sex(m)
    if rule == "Q-PARENT-AGE":
        assert head is not None
        return q.older_gap(m, head, ctx.param(rule, "min_gap_years"))
    if rule in ("Q-CHILD-AGE", "Q-GRANDCHILD-AGE"):
        assert head is not None
        return q.younger_gap(m, head, ctx.param(rule, "min_gap_years"))
    if rule == "Q-HEAD-MINOR":
        return q.head_minor(m, age, ctx.param(rule, "min_age"))
    if rule == "Q-CHILD-LABOUR":
        return q.child_labour(m, age, ctx.param(rule, "min_age"))
    if rule == "Q-PRESCHOOL-OLD":
        return q.preschool_old(m, age)
    if rule == "Q-INFANT-SCHOOL":
        return q.infant_school(m, age)
    if rule == "Q-AGE-EXTREME":
        return q.age_extreme(m, age, ctx.param(rule, "max_age"))
    if rule == "Q-WORK-NO-WAGE":
        return q.work_no_wage(m, income_year)
    raise ValueError(rule)


# --- households ---------------------------------------------------------------------------------


def _household_predicates(ctx: CleanseContext) -> list[tuple[str, str, list[Any]]]:
    codes = set(ctx.codes)
    n = "COALESCE(a.n, 0)"
    out: list[tuple[str, str, list[Any]]] = []
    if "Q-INCOME-ZERO" in codes:
        out.append(("Q-INCOME-ZERO", f"i.household_id IS NOT NULL AND {_gross('i')} = 0", []))
    if "Q-INCOME-HIGH" in codes and ctx.line_cents is not None:
        multiple = ctx.param("Q-INCOME-HIGH", "line_multiple")
        out.append(
            (
                "Q-INCOME-HIGH",
                f"i.household_id IS NOT NULL AND {n} > 0 AND {_net('i')} > %s * {n}",
                [multiple * ctx.line_cents],
            )
        )
    if "Q-INCOME-JUMP" in codes:
        out.append(
            (
                "Q-INCOME-JUMP",
                f"cy.household_id IS NOT NULL AND py.household_id IS NOT NULL AND {n} > 0 "
                f"AND {_net('py')} > 0 AND {_net('cy')} > %s * {_net('py')}",
                [ctx.param("Q-INCOME-JUMP", "jump_multiple")],
            )
        )
    for code, special, count in (
        ("Q-DIBAO-ATTR", q.DIBAO_ATTR, "a.dibao"),
        ("Q-TEKUN-ATTR", q.TEKUN_ATTR, "a.tekun"),
    ):
        if code in codes:
            out.append(
                (
                    code,
                    f"(h.attribute = %s AND COALESCE({count}, 0) = 0) OR (h.attribute = %s AND COALESCE({count}, 0) > 0)",
                    [special, q.GENERAL],
                )
            )
    if "Q-EXIT-NO-INCOME" in codes:
        out.append(("Q-EXIT-NO-INCOME", "h.exit_status = %s AND ex.household_id IS NULL", [q.EXITED]))
    if "Q-PLAN-OVERDUE" in codes:
        out.append(
            (
                "Q-PLAN-OVERDUE",
                "h.exit_status IN (%s, %s) AND h.planned_exit_year < %s",
                [*q.OPEN_STATUSES, ctx.year],
            )
        )
    return out


_INCOME_RULES = frozenset(("Q-INCOME-ZERO", "Q-INCOME-HIGH", "Q-INCOME-JUMP"))


def _income_columns(alias: str) -> str:
    return ", ".join(_cents(alias, c) for c in INCOME_COLUMNS)


def _income(row: tuple, offset: int) -> CleanseIncome | None:
    if row[offset] is None:
        return None
    return CleanseIncome(row[offset], *(int(v) for v in row[offset + 1 : offset + 6]))


def _household_findings(
    ctx: CleanseContext, scope: Scope, names: dict[str, dict[int, list]]
) -> list[CleanseRow]:
    predicates = _household_predicates(ctx)
    if not predicates:
        return []
    flags = "".join(
        f", CASE WHEN {sql} THEN 1 ELSE 0 END AS f{i}" for i, (_, sql, _) in enumerate(predicates)
    )
    any_flag = " OR ".join(f"f{i} = 1" for i in range(len(predicates)))
    sql = (
        "SELECT * FROM (SELECT h.id, h.code, h.head_name, h.head_id_number, h.attribute, h.exit_status, "
        f"h.exit_year, h.planned_exit_year, COALESCE(a.n, 0), i.year, {_income_columns('i')}, "
        f"cy.year, {_income_columns('cy')}, py.year, {_income_columns('py')}{flags} "
        "FROM registry_household h "
        "LEFT JOIN (SELECT m.household_id AS hid, COUNT(*) AS n, "
        "SUM(CASE WHEN m.dibao = %s THEN 1 ELSE 0 END) AS dibao, SUM(CASE WHEN m.tekun = %s THEN 1 ELSE 0 END) AS tekun "
        f"FROM registry_member m WHERE m.is_active = %s{scope.member_sql} GROUP BY m.household_id) a ON a.hid = h.id "
        "LEFT JOIN (SELECT household_id, MAX(year) AS y FROM registry_incomerecord WHERE year <= %s"
        f"{scope.income_sql} GROUP BY household_id) ly ON ly.household_id = h.id "
        "LEFT JOIN registry_incomerecord i ON i.household_id = h.id AND i.year = ly.y "
        "LEFT JOIN registry_incomerecord cy ON cy.household_id = h.id AND cy.year = %s "
        "LEFT JOIN registry_incomerecord py ON py.household_id = h.id AND py.year = %s "
        "LEFT JOIN registry_incomerecord ex ON ex.household_id = h.id AND ex.year = h.exit_year "
        f"WHERE h.registry_status = %s{scope.household_sql}) x WHERE {any_flag}"
    )
    params = [p for _, _, ps in predicates for p in ps]
    params += [True, True, True, *scope.params, ctx.year, *scope.params, ctx.year, ctx.year - 1]
    params += [enums.RegistryStatus.ACTIVE, *scope.params]
    codes = [code for code, _, _ in predicates]
    out: list[CleanseRow] = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for row in cursor.fetchall():
            hid, code, head_name, head_number, attribute, status, exit_year, planned, people = row[:9]
            latest = current = previous = None
            for flag, rule in zip(row[27:], codes, strict=True):
                if not flag:
                    continue
                if rule in _INCOME_RULES and latest is None:  # only the income rules' 说明 read them
                    latest, current, previous = _income(row, 9), _income(row, 15), _income(row, 21)
                text = _household_text(
                    rule,
                    ctx,
                    attribute,
                    status,
                    exit_year,
                    planned,
                    people,
                    latest,
                    current,
                    previous,
                    names,
                    hid,
                )
                out.append(CleanseRow(Finding(rule, hid, None, text), code, head_number, head_name))
    return out


def _household_text(
    rule: str,
    ctx: CleanseContext,
    attribute: str,
    status: str,
    exit_year: int | None,
    planned: int | None,
    people: int,
    latest: CleanseIncome | None,
    current: CleanseIncome | None,
    previous: CleanseIncome | None,
    names: dict[str, dict[int, list]],
    hid: int,
) -> str:
    if rule == "Q-INCOME-ZERO":
        assert latest is not None
        return q.income_zero(latest.year)
    if rule == "Q-INCOME-HIGH":
        assert latest is not None and ctx.line_cents is not None
        return q.income_high(latest, people, ctx.line_cents, ctx.param(rule, "line_multiple"), ctx.year)
    if rule == "Q-INCOME-JUMP":
        assert current is not None and previous is not None
        return q.income_jump(current, previous, people, ctx.param(rule, "jump_multiple"))
    if rule in ("Q-DIBAO-ATTR", "Q-TEKUN-ATTR"):
        key, label = (DIBAO_NAMES, "低保") if rule == "Q-DIBAO-ATTR" else (TEKUN_NAMES, "特困供养")
        flagged = [name for _, name in sorted(names[key].get(hid, []))]
        return q.attribute_mismatch(attribute, label, flagged if attribute == q.GENERAL else [])
    if rule == "Q-EXIT-NO-INCOME":
        return q.exit_no_income(exit_year)
    if rule == "Q-PLAN-OVERDUE":
        assert planned is not None
        return q.plan_overdue(status, planned, ctx.year)
    raise ValueError(rule)


# --- Q-DUP-PERSON -------------------------------------------------------------------------------


def _duplicates(ctx: CleanseContext, scope: Scope) -> list[CleanseRow]:
    if DUP not in ctx.codes:
        return []
    people = (
        "SELECT m.id, m.household_id, m.name, m.gender, m.birth_date, m.id_number, h.code "
        "FROM registry_member m JOIN registry_household h ON h.id = m.household_id "
        f"WHERE m.is_active = %s AND h.registry_status = %s{scope.household_sql}{scope.member_sql}"
    )
    scope_params = [True, enums.RegistryStatus.ACTIVE, *scope.params, *scope.params]
    sql = (
        f"WITH p AS ({people}), "
        "g AS (SELECT name, gender, birth_date FROM p GROUP BY name, gender, birth_date "
        "HAVING MIN(household_id) <> MAX(household_id)), "  # more than one household, without a DISTINCT sort
        "c AS (SELECT p.* FROM p JOIN g ON g.name = p.name AND g.gender = p.gender AND g.birth_date = p.birth_date) "
        "SELECT a.id, a.household_id, a.code, a.name, a.id_number, b.code FROM c a JOIN c b "
        "ON b.name = a.name AND b.gender = a.gender AND b.birth_date = a.birth_date "
        "AND b.household_id <> a.household_id AND b.id_number <> a.id_number"
    )
    found: dict[int, tuple[int, str, str, str, set[str]]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, scope_params)
        for mid, hid, code, name, number, other in cursor.fetchall():
            found.setdefault(mid, (hid, code, name, number, set()))[4].add(other)
    return [
        CleanseRow(Finding(DUP, hid, mid, q.duplicate_person(name, sorted(others))), code, number, name)
        for mid, (hid, code, name, number, others) in found.items()
    ]


def cleanse_rows(ctx: CleanseContext, scope: Scope | None = None) -> list[CleanseRow]:
    """Every hit of the run's rules over the registry in scope, sorted by rule, household, member."""
    scope = scope or Scope.everything()
    members, names = _member_findings(ctx, scope)
    rows = members + _household_findings(ctx, scope, names) + _duplicates(ctx, scope)
    rows.sort(
        key=lambda r: (
            r.finding.rule,
            r.finding.household_id,
            r.finding.member_id or 0,
            r.finding.explanation,
        )
    )
    return rows


def cleanse(ctx: CleanseContext, scope: Scope | None = None) -> list[Finding]:
    return [row.finding for row in cleanse_rows(ctx, scope)]
