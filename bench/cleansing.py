"""Benchmark: data cleansing (数据清洗, every Q-* rule) of a synthetic registry with the SQL engine
(`verification.cleanse.run_cleanse`: its statements plus the 说明 sentences) against ONE hand-written SQL
statement computing the same hits (rule, household, member), measured in the same run on the same SQLite
file, each in its own process (wall, CPU, peak memory of that process). The two sets of hits are
compared: the baseline must find exactly the engine's hits.

    python -m bench.cleansing --members 1000000     # writes the "Data cleansing" section of docs/benchmarks.md
    bench/run.py calls main(): 1,000,000 members by default (JINGZHUN_BENCH_CLEANSE_MEMBERS to change)

Setup (not measured): the synthetic county generator of the workbook benchmarks (`demo.synthetic`,
seed 1, year 2018) streamed into a fresh SQLite database with executemany, plus an income record of
2017 for every household (so Q-INCOME-JUMP has two years to compare).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from typing import Any

from bench.common import stamp, write_section

YEAR = 2018
BATCH = 20_000

# The shipped parameters for 2018 written by hand for SQLite: reference date 2018-12-31, line 3535 元.
# Age < 16 ⇔ birth > 2002-12-31; age ≥ 7 ⇔ birth ≤ 2011-12-31; age ≤ 5 ⇔ birth > 2012-12-31;
# age > 105 ⇔ birth ≤ 1912-12-31. Gaps compare YYYYMMDD integers.
BASELINE_SQL = """
CREATE TABLE bench_baseline AS
WITH mm AS (
  SELECT m.id AS mid, m.household_id AS hid, m.name, m.gender, m.birth_date, m.relation, m.education,
         m.school_status, m.labour_skill, m.work_months, m.id_number,
         CAST(REPLACE(m.birth_date, '-', '') AS INTEGER) AS ymd
  FROM registry_member m JOIN registry_household h ON h.id = m.household_id
  WHERE m.is_active = 1 AND h.registry_status = '在册'),
heads AS (SELECT hid, MIN(mid) AS head FROM mm WHERE relation = '户主' GROUP BY hid),
hd AS (SELECT heads.hid, mm.gender, mm.ymd FROM heads JOIN mm ON mm.mid = heads.head),
sc AS (SELECT hid, COUNT(*) AS n FROM mm WHERE relation = '配偶' GROUP BY hid),
agg AS (SELECT hid, COUNT(*) AS n, SUM(COALESCE(m.dibao, 0) = 1) AS dibao, SUM(COALESCE(m.tekun, 0) = 1) AS tekun
        FROM (SELECT mm.hid, r.dibao, r.tekun FROM mm JOIN registry_member r ON r.id = mm.mid) m GROUP BY hid),
inc AS (SELECT household_id AS hid, year,
               ROUND(wage * 100) AS w, ROUND(business * 100) + ROUND(property_income * 100) + ROUND(transfer * 100) AS o,
               ROUND(business_expense * 100) AS e
        FROM registry_incomerecord),
ly AS (SELECT hid, MAX(year) AS y FROM inc WHERE year <= 2018 GROUP BY hid),
li AS (SELECT inc.* FROM inc JOIN ly ON ly.hid = inc.hid AND ly.y = inc.year),
hh AS (SELECT h.id AS hid, h.attribute, h.exit_status, h.exit_year, h.planned_exit_year
       FROM registry_household h WHERE h.registry_status = '在册'),
dup AS (SELECT name, gender, birth_date FROM mm GROUP BY name, gender, birth_date HAVING COUNT(DISTINCT hid) > 1),
dc AS (SELECT mm.* FROM mm JOIN dup ON dup.name = mm.name AND dup.gender = mm.gender AND dup.birth_date = mm.birth_date)
SELECT 'Q-SPOUSE-SEX' AS rule, mm.hid, mm.mid FROM mm JOIN hd ON hd.hid = mm.hid
  WHERE mm.relation = '配偶' AND mm.gender = hd.gender
UNION ALL SELECT 'Q-SPOUSE-COUNT', mm.hid, mm.mid FROM mm JOIN sc ON sc.hid = mm.hid WHERE mm.relation = '配偶' AND sc.n > 1
UNION ALL SELECT 'Q-PARENT-AGE', mm.hid, mm.mid FROM mm JOIN hd ON hd.hid = mm.hid
  WHERE mm.relation IN ('之父', '之母', '之岳父', '之岳母', '之公公', '之婆婆') AND hd.ymd - mm.ymd < 150000
