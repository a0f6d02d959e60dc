"""Departmental cross-checks set-based in SQL (SQLite and PostgreSQL): the county's members in scope
and the matches of every record are built once as temporary tables, then each X-* rule is one query
that picks, per member (or household), the record behind the hit with ROW_NUMBER() in the same order
as the Python engine (匹配方式, then file order). The 说明 are written by the Python engine's `explain`
from the rows the queries return, so both engines say the same (tests/verification/test_parity.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection, transaction

from jingzhun.regions.models import code_range
from jingzhun.registry.enums import Health, RegistryStatus, SchoolStatus
from jingzhun.rules.checks import CROSSCHECK
from jingzhun.rules.datasets import KIND_ID, KIND_OLD
from jingzhun.rules.hits import Hit

MEMBERS, MATCHES = "xc_member", "xc_match"
RECORDS = "verification_datasetrecord"
RANK_ID, RANK_OLD, RANK_NEAR = 0, 1, 2
NEAR_MAX_DIFFERENCES = 2
NEAR_WORK_MEM = "256MB"  # PostgreSQL, the near matches only: the two hashes of a million members in memory


@dataclass(frozen=True)
class RawHit:
    """What a rule query returns: the hit, its record (None for a "while not listed" hit), and the
    facts the 说明 names."""

    rule: str
    member_id: int
    record_id: int | None
    rank: int | None
    facts: tuple[tuple[str, Any], ...] = ()


def _p(value: date) -> Any:
    return value.isoformat() if connection.vendor == "sqlite" else value


def _differences(a: str, b: str) -> str:
    return " + ".join(
        f"CASE WHEN substr({a}, {i}, 1) <> substr({b}, {i}, 1) THEN 1 ELSE 0 END" for i in range(1, 19)
    )


def _in(values: list[str]) -> tuple[str, list[str]]:
    if not values:
        return "(NULL)", []
    return "(" + ", ".join(["%s"] * len(values)) + ")", list(values)


def build_tables(cursor: Any, county: str, region: str | None, dataset_ids: list[int]) -> None:
    """xc_member: the county's members in scope (in_region = 1 for the region asked for);
    xc_match: (record, member, rank) for every record that matches, in the spec's order.

    Both halves of xc_match are driven by the members (a million) and reach the records (ten million)
    through an index, never by scanning them: exact and old IDs by dsrec_id18_idx; near matches are
    blocked on (姓名, 出生日期) by dsrec_near_idx — only records sharing a member's name and birth date
    are compared position by position, never a cross product. CROSS JOIN fixes that order on SQLite
    (its planner would otherwise scan the records with a subquery per row). PostgreSQL plans the exact
    half freely (a merge join along xc_member_id_idx and dsrec_id18_idx) and is told how to do the near
    half: one scan of the records, hash-joined to the members (see below)."""
    cursor.execute(f"DROP TABLE IF EXISTS {MATCHES}")
    cursor.execute(f"DROP TABLE IF EXISTS {MEMBERS}")
    lo, hi = code_range(county)
    rlo, rhi = code_range(region or county)
    cursor.execute(
        f"CREATE TEMPORARY TABLE {MEMBERS} AS "
        "SELECT m.id AS id, m.household_id AS household_id, m.resident_id AS resident_id, m.name AS name, "
        "m.gender AS gender, m.birth_date AS birth_date, m.health AS health, m.school_status AS school_status, "
        "m.medical_insurance AS medical_insurance, m.dibao AS dibao, m.tekun AS tekun, "
        "h.housing_safety AS housing_safety, h.village_id AS village_id, "
        "CASE WHEN h.village_id >= %s AND h.village_id < %s THEN 1 ELSE 0 END AS in_region "
        "FROM registry_member m JOIN registry_household h ON h.id = m.household_id "
        "WHERE m.is_active = %s AND h.registry_status = %s AND h.village_id >= %s AND h.village_id < %s",
        [rlo, rhi, True, RegistryStatus.ACTIVE.value, lo, hi],
    )
    sqlite = connection.vendor == "sqlite"
    # SQLite: both halves below walk the members along an index that covers what they read, in the
    # order of the records' index they probe (the ID; 姓名, 出生日期, 性别), so consecutive probes land
    # on the same or the next pages of that index — at ten million records it is far larger than
    # SQLite's page cache, and members in table order probe it at random. PostgreSQL hashes the
    # members for the near matches (below) and never reads a near index — building it cost 3.4 s at a
    # million members.
    covered = ", id, household_id" if sqlite else ""
    cursor.execute(f"CREATE INDEX xc_member_id_idx ON {MEMBERS} (resident_id{covered})")
    if sqlite:
        cursor.execute(
            f"CREATE INDEX xc_member_near_idx ON {MEMBERS} (name, birth_date, gender, resident_id{covered})"
        )
    cursor.execute(f"CREATE UNIQUE INDEX xc_member_pk ON {MEMBERS} (id)")
    # A temporary table has no statistics until analysed: PostgreSQL plans blind; SQLite guesses a
    # million rows and, with fewer records than ~a million, builds a Bloom filter of the records for
    # each half — a scan of the whole records table each (at 1,000,000 records: 0.9 → 0.3 s and
    # 1.25 → 0.7 s for the two halves)
    cursor.execute(f"ANALYZE {MEMBERS}")
    ids, id_texts = _in([str(i) for i in dataset_ids])
    ids_params = [int(i) for i in id_texts]
    # Two statements, so each half gets its own plan: the exact and old IDs (one equi-join on the ID),
    # then the near matches among the records whose ID names no member (the anti-join first).
    # SQLite: `+r.id_kind` keeps the kind out of the index search, so each member is one probe of
    # dsrec_id18_idx on its ID (its few entries then filtered by kind), not one probe per kind.
    kind_column = "+r.id_kind" if sqlite else "r.id_kind"
    exact_from = (
        f"{MEMBERS} m INDEXED BY xc_member_id_idx CROSS JOIN {RECORDS} r ON m.resident_id = r.id18"
        if sqlite
        else f"{RECORDS} r JOIN {MEMBERS} m ON m.resident_id = r.id18"
    )
    cursor.execute(
        f"CREATE TEMPORARY TABLE {MATCHES} AS "
        f"SELECT r.id AS record_id, r.dataset_id AS dataset_id, m.id AS member_id, "
        f"m.household_id AS household_id, CASE WHEN r.id_kind = %s THEN {RANK_OLD} ELSE {RANK_ID} END AS rank "
        f"FROM {exact_from} "
        f"WHERE r.dataset_id IN {ids} AND {kind_column} IN (%s, %s)",
        [KIND_OLD, *ids_params, KIND_ID, KIND_OLD],
    )
    pairs = (
        "WHERE r.name = m.name AND r.birth_date = m.birth_date AND r.gender = m.gender "
        f"AND r.dataset_id IN {ids} AND r.id_kind = %s "
        # cheapest test first: the member's own records (same ID) are most of the candidates
        "AND r.id18 <> m.resident_id "
        f"AND ({_differences('m.resident_id', 'r.id18')}) <= {NEAR_MAX_DIFFERENCES} "
    )
    near = (
        f"INSERT INTO {MATCHES} (record_id, dataset_id, member_id, household_id, rank) "
        f"SELECT r.id, MIN(r.dataset_id), MIN(m.id), MIN(m.household_id), {RANK_NEAR} "
        # SQLite: members first (along xc_member_near_idx), records by dsrec_near_idx
        f"FROM {MEMBERS} m{' INDEXED BY xc_member_near_idx' if sqlite else ''} CROSS JOIN {RECORDS} r "
        f"{pairs}AND NOT EXISTS (SELECT 1 FROM {MEMBERS} x WHERE x.resident_id = r.id18) "
        "GROUP BY r.id HAVING COUNT(*) = 1"
    )
    if connection.vendor == "postgresql":
        # the pairs first (OFFSET 0 keeps the subquery apart), then the anti-join over those few
        # thousand: PostgreSQL would otherwise often probe the IDs' hash with every record not naming a
        # member (8.4 million at ten million records) before the names' hash
        near = (
            f"INSERT INTO {MATCHES} (record_id, dataset_id, member_id, household_id, rank) "
            f"SELECT c.id, MIN(c.dataset_id), MIN(c.member_id), MIN(c.household_id), {RANK_NEAR} FROM ("
            "SELECT r.id AS id, r.dataset_id AS dataset_id, r.id18 AS id18, m.id AS member_id, "
            f"m.household_id AS household_id FROM {MEMBERS} m JOIN {RECORDS} r ON TRUE {pairs}OFFSET 0) c "
            f"WHERE NOT EXISTS (SELECT 1 FROM {MEMBERS} x WHERE x.resident_id = c.id18) "
            "GROUP BY c.id HAVING COUNT(*) = 1"
        )
    near_params = [*ids_params, KIND_ID]
    if connection.vendor == "postgresql":
        with transaction.atomic(using=connection.alias):
            # PostgreSQL: two hash joins over one scan of the records (the members hashed on 姓名 + 出生日期
            # + 性别 and on the ID, in memory). Left alone at ten million records it walks dsrec_near_idx
            # (a merge join: a heap fetch per record, 47 s) or probes xc_member_near_idx once per record
            # (8.4 million probes, 34 s); this way 15 s. Only for this statement: SET LOCAL ends with the
            # transaction, and inside a caller's transaction the previous values are put back.
            cursor.execute(
                "SELECT current_setting('enable_mergejoin'), current_setting('enable_nestloop'), "
                "current_setting('work_mem')"
            )
            previous = cursor.fetchone()
            cursor.execute("SET LOCAL enable_mergejoin = off")
            cursor.execute("SET LOCAL enable_nestloop = off")
            cursor.execute(f"SET LOCAL work_mem = '{NEAR_WORK_MEM}'")
            cursor.execute(near, near_params)
            cursor.execute(
                "SELECT set_config('enable_mergejoin', %s, true), set_config('enable_nestloop', %s, true), "
                "set_config('work_mem', %s, true)",
                list(previous),
            )
    else:
        cursor.execute(near, near_params)
    cursor.execute(f"CREATE INDEX xc_match_member_idx ON {MATCHES} (dataset_id, member_id)")
    if connection.vendor == "postgresql":
        cursor.execute(f"ANALYZE {MATCHES}")


def _records(join: str, needed: bool) -> str:
    """The join of a match x to its record r, when the query reads the record's columns: every row of
    xc_match names a record of this run, so a query that reads only x and m leaves it out (at ten million
    records it read a whole partition for nothing)."""
    if not needed:
        return ""
    return f"{join} {RECORDS} r ON r.id = x.record_id AND r.dataset_id = x.dataset_id "


def _first(rule: str, dataset_id: int, condition: str | None, params: list[Any]) -> tuple[str, list[Any]]:
    """The best matching record per member in the region for which `condition` (over r, m) holds — any
    matching record when it is None (the query then never reads the records)."""
    records = _records("JOIN", condition is not None)
    sql = (
        f"SELECT %s, member_id, record_id, rank FROM ("
        f"SELECT x.member_id, x.record_id, x.rank, ROW_NUMBER() OVER "
        f"(PARTITION BY x.member_id ORDER BY x.rank, x.record_id) AS n "
        f"FROM {MATCHES} x {records}JOIN {MEMBERS} m ON m.id = x.member_id "
        f"WHERE x.dataset_id = %s AND m.in_region = 1 AND ({condition or '1 = 1'})) t WHERE n = 1"
    )
    return sql, [rule, dataset_id, *params]


def rule_queries(
    datasets: dict[str, int], year: int, params: dict[str, dict[str, Any]]
) -> list[tuple[str, str, list[Any]]]:
    """(rule, query, params) per X-* rule whose dataset was imported; each row of a query: rule, member,
    record, rank[, facts (FACTS)]."""
    ref = _p(date(year, 12, 31))
    out: list[tuple[str, str, list[Any]]] = []
    ds = datasets.get
    if (d := ds("死亡人口")) is not None:
        out.append(("X-DEATH", *_first("X-DEATH", d, "r.date1 <= %s", [ref])))
    if (d := ds("户籍迁出")) is not None:
        out.append(("X-MOVED", *_first("X-MOVED", d, "r.date1 <= %s", [ref])))
    if (d := ds("车辆登记")) is not None:
        exempt, ep = _in(sorted({t.strip() for t in params["X-VEHICLE"].get("exempt_vehicle_types", [])}))
        out.append(("X-VEHICLE", *_first("X-VEHICLE", d, f"r.kind NOT IN {exempt}" if ep else None, ep)))
    if (d := ds("商品房")) is not None:
        out.append(("X-HOUSE", *_first("X-HOUSE", d, None, [])))
    if (d := ds("工商注册")) is not None:
        b = params["X-BUSINESS"]
        roles, rp = _in(list(b["roles"]))
        states, sp = _in(list(b["active_states"]))
        out.append(
            (
                "X-BUSINESS",
                *_first(
                    "X-BUSINESS",
                    d,
                    f"r.kind IN {roles} AND r.status IN {states} AND r.amount >= %s",
                    [*rp, *sp, Decimal(str(b["min_capital_wan"]))],
                ),
            )
        )
    if (d := ds("财政供养")) is not None:
        out.append(("X-PAYROLL", *_first("X-PAYROLL", d, None, [])))
    if (d := ds("低保特困")) is not None:
        out.append(("X-DIBAO", *_dibao(d, ref)))
    if (d := ds("残疾人")) is not None:
        out.append(("X-DISABILITY", *_disability(d)))
    if (d := ds("学籍")) is not None:
        out.append(
            (
                "X-SCHOOL",
                *_first(
                    "X-SCHOOL",
                    d,
                    "(r.status = %s AND m.school_status = %s) OR (r.status = %s AND m.school_status <> %s)",
                    ["在读", SchoolStatus.NOT_IN_SCHOOL.value, "辍学", SchoolStatus.NOT_IN_SCHOOL.value],
                ),
            )
        )
    if (d := ds("医保参保")) is not None:
        out.append(("X-INSURANCE", *_insurance(d, year)))
    if (d := ds("危房鉴定")) is not None:
        out.append(("X-HOUSING", *_housing(d, ref)))
    return out


def _listed_or_not(
    rule: str,
    dataset_id: int,
    facts: list[tuple[str, str]],
    facts_params: list[Any],
    hit: str,
    priority: str,
    priority_params: list[Any],
    *,
    record_columns: bool = True,
) -> tuple[str, list[Any]]:
    """Rules with a "while not listed" direction: every member in the region with facts over its
    records (`facts`: name → aggregate over x/r), `hit` over m and f, and the record shown: the best
    by `priority` (0 first), then 匹配方式 and file order — or none when the member has no record."""
    fact_sql = ", ".join(f"{expr} AS {name}" for name, expr in facts)
    names = ", ".join(f"h.{name}" for name, _ in facts)
    # `record_columns`: whether the facts and the priority read the record (r) or only the match (x)
    sql = (
        f"WITH f AS (SELECT m.id AS member_id, {fact_sql} FROM {MEMBERS} m "
        f"LEFT JOIN {MATCHES} x ON x.member_id = m.id AND x.dataset_id = %s "
        f"{_records('LEFT JOIN', record_columns)}WHERE m.in_region = 1 GROUP BY m.id), "
        f"h AS (SELECT f.* FROM f JOIN {MEMBERS} m ON m.id = f.member_id WHERE {hit}), "
        f"b AS (SELECT x.member_id, x.record_id, x.rank, ROW_NUMBER() OVER (PARTITION BY x.member_id "
        f"ORDER BY {priority}, x.rank, x.record_id) AS n FROM h JOIN {MATCHES} x ON x.member_id = h.member_id "
        f"AND x.dataset_id = %s {_records('JOIN', record_columns)}JOIN {MEMBERS} m ON m.id = x.member_id) "
        f"SELECT %s, h.member_id, b.record_id, b.rank, {names} FROM h "
        "LEFT JOIN b ON b.member_id = h.member_id AND b.n = 1"
    )
    # placeholders in textual order: the facts (before FROM), f's dataset, the priority, b's dataset, rule
    return sql, [*facts_params, dataset_id, *priority_params, dataset_id, rule]


def _dibao(d: int, ref: Any) -> tuple[str, list[Any]]:
    covers = "r.date1 <= %s AND (r.date2 IS NULL OR r.date2 >= %s)"
    facts = [
        ("covered_dibao", f"MAX(CASE WHEN r.kind = %s AND {covers} THEN 1 ELSE 0 END)"),
        ("covered_tekun", f"MAX(CASE WHEN r.kind = %s AND {covers} THEN 1 ELSE 0 END)"),
    ]
    hit = (
        "(m.dibao IS TRUE AND f.covered_dibao = 0) OR (m.dibao IS NOT TRUE AND f.covered_dibao = 1) OR "
        "(m.tekun IS TRUE AND f.covered_tekun = 0) OR (m.tekun IS NOT TRUE AND f.covered_tekun = 1)"
    )
    priority = (
        f"CASE WHEN {covers} AND ((r.kind = %s AND m.dibao IS NOT TRUE) OR (r.kind = %s AND m.tekun IS NOT TRUE)) "
        "THEN 0 ELSE 1 END"
    )
    return _listed_or_not(
        "X-DIBAO", d, facts, ["低保", ref, ref, "特困", ref, ref], hit, priority, [ref, ref, "低保", "特困"]
    )


def _disability(d: int) -> tuple[str, list[Any]]:
    facts = [("listed", "COUNT(x.record_id)")]
    hit = "(f.listed > 0 AND m.health <> %s) OR (f.listed = 0 AND m.health = %s)"
    sql, params = _listed_or_not("X-DISABILITY", d, facts, [], hit, "0", [], record_columns=False)
    # the hit's two placeholders come right after f's dataset
    return sql, [d, Health.DISABLED.value, Health.DISABLED.value, *params[1:]]


def _insurance(d: int, year: int) -> tuple[str, list[Any]]:
    insured = "(r.year = %s AND r.status = %s)"
    facts = [("insured", f"MAX(CASE WHEN {insured} THEN 1 ELSE 0 END)")]
    hit = (
        "(m.medical_insurance IS TRUE AND f.insured = 0) OR (m.medical_insurance IS FALSE AND f.insured = 1)"
    )
    priority = f"CASE WHEN {insured} THEN 0 ELSE 1 END"
    return _listed_or_not("X-INSURANCE", d, facts, [year, "参保"], hit, priority, [year, "参保"])


def _housing(d: int, ref: Any) -> tuple[str, list[Any]]:
    """Per household: the latest rating (greatest 鉴定日期 ≤ reference date) among its members' rows,
    when it differs from the household's 住房安全等级; the hit names the owner of that rating."""
    sql = (
        "SELECT %s, member_id, record_id, rank FROM ("
        "SELECT x.member_id, x.record_id, x.rank, r.kind, m.housing_safety, ROW_NUMBER() OVER "
        "(PARTITION BY x.household_id ORDER BY r.date1 DESC, x.rank, x.record_id) AS n "
        f"FROM {MATCHES} x JOIN {RECORDS} r ON r.id = x.record_id AND r.dataset_id = x.dataset_id JOIN {MEMBERS} m ON m.id = x.member_id "
        "WHERE x.dataset_id = %s AND m.in_region = 1 AND r.date1 <= %s) t "
        "WHERE n = 1 AND kind <> housing_safety"
    )
    return sql, ["X-HOUSING", d, ref]


