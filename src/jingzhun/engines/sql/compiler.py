"""Set-based household assessment: the standard's household rules compiled to ONE SQL statement that
writes a verdict per household (SQLite and PostgreSQL). Every condition comes from
`vocabulary.Condition.sql`, the twin of `Condition.holds`; status codes are 0 pass, 1 fail, 2 unknown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import connection
from django.utils import timezone

from jingzhun.regions.models import code_range
from jingzhun.registry import enums
from jingzhun.registry.models import Member
from jingzhun.rules.spec import RuleSpec, StandardSpec
from jingzhun.rules.vocabulary import HOUSEHOLD_FIELDS, MEMBER_FIELDS

VERDICT_TABLE = "standards_householdverdict"
# The household's net income in cents: the components' sum (NULL when one is unknown), else a
# "per-capita only" record's 人均纯收入 × 家庭人口数 (engines.python.household.household_net_cents).
NET_CENTS = (
    "COALESCE(CAST(ROUND((i.wage + i.business + i.property_income + i.transfer - i.business_expense) * 100) "
    "AS BIGINT), CASE WHEN COALESCE(a.n, 0) > 0 THEN CAST(ROUND(i.per_capita_net * 100) AS BIGINT) * a.n END)"
)

# Ends the statuses subquery of `verdict_select` so that the database does not merge it into the outer
# SELECT (SQLite's query flattener, PostgreSQL's subquery pull-up): merged, every reference to a status
# s0 … sN — four each, in passed, failed, missing and 疑似错退 — would evaluate its whole CASE again, and
# the income rule's net-income expression with it, per household. With the fence each status is computed
# once per household and read as a column (tests/standards/test_verdict_plan.py checks the plan).
_FENCE = {"sqlite": " LIMIT -1 OFFSET 0", "postgresql": " OFFSET 0"}


def _date_param(value: date) -> Any:
    # SQLite keeps DateField as ISO text; PostgreSQL compares real dates.
    return value.isoformat() if connection.vendor == "sqlite" else value


def _conjunction(rule: RuleSpec, alias: str, fields: dict, ref: date | None) -> tuple[str, list[Any]]:
    parts, params = [], []
    for cond in rule.conditions:
        sql, p = cond.sql(alias, fields, ref, _date_param)
        parts.append(sql)
        params.extend(p)
    return "(" + " AND ".join(parts) + ")", params


def _nullable(rule: RuleSpec) -> bool:
    """Whether a member rule's conditions read a column that may be NULL (the registry model says)."""
    for cond in rule.conditions:
        fdef = MEMBER_FIELDS[cond.field]
        if Member._meta.get_field(fdef.column or cond.field).null:
            return True
    return False