UNION ALL SELECT 'Q-CHILD-AGE', mm.hid, mm.mid FROM mm JOIN hd ON hd.hid = mm.hid
  WHERE mm.relation IN ('之子', '之女') AND mm.ymd - hd.ymd < 150000
UNION ALL SELECT 'Q-GRANDCHILD-AGE', mm.hid, mm.mid FROM mm JOIN hd ON hd.hid = mm.hid
  WHERE mm.relation IN ('之孙子', '之孙女', '之外孙子', '之外孙女') AND mm.ymd - hd.ymd < 300000
UNION ALL SELECT 'Q-HEAD-MINOR', hid, mid FROM mm WHERE relation = '户主' AND birth_date > '2002-12-31'
UNION ALL SELECT 'Q-CHILD-LABOUR', hid, mid FROM mm
  WHERE labour_skill IN ('普通劳动力', '技能劳动力') AND birth_date > '2002-12-31'
UNION ALL SELECT 'Q-PRESCHOOL-OLD', hid, mid FROM mm
  WHERE (school_status = '学前教育' OR education = '学龄前儿童') AND birth_date <= '2011-12-31'
UNION ALL SELECT 'Q-INFANT-SCHOOL', hid, mid FROM mm
  WHERE school_status IN ('小学', '初中', '高中', '中职', '高职高专', '本科及以上') AND birth_date > '2012-12-31'
UNION ALL SELECT 'Q-AGE-EXTREME', hid, mid FROM mm WHERE birth_date <= '1912-12-31'
UNION ALL SELECT 'Q-WORK-NO-WAGE', mm.hid, mm.mid FROM mm JOIN li ON li.hid = mm.hid WHERE li.w = 0 AND mm.work_months >= 3
UNION ALL SELECT 'Q-INCOME-ZERO', li.hid, NULL FROM li JOIN hh ON hh.hid = li.hid WHERE li.w + li.o = 0
UNION ALL SELECT 'Q-INCOME-HIGH', li.hid, NULL FROM li JOIN hh ON hh.hid = li.hid JOIN agg ON agg.hid = li.hid
  WHERE li.w + li.o - li.e > 3 * 353500 * agg.n
UNION ALL SELECT 'Q-INCOME-JUMP', c.hid, NULL FROM inc c JOIN inc p ON p.hid = c.hid AND p.year = 2017
  JOIN hh ON hh.hid = c.hid JOIN agg ON agg.hid = c.hid
  WHERE c.year = 2018 AND p.w + p.o - p.e > 0 AND c.w + c.o - c.e > 3 * (p.w + p.o - p.e)
UNION ALL SELECT 'Q-DIBAO-ATTR', hh.hid, NULL FROM hh LEFT JOIN agg ON agg.hid = hh.hid
  WHERE (hh.attribute = '低保贫困户' AND COALESCE(agg.dibao, 0) = 0) OR (hh.attribute = '一般贫困户' AND agg.dibao > 0)
UNION ALL SELECT 'Q-TEKUN-ATTR', hh.hid, NULL FROM hh LEFT JOIN agg ON agg.hid = hh.hid
  WHERE (hh.attribute = '特困供养贫困户' AND COALESCE(agg.tekun, 0) = 0) OR (hh.attribute = '一般贫困户' AND agg.tekun > 0)
UNION ALL SELECT DISTINCT 'Q-DUP-PERSON', a.hid, a.mid FROM dc a JOIN dc b ON b.name = a.name AND b.gender = a.gender
  AND b.birth_date = a.birth_date AND b.hid <> a.hid AND b.id_number <> a.id_number
UNION ALL SELECT 'Q-EXIT-NO-INCOME', hh.hid, NULL FROM hh LEFT JOIN inc ON inc.hid = hh.hid AND inc.year = hh.exit_year
  WHERE hh.exit_status = '已脱贫' AND inc.hid IS NULL