HITS, ORDERED = "xc_hit", "xc_hit_n"
RULE_DATASET = {r.code: r.dataset for r in CROSSCHECK}  # X-* rule → the dataset it reads
# The facts a rule's query returns after (rule, member, record, rank), named as the 说明 reads them.
FACTS = {
    "X-DIBAO": ("covered_dibao", "covered_tekun"),
    "X-DISABILITY": ("listed",),
    "X-INSURANCE": ("insured",),
}
BATCH = 5000
# The member (and its household's 住房安全等级) and the record of each hit, as the Python engine reads them.
PERSON_SQL = (
    "m.id, m.household_id, hh.code, m.resident_id, m.id_number, m.name, m.gender, m.birth_date, m.health, "
    "m.school_status, m.medical_insurance, m.dibao, m.tekun, hh.housing_safety"
)
RECORD_SQL = (
    "r.id, r.dataset_id, r.id18, r.id_kind, r.name, r.birth_date, r.gender, r.date1, r.date2, r.kind, "
    "r.status, r.amount, r.year, r.key, r.data"
)
PERSON_WIDTH = PERSON_SQL.count(",") + 1


def _collect_hits(
    cursor: Any, datasets: dict[str, int], year: int, params: dict[str, dict[str, Any]]
) -> None:
    """Every rule's hits into xc_hit (one INSERT … SELECT per rule), then numbered in the order of the
    command's CSV (规则代码, 户编号, 证件号码) into xc_hit_n, so the hits can be read back in keyset
    batches and written as they come."""
    cursor.execute(f"DROP TABLE IF EXISTS {ORDERED}")
    cursor.execute(f"DROP TABLE IF EXISTS {HITS}")
    cursor.execute(
        f"CREATE TEMPORARY TABLE {HITS} (ordinal INTEGER NOT NULL, rule VARCHAR(20) NOT NULL, member_id BIGINT NOT NULL, "
        "record_id BIGINT, dataset_id BIGINT NOT NULL, rank INTEGER, f1 INTEGER, f2 INTEGER)"
    )
    queries = rule_queries(datasets, year, params)
    ordinal = {rule: n for n, rule in enumerate(sorted(rule for rule, _, _ in queries))}  # as Python sorts
    for rule, sql, sql_params in queries:
        facts = "".join(f", f{i + 1}" for i in range(len(FACTS.get(rule, ()))))
        # each rule reads one dataset: its id kept with the hit, so reading the record back is one
        # partition's primary key on PostgreSQL (id, dataset_id), not eleven
        cursor.execute(
            f"INSERT INTO {HITS} (ordinal, dataset_id, rule, member_id, record_id, rank{facts}) "
            f"SELECT %s, %s, t.* FROM ({sql}) t",
            [ordinal[rule], datasets[RULE_DATASET[rule]], *sql_params],
        )
    binary = ' COLLATE "C"' if connection.vendor == "postgresql" else ""  # as Python compares text
    cursor.execute(
        f"CREATE TEMPORARY TABLE {ORDERED} AS SELECT ROW_NUMBER() OVER (ORDER BY h.ordinal, "
        f"hh.code{binary}, m.id_number{binary}, h.member_id) AS n, h.rule AS rule, h.member_id AS member_id, "
        "h.record_id AS record_id, h.dataset_id AS dataset_id, h.rank AS rank, h.f1 AS f1, h.f2 AS f2 "
        f"FROM {HITS} h JOIN registry_member m ON m.id = h.member_id "
        "JOIN registry_household hh ON hh.id = m.household_id"
    )
    cursor.execute(f"CREATE UNIQUE INDEX xc_hit_n_idx ON {ORDERED} (n)")
    cursor.execute(f"DROP TABLE {HITS}")