class Compiled:
    """SQL pieces for one standard and year: member aggregates and one status expression per rule."""

    def __init__(self, spec: StandardSpec, year: int):
        self.spec = spec
        self.year = year
        self.ref = spec.reference_date(year)
        self.rules = spec.level_rules("household")
        self.agg_sql: list[str] = []
        self.agg_params: list[Any] = []
        self.status_sql: list[str] = []
        self.status_params: list[Any] = []
        for index, rule in enumerate(self.rules):
            self._compile(index, rule)

    def _member_counts(
        self, index: int, predicate: str, params: list[Any], *, can_be_unknown: bool = True
    ) -> tuple[str, str]:
        """Members for whom the predicate holds (t) and for whom it is unknown (u, NULL). A predicate
        over NOT NULL columns only is never unknown: its u is the constant 0, and the database does not
        evaluate the predicate twice per member (a tenth of a county run)."""
        t, u = f"t{index}", f"u{index}"
        self.agg_sql.append(f"SUM(CASE WHEN {predicate} THEN 1 ELSE 0 END) AS {t}")
        self.agg_params.extend(params)
        if not can_be_unknown:
            return f"COALESCE(a.{t}, 0)", "0"
        self.agg_sql.append(f"SUM(CASE WHEN ({predicate}) IS NULL THEN 1 ELSE 0 END) AS {u}")
        self.agg_params.extend(params)
        return f"COALESCE(a.{t}, 0)", f"COALESCE(a.{u}, 0)"

    def _compile(self, index: int, rule: RuleSpec) -> None:
        op = rule.operator
        if op == "income_above_line":
            line = self.spec.line(self.year)
            if line is None:
                self.status_sql.append("2")
                return
            self.status_sql.append(
                "CASE WHEN i.household_id IS NULL OR COALESCE(a.n, 0) = 0 OR "
                f"{NET_CENTS} IS NULL THEN 2 WHEN {NET_CENTS} > %s * COALESCE(a.n, 0) THEN 0 ELSE 1 END"
            )
            self.status_params.append(int(line * 100))
        elif op == "household_where":
            joiner = " OR " if rule.params.get("match") == "any" else " AND "
            parts, params = [], []
            for cond in rule.conditions:
                sql, p = cond.sql("h", HOUSEHOLD_FIELDS, None, _date_param)
                parts.append(sql)
                params.extend(p)
            expr = "(" + joiner.join(parts) + ")"
            self.status_sql.append(f"CASE WHEN {expr} THEN 0 WHEN NOT {expr} THEN 1 ELSE 2 END")
            self.status_params.extend(params + params)
        elif op in ("no_member_where", "every_member_where"):
            conj, params = _conjunction(rule, "m", MEMBER_FIELDS, self.ref)
            predicate = conj if op == "no_member_where" else f"(NOT {conj})"
            t, u = self._member_counts(index, predicate, params, can_be_unknown=_nullable(rule))
            self.status_sql.append(f"CASE WHEN {t} > 0 THEN 1 WHEN {u} > 0 THEN 2 ELSE 0 END")
        elif op == "member_count_where":
            conj, params = _conjunction(rule, "m", MEMBER_FIELDS, self.ref)
            t, u = self._member_counts(index, conj, params, can_be_unknown=_nullable(rule))
            n = int(rule.params["n"])
            if rule.params.get("cmp", "gte") == "gte":
                self.status_sql.append(f"CASE WHEN {t} >= %s THEN 0 WHEN {t} + {u} < %s THEN 1 ELSE 2 END")
            else:
                self.status_sql.append(f"CASE WHEN {t} + {u} <= %s THEN 0 WHEN {t} > %s THEN 1 ELSE 2 END")
            self.status_params.extend([n, n])
        else:
            raise ValueError(f"unknown household operator {op}")

    def select(self, scope: Scope) -> tuple[str, list[Any]]:
        """SELECT hid, village_code, exit_status, planned_exit_year, people, net, s0 … sN for the
        households in `scope`."""
        agg_cols = "".join(", " + c for c in self.agg_sql)
        statuses = "".join(f", {s} AS s{i}" for i, s in enumerate(self.status_sql))
        sql = (
            f"SELECT h.id AS hid, h.village_id AS village_code, h.exit_status AS exit_status, "
            f"h.planned_exit_year AS planned_exit_year, COALESCE(a.n, 0) AS people, "
            f"CASE WHEN i.household_id IS NULL THEN NULL ELSE {NET_CENTS} END AS net{statuses} "
            f"FROM registry_household h "
            f"LEFT JOIN (SELECT m.household_id AS hid, COUNT(*) AS n{agg_cols} FROM registry_member m "
            f"WHERE m.is_active = %s{scope.member_sql} GROUP BY m.household_id) a ON a.hid = h.id "
            f"LEFT JOIN (SELECT household_id, MAX(year) AS y FROM registry_incomerecord WHERE year <= %s"
            f"{scope.income_sql} GROUP BY household_id) ly ON ly.household_id = h.id "
            f"LEFT JOIN registry_incomerecord i ON i.household_id = h.id AND i.year = ly.y "
            f"WHERE h.registry_status = %s{scope.household_sql}"
        )
        # Placeholders in text order: the status expressions (select list) come before FROM.
        params = [
            *self.status_params,
            *self.agg_params,
            True,
            *scope.params,
            self.year,
            *scope.params,
            enums.RegistryStatus.ACTIVE,
            *scope.params,
        ]
        return sql, params

    def verdict_select(self, scope: Scope, *, assessed_at: datetime) -> tuple[str, list[Any]]:
        inner, params = self.select(scope)
        n = len(self.status_sql)
        passed = " AND ".join(f"s{i} = 0" for i in range(n)) or "1 = 1"
        failed = " || ".join(f"(CASE WHEN s{i} = 1 THEN %s ELSE '' END)" for i in range(n)) or "''"
        missing = " || ".join(f"(CASE WHEN s{i} = 2 THEN %s ELSE '' END)" for i in range(n)) or "''"
        codes = [r.code + ";" for r in self.rules]
        stamp = connection.ops.adapt_datetimefield_value(assessed_at)
        sql = (
            f"SELECT hid, %s, %s, village_code, exit_status, planned_exit_year, people, net, "
            f"({passed}), RTRIM({failed}, ';'), RTRIM({missing}, ';'), "
            f"(exit_status = %s AND NOT ({passed})), %s FROM ({inner}{_FENCE[connection.vendor]}) v"
        )
        return sql, [self.year, self.spec.id, *codes, *codes, enums.ExitStatus.EXITED, stamp, *params]