UNION ALL SELECT 'Q-PLAN-OVERDUE', hid, NULL FROM hh WHERE exit_status IN ('未脱贫', '返贫') AND planned_exit_year < 2018
"""


def _setup_django(data_dir: str) -> None:
    os.environ["JINGZHUN_DATA_DIR"] = data_dir
    os.environ.pop("JINGZHUN_DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingzhun.settings")
    import django

    django.setup()


# The generator draws clean data; like a real registry, a few rows are spoiled so that every rule has
# hits to find (birth dates stay those of the IDs).
SPOIL = 0.004


def _spoil_household(h: dict[str, str], rng: random.Random) -> dict[str, str]:
    if rng.random() < SPOIL:
        h["attribute"] = "低保贫困户"
    if rng.random() < SPOIL and h["exit_status"] != "已脱贫":
        h["planned_exit_year"] = str(YEAR - 2)
    if rng.random() < SPOIL:
        h.update(wage="0", business="0", property_income="0", transfer="0")
    return h


def _spoil_member(m: dict[str, str], rng: random.Random) -> dict[str, str]:
    if rng.random() >= SPOIL * 5:
        return m
    change = rng.choice(("gender", "spouse", "labour", "school", "preschool", "work"))
    if change == "gender" and m["relation"] == "配偶":
        m["gender"] = "女" if m["gender"] == "男" else "男"
    elif change == "spouse" and m["relation"] in ("之儿媳", "之母"):
        m["relation"] = "配偶"
    elif change == "labour":
        m["labour_skill"] = "普通劳动力"
    elif change == "school":
        m["school_status"] = "小学"
    elif change == "preschool":
        m["school_status"], m["education"] = "学前教育", "学龄前儿童"
    elif change == "work":
        m["work_months"] = "6"
    return m


def prepare(members: int, copies: int = 1) -> dict[str, Any]:
    """Fill the database with synthetic households until `members` members (setup, not measured); with
    `copies` > 1, generate members / copies and copy that registry in SQL (`_copy_registry`)."""
    from django.db import connection

    from jingzhun.core.dbstate import initialize
    from jingzhun.demo.synthetic import County
    from jingzhun.workbook.columns import SHEET_BY_NAME

    initialize(printer=lambda *_: None)
    hh_fields, m_fields = SHEET_BY_NAME["户"].field_names, SHEET_BY_NAME["成员"].field_names
    rng = random.Random(7)
    hh_sql = (
        "INSERT INTO registry_household (id, code, village_id, group_name, head_name, head_id_number, head_initials,"
        " phone, identification_standard, attribute, main_cause, other_causes, identified_year, exit_status,"
        " no_longer_enjoying, exit_year, planned_exit_year, food_secure, clothing_secure, water_safe,"
        " housing_safety, relocation, bank_account, registry_status, member_count, created_at, updated_at, version)"
        " VALUES (?, ?, ?, ?, ?, ?, 'x', ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, '', '在册', ?, ?, ?, 1)"
    )
    m_sql = (
        "INSERT INTO registry_member (household_id, name, id_number, resident_id, gender, ethnicity, birth_date,"
        " relation, education, school_status, not_in_school_reason, health, labour_skill, work_months,"
        " medical_insurance, serious_illness_insurance, pension_insurance, dibao, tekun, is_active, removed_reason,"
        " created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, '', ?, ?, 1)"
    )
    i_sql = (
        "INSERT INTO registry_incomerecord (household_id, year, wage, business, property_income, transfer,"
        " business_expense, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    )
    yes = {"是": 1, "否": 0, "": None}
    now = "2018-12-01 00:00:00"
    started = time.monotonic()
    connection.ensure_connection()
    raw = connection.connection
    raw.execute("PRAGMA synchronous=OFF")
    hid = total = 0
    county = County(seed=1, year=YEAR)
    hh_rows: list[tuple] = []
    m_rows: list[tuple] = []
    i_rows: list[tuple] = []

    def flush() -> None:
        raw.executemany(hh_sql, hh_rows)
        raw.executemany(m_sql, m_rows)
        raw.executemany(i_sql, i_rows)
        raw.commit()
        for rows in (hh_rows, m_rows, i_rows):
            rows.clear()

    for household, people in county.households(10**9):
        hid += 1
        h = _spoil_household(dict(zip(hh_fields, household, strict=True)), rng)
        hh_rows.append(
            (
                hid,
                h["code"],
                h["village_code"],
                h["group_name"],
                h["head_name"],
                h["head_id_number"],
                h["phone"],
                h["identification_standard"],
                h["attribute"],
                h["main_cause"],
                h["other_causes"],
                int(h["identified_year"]),
                h["exit_status"],
                int(h["exit_year"]) if h["exit_year"] else None,
                int(h["planned_exit_year"]) if h["planned_exit_year"] else None,
                yes[h["food_secure"]],
                yes[h["clothing_secure"]],
                yes[h["water_safe"]],
                h["housing_safety"],
                h["relocation"],
                len(people),
                now,
                now,
            )
        )
        money = [h["wage"], h["business"], h["property_income"], h["transfer"], h["business_expense"]]
        i_rows.append((hid, int(h["income_year"]), *money, now))
        factor = rng.choice((0.9, 1.0, 0.5, 0.2))  # 2017: a share of 2018 (some households jump)
        i_rows.append((hid, YEAR - 1, *(round(float(v) * factor, 2) for v in money), now))
        for p in people:
            m = _spoil_member(dict(zip(m_fields, p, strict=True)), rng)
            m_rows.append(
                (
                    hid,
                    m["name"],
                    m["id_number"],
                    m["id_number"][:18],
                    m["gender"],
                    m["ethnicity"],
                    m["birth_date"],
                    m["relation"],
                    m["education"],
                    m["school_status"],
                    m["not_in_school_reason"],
                    m["health"],
                    m["labour_skill"],
                    int(m["work_months"]) if m["work_months"] else None,
                    yes[m["medical_insurance"]],
                    yes[m["serious_illness_insurance"]],
                    yes[m["pension_insurance"]],
                    yes[m["dibao"]],
                    yes[m["tekun"]],
                    now,
                    now,
                )
            )
        total += len(people)
        if len(m_rows) >= BATCH:
            flush()
        if total >= members // copies:
            break
    flush()
    generated = total
    for k in range(1, copies):
        total += _copy_registry(raw, k, hid)
    raw.execute("ANALYZE")
    raw.commit()
    return {
        "households": hid * copies,
        "members": total,
        "generated": generated,
        "copies": copies,
        "seconds": round(time.monotonic() - started, 1),
    }


SUFFIXES = "甲乙丙丁戊己庚辛壬癸"


def _copy_registry(raw: Any, k: int, households: int) -> int:
    """Copy k of the generated registry, in SQL (the generator writes about 1,000 members a second on a
    loaded machine): household ids and 户编号 shifted, each member's 姓名 suffixed (甲, 乙, …) and its ID's
    address code changed, so a copy is other people — it hits the same rules as the original, never
    Q-DUP-PERSON with it. Incomes copied with their households."""
    if k > len(SUFFIXES):
        raise ValueError("at most 11 copies")
    shift = k * households
    hh_cols = [
        r[1] for r in raw.execute("PRAGMA table_info(registry_household)") if r[1] not in ("id", "code")
    ]
    m_cols = [
        r[1]
        for r in raw.execute("PRAGMA table_info(registry_member)")
        if r[1] not in ("id", "household_id", "name", "id_number", "resident_id")
    ]
    i_cols = [
        r[1]
        for r in raw.execute("PRAGMA table_info(registry_incomerecord)")
        if r[1] not in ("id", "household_id")
    ]
    raw.execute(
        f"INSERT INTO registry_household (id, code, {', '.join(hh_cols)}) "
        f"SELECT id + ?, code || '-{k}', {', '.join(hh_cols)} FROM registry_household WHERE id <= ? ORDER BY id",
        (shift, households),
    )
    new_id = f"'9{k}' || substr(id_number, 3)"  # registry IDs start 43: never another's
    before = raw.execute("SELECT COUNT(*) FROM registry_member").fetchone()[0]
    raw.execute(
        f"INSERT INTO registry_member (household_id, name, id_number, resident_id, {', '.join(m_cols)}) "
        f"SELECT household_id + ?, name || '{SUFFIXES[k - 1]}', {new_id}, substr({new_id}, 1, 18), "
        f"{', '.join(m_cols)} FROM registry_member WHERE household_id <= ? ORDER BY id",
        (shift, households),
    )
    raw.execute(
        f"INSERT INTO registry_incomerecord (household_id, {', '.join(i_cols)}) "
        f"SELECT household_id + ?, {', '.join(i_cols)} FROM registry_incomerecord WHERE household_id <= ?",
        (shift, households),
    )
    raw.commit()
    return raw.execute("SELECT COUNT(*) FROM registry_member").fetchone()[0] - before


def measure(kind: str) -> dict[str, Any]:
    from django.db import connection

    wall, cpu = time.perf_counter(), time.process_time()
    if kind == "engine":
        from jingzhun.verification.cleanse import run_cleanse

        hits = {(h.rule, h.household_id, h.member_id) for h in run_cleanse(YEAR)}
    else:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_baseline")
            cursor.execute(BASELINE_SQL)
            cursor.execute("SELECT rule, hid, mid FROM bench_baseline")
            hits = set(cursor.fetchall())
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # MiB (Linux reports KiB)
    ordered = sorted(hits, key=lambda h: (h[0], h[1], h[2] or 0))
    digest = hashlib.sha256(repr(ordered).encode()).hexdigest()
    return {
        "kind": kind,
        "wall": wall,
        "cpu": cpu,
        "peak_mib": peak,
        "hits": len(hits),
        "digest": digest,
    }


def _child(args: list[str], data_dir: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "bench.cleansing", *args, "--data-dir", data_dir],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _copies(setup: dict[str, Any]) -> str:
    if setup.get("copies", 1) <= 1:
        return ""
    return (
        f" ({setup['generated']:,} generated, then copied {setup['copies'] - 1} times in SQL with other names"
        " and IDs: each copy hits the same rules, never Q-DUP-PERSON with another)"
    )


def report(setup: dict[str, Any], engine: list[dict], baseline: list[dict], counts: dict[str, int]) -> str:
    best_e = min(engine, key=lambda r: r["wall"])
    best_b = min(baseline, key=lambda r: r["wall"])
    ratio = best_e["wall"] / best_b["wall"]
    per_rule = "、".join(f"{code} {n:,}" for code, n in sorted(counts.items()))
    return f"""
{stamp()}