# PostgreSQL, for the engine's statements only (put back when the hits have been read): no JIT — at ten
# million records every statement's cost is past jit_optimize_above_cost, and compiling each one with
# inlining and optimisation cost more than it saved (seconds per statement; the engine's statements are
# hash joins and aggregates, not expression-heavy scans); and the grouped "while not listed" rules'
# hash aggregates over a million members in memory instead of spilling in batches to temporary files.
SESSION_SETTINGS = {"jit": "off", "work_mem": "64MB"}


def _apply_settings(cursor: Any, settings: dict[str, Any]) -> dict[str, Any]:
    """Set `settings` on this connection (PostgreSQL: `set_config`, for the session; SQLite: PRAGMAs) and
    return what they were, for `_restore_settings`."""
    previous: dict[str, Any] = {}
    for name, value in settings.items():
        if connection.vendor == "postgresql":
            cursor.execute("SELECT current_setting(%s), set_config(%s, %s, false)", [name, name, value])
            previous[name] = cursor.fetchone()[0]
        else:
            cursor.execute(f"PRAGMA {name}")
            previous[name] = int(cursor.fetchone()[0])
            cursor.execute(f"PRAGMA {name} = {int(value)}")
    return previous


def _restore_settings(cursor: Any, previous: dict[str, Any]) -> None:
    for name, value in previous.items():
        if connection.vendor == "postgresql":
            cursor.execute("SELECT set_config(%s, %s, false)", [name, value])
        else:
            cursor.execute(f"PRAGMA {name} = {int(value)}")