@dataclass(frozen=True)
class Scope:
    """Which households: SQL fragments for the household, member and income subqueries (each starts
    with " AND "), sharing one parameter list, plus the verdict rows a re-run replaces."""

    household_sql: str = ""
    member_sql: str = ""
    income_sql: str = ""
    verdict_sql: str = ""
    params: tuple[Any, ...] = ()

    @classmethod
    def everything(cls) -> Scope:
        return cls()

    @classmethod
    def household(cls, household_id: int) -> Scope:
        return cls(
            " AND h.id = %s",
            " AND m.household_id = %s",
            " AND household_id = %s",
            " AND household_id = %s",
            (household_id,),
        )

    @classmethod
    def id_range(cls, low: int, high: int) -> Scope:
        """Households with low ≤ id < high: index ranges on every table (the county run's chunks)."""
        return cls(
            " AND h.id >= %s AND h.id < %s",
            " AND m.household_id >= %s AND m.household_id < %s",
            " AND household_id >= %s AND household_id < %s",
            " AND household_id >= %s AND household_id < %s",
            (low, high),
        )

    @classmethod
    def villages(cls, codes: Sequence[str]) -> Scope:
        """The households of the villages `codes` (12-digit codes, as `region` of each): several villages
        in one statement, so the rule query reads the members once for all of them."""
        marks = ", ".join(["%s"] * len(codes))
        sub = f"SELECT id FROM registry_household WHERE village_id IN ({marks})"
        return cls(
            f" AND h.village_id IN ({marks})",
            f" AND m.household_id IN ({sub})",
            f" AND household_id IN ({sub})",
            f" AND village_code IN ({marks})",
            tuple(codes),
        )

    @classmethod
    def region(cls, prefix: str) -> Scope:
        low, high = code_range(prefix)
        sub = "SELECT id FROM registry_household WHERE village_id >= %s AND village_id < %s"
        return cls(
            " AND h.village_id >= %s AND h.village_id < %s",
            f" AND m.household_id IN ({sub})",
            f" AND household_id IN ({sub})",
            " AND village_code >= %s AND village_code < %s",
            (low, high),
        )


VERDICT_COLUMNS = (
    "household_id",
    "year",
    "standard_id",
    "village_code",
    "exit_status",
    "planned_exit_year",
    "people",
    "net_income_cents",
    "passed",
    "failed",
    "missing",
    "suspected_wrong_exit",
    "assessed_at",
)


def store_verdicts(*, spec: StandardSpec, year: int, scope: Scope) -> int:
    """Bring the stored verdicts of (year, standard) in `scope` up to date: an UPSERT of every household
    on the register (a re-run rewrites rows in place instead of deleting and re-indexing a million of
    them), then removal of the scope's rows this run did not write (households that left the register)."""
    stamp = timezone.now()
    select_sql, params = Compiled(spec, year).verdict_select(scope, assessed_at=stamp)
    columns = ", ".join(VERDICT_COLUMNS)
    updates = ", ".join(f"{c} = excluded.{c}" for c in VERDICT_COLUMNS[3:])
    with connection.cursor() as cursor:
        # "WHERE 1 = 1": SQLite needs it to tell the SELECT's end from the ON CONFLICT clause.
        cursor.execute(
            f"INSERT INTO {VERDICT_TABLE} ({columns}) {select_sql} WHERE 1 = 1 "
            f"ON CONFLICT (year, standard_id, household_id) DO UPDATE SET {updates}",
            params,
        )
        written = cursor.rowcount
        cursor.execute(
            f"DELETE FROM {VERDICT_TABLE} WHERE year = %s AND standard_id = %s{scope.verdict_sql} AND assessed_at < %s",
            [year, spec.id, *scope.params, connection.ops.adapt_datetimefield_value(stamp)],
        )
        return written


def compute_statuses(*, spec: StandardSpec, year: int, scope: Scope) -> dict[int, dict[str, Any]]:
    """Per household: people, net cents and {rule code: 0/1/2}, as the SQL engine decides (no write)."""
    compiled = Compiled(spec, year)
    sql, params = compiled.select(scope)
    out: dict[int, dict[str, Any]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for row in cursor.fetchall():
            out[row[0]] = {
                "village_code": row[1],
                "exit_status": row[2],
                "planned_exit_year": row[3],
                "people": row[4],
                "net": row[5],
                "statuses": {r.code: int(s) for r, s in zip(compiled.rules, row[6:], strict=True)},
            }
    return out