Synthetic registry from the workbook benchmarks' generator (`demo.synthetic.County`, seed 1, year
{YEAR}): {setup["households"]:,} households, {setup["members"]:,} members{_copies(setup)}, loaded in {setup["seconds"]:.0f} s (not
measured). Every Q-* rule with the shipped parameters, SQLite, whole county; best of {len(engine)} runs each,
each run in its own process.

| | wall | CPU | peak memory (process) | hits |
|---|---|---|---|---|
| `run_cleanse` (SQL engine + 说明) | {best_e["wall"]:.2f} s | {best_e["cpu"]:.2f} s | {best_e["peak_mib"]:.0f} MiB | {best_e["hits"]:,} |
| hand-written SQL (one statement) | {best_b["wall"]:.2f} s | {best_b["cpu"]:.2f} s | {best_b["peak_mib"]:.0f} MiB | {best_b["hits"]:,} |
| **ratio engine / baseline** | **{ratio:.2f}×** | {best_e["cpu"] / best_b["cpu"]:.2f}× | | same hits: {"yes" if best_e["digest"] == best_b["digest"] else "NO"} |

Targets (issue 13): ≤ 60 s and ≤ 2× the baseline: {"met" if best_e["wall"] <= 60 and ratio <= 2 else "NOT met"}.
Hits by rule: {per_rule}.
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--members", type=int, default=int(os.environ.get("JINGZHUN_BENCH_CLEANSE_MEMBERS", 1_000_000))
    )
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument(
        "--copies", type=int, default=1, help="generate members / copies, then copy that registry in SQL"
    )
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--prepare", action="store_true")
    parser.add_argument("--measure", choices=["engine", "baseline", "counts"], default=None)
    args = parser.parse_args(argv if argv is not None else sys.argv[1:] if __name__ == "__main__" else [])
    if args.prepare or args.measure:
        _setup_django(args.data_dir)
        if args.prepare:
            print(json.dumps(prepare(args.members, args.copies)))
        elif args.measure == "counts":
            from collections import Counter

            from jingzhun.verification.cleanse import run_cleanse

            print(json.dumps(dict(Counter(h.rule for h in run_cleanse(YEAR)))))
        else:
            print(json.dumps(measure(args.measure)))
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-cleanse-") as data_dir:
        setup = _child(["--prepare", "--members", str(args.members), "--copies", str(args.copies)], data_dir)
        print(f"[cleansing] loaded {setup['members']:,} members in {setup['seconds']} s", flush=True)
        engine, baseline = [], []
        for _ in range(args.runs):  # alternate, so a busy moment of the machine hits both
            baseline.append(_child(["--measure", "baseline"], data_dir))
            engine.append(_child(["--measure", "engine"], data_dir))
            print(
                f"[cleansing] engine {engine[-1]['wall']:.2f} s, baseline {baseline[-1]['wall']:.2f} s",
                flush=True,
            )
        counts = _child(["--measure", "counts"], data_dir)
    body = report(setup, engine, baseline, counts)
    write_section("Data cleansing (数据清洗)", body)
    print(body)
    same = all(e["digest"] == baseline[0]["digest"] for e in engine + baseline)
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