def raw_hits(
    county: str,
    region: str | None,
    datasets: dict[str, int],
    year: int,
    params: dict[str, dict[str, Any]],
    unmatched: dict[str, tuple[int, int]] | None = None,
    *,
    batch: int | None = None,
    by_village: dict[str, int] | None = None,
) -> Iterator[list[tuple[RawHit, tuple[Any, ...], tuple[Any, ...] | None]]]:
    """Every X-* hit of the county (or the region), in batches of `batch` in the order (rule, 户编号,
    证件号码): (the hit, its member's row (PERSON_SQL), its record's row (RECORD_SQL) or None). The hits
    are kept in a temporary table and read back in keyset batches, so memory does not grow with them.
    `unmatched` and `by_village` (village code → records matched there) are filled before the first hit."""
    if not datasets:
        return
    batch = batch or BATCH
    with connection.cursor() as cursor:
        postgres = connection.vendor == "postgresql"
        # PostgreSQL's until the hits have been read; SQLite's until they are computed (the clue store
        # then writes between the batches with the connection's own settings)
        postgres_previous = _apply_settings(cursor, SESSION_SETTINGS) if postgres else {}
        sqlite_previous = _apply_settings(cursor, SQLITE_SETTINGS) if not postgres else {}
        try:
            build_tables(cursor, county, region, list(datasets.values()))
            _collect_hits(cursor, datasets, year, params)
            if unmatched is not None:  # the summary's "matched nobody", from the same match table
                unmatched.update(_count_unmatched(cursor, datasets))
            if by_village is not None:
                by_village.update(_count_by_village(cursor))
            cursor.execute(f"DROP TABLE IF EXISTS {MATCHES}")
            cursor.execute(f"DROP TABLE IF EXISTS {MEMBERS}")
            cursor.execute(f"SELECT COUNT(*) FROM {ORDERED}")
            total = cursor.fetchone()[0]
            _restore_settings(cursor, sqlite_previous)
            sqlite_previous = {}
            sql = (
                f"SELECT h.rule, h.member_id, h.record_id, h.rank, h.f1, h.f2, {PERSON_SQL}, {RECORD_SQL} "
                f"FROM {ORDERED} h JOIN registry_member m ON m.id = h.member_id "
                "JOIN registry_household hh ON hh.id = m.household_id "
                f"LEFT JOIN {RECORDS} r ON r.id = h.record_id AND r.dataset_id = h.dataset_id "
                "WHERE h.n > %s AND h.n <= %s ORDER BY h.n"
            )
            for start in range(0, total, batch):
                cursor.execute(sql, [start, start + batch])
                out = []
                for row in cursor.fetchall():
                    rule = row[0]
                    names = FACTS.get(rule, ())
                    facts = tuple(zip(names, (bool(v) for v in row[4 : 4 + len(names)]), strict=True))
                    person = row[6 : 6 + PERSON_WIDTH]
                    record = row[6 + PERSON_WIDTH :] if row[2] is not None else None
                    out.append((RawHit(rule, row[1], row[2], row[3], facts), person, record))
                yield out
        finally:
            for table in (ORDERED, HITS, MATCHES, MEMBERS):
                cursor.execute(f"DROP TABLE IF EXISTS {table}")
            _restore_settings(cursor, postgres_previous)
            _restore_settings(cursor, sqlite_previous)


# SQLite, while the hits are computed (put back before the first batch is handed over)
SQLITE_SETTINGS = {
    # the records' two match indexes and the rows the rules read are far larger than the connection's
    # 64 MB page cache at ten million records
    "cache_size": -256 * 1024,
    # the sorts (GROUP BY, the rules' ROW_NUMBER, the indexes of the temporary tables) on SQLite's
    # worker threads, one per core (at most 4)
    "threads": min(os.cpu_count() or 1, 4),
}


__all__ = ["RawHit", "raw_hits", "Hit"]


def _count_unmatched(cursor: Any, datasets: dict[str, int]) -> dict[str, tuple[int, int]]:
    """数据集 → (records, records matching no member in scope by any method), in the spec's order."""
    from jingzhun.rules.datasets import SPECS

    # Two grouped counts, never a probe of the match table per record (xc_match has no index on
    # record_id: on SQLite a correlated EXISTS scanned it once per record — minutes at 1,000,000 records).
    cursor.execute(
        f"SELECT r.dataset_id, COUNT(*) FROM {RECORDS} r "
        f"WHERE r.dataset_id IN ({', '.join(['%s'] * len(datasets))}) GROUP BY r.dataset_id",
        list(datasets.values()),
    )
    rows = {int(d): int(n) for d, n in cursor.fetchall()}
    cursor.execute(f"SELECT dataset_id, COUNT(DISTINCT record_id) FROM {MATCHES} GROUP BY dataset_id")
    matched = {int(d): int(n) for d, n in cursor.fetchall()}
    found = {d: (n, n - matched.get(d, 0)) for d, n in rows.items()}
    return {s.name: found.get(datasets[s.name], (0, 0)) for s in SPECS if s.name in datasets}


def _count_by_village(cursor: Any) -> dict[str, int]:
    """Village code → the records matched to a member of its households, each record counted once: in
    the village of its lowest-coded match (a record matching members of two villages is rare — an ID
    given to two people), so the villages' counts add up to the records that matched someone."""
    # Only a record matched by ID can have more than one match — the members sharing that ID (a near
    # match is kept only when it names one member, and never for an ID a member has) — so only those
    # are grouped per record; every other match is its record's only one, counted where its member lives.
    shared = (
        f"SELECT resident_id FROM {MEMBERS} WHERE resident_id IS NOT NULL "
        "GROUP BY resident_id HAVING COUNT(*) > 1"
    )
    cursor.execute(
        f"SELECT m.village_id, COUNT(*) FROM {MATCHES} x JOIN {MEMBERS} m ON m.id = x.member_id "
        f"WHERE x.rank = {RANK_NEAR} OR m.resident_id NOT IN ({shared}) GROUP BY m.village_id "
        "UNION ALL "
        "SELECT v, COUNT(*) FROM (SELECT x.record_id AS record_id, MIN(m.village_id) AS v "
        f"FROM {MATCHES} x JOIN {MEMBERS} m ON m.id = x.member_id "
        f"WHERE x.rank <> {RANK_NEAR} AND m.resident_id IN ({shared}) GROUP BY x.record_id) t GROUP BY v"
    )
    out: dict[str, int] = {}
    for code, n in cursor.fetchall():
        out[str(code)] = out.get(str(code), 0) + int(n)
    return out
