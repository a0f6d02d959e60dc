"""Benchmark: whole-registry assessment (set-based, stored verdicts) against one hand-written SQL
query computing the same verdicts, measured in the same run on the same SQLite file; and one household
assessed for its page (Python engine, ≤ 20 ms target).

    python -m bench.assessment --sizes 100000,300000,1000000   # alone; writes docs/benchmarks.md
    bench/run.py calls main(): 1,000,000 households by default

Setup (not measured) bulk-loads synthetic rows with executemany into a fresh SQLite database in a
temporary JINGZHUN_DATA_DIR. Members: 3 per household on average (1–6).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from typing import Any

YEAR = 2018
BATCH = 50_000

# The default standard (湖南省 2016–2020) for 2018 written by hand for SQLite: line 3535 元, reference
# date 2018-12-31, ages 6–15 ⇔ 2002-12-31 < birth ≤ 2012-12-31. Status 0 pass, 1 fail, 2 unknown.
BASELINE_SQL = """
CREATE TABLE bench_baseline AS
SELECT hid, people, net, passed,
  RTRIM(CASE WHEN s_inc = 1 THEN 'H-INCOME;' ELSE '' END || CASE WHEN s_food = 1 THEN 'H-FOOD;' ELSE '' END
     || CASE WHEN s_cloth = 1 THEN 'H-CLOTHING;' ELSE '' END || CASE WHEN s_edu = 1 THEN 'H-EDUCATION;' ELSE '' END
     || CASE WHEN s_med = 1 THEN 'H-MEDICAL;' ELSE '' END || CASE WHEN s_house = 1 THEN 'H-HOUSING;' ELSE '' END
     || CASE WHEN s_water = 1 THEN 'H-WATER;' ELSE '' END, ';') AS failed,
  RTRIM(CASE WHEN s_inc = 2 THEN 'H-INCOME;' ELSE '' END || CASE WHEN s_food = 2 THEN 'H-FOOD;' ELSE '' END
     || CASE WHEN s_cloth = 2 THEN 'H-CLOTHING;' ELSE '' END || CASE WHEN s_edu = 2 THEN 'H-EDUCATION;' ELSE '' END
     || CASE WHEN s_med = 2 THEN 'H-MEDICAL;' ELSE '' END || CASE WHEN s_house = 2 THEN 'H-HOUSING;' ELSE '' END
     || CASE WHEN s_water = 2 THEN 'H-WATER;' ELSE '' END, ';') AS missing,
  exit_status = '已脱贫' AND NOT passed AS suspected
FROM (
  SELECT *, (s_inc = 0 AND s_food = 0 AND s_cloth = 0 AND s_edu = 0 AND s_med = 0 AND s_house = 0
             AND s_water = 0) AS passed
  FROM (
    SELECT h.id AS hid, h.exit_status, COALESCE(m.n, 0) AS people, inc.net,
      CASE WHEN inc.net IS NULL OR COALESCE(m.n, 0) = 0 THEN 2 WHEN inc.net > 353500 * m.n THEN 0 ELSE 1 END AS s_inc,
      CASE h.food_secure WHEN 1 THEN 0 WHEN 0 THEN 1 ELSE 2 END AS s_food,
      CASE h.clothing_secure WHEN 1 THEN 0 WHEN 0 THEN 1 ELSE 2 END AS s_cloth,
      CASE WHEN COALESCE(m.edu, 0) > 0 THEN 1 ELSE 0 END AS s_edu,
      CASE WHEN COALESCE(m.uninsured, 0) > 0 THEN 1 WHEN COALESCE(m.insurance_unknown, 0) > 0 THEN 2 ELSE 0 END
        AS s_med,
      CASE WHEN h.housing_safety IN ('A', 'B') OR h.relocation = '已搬迁入住' THEN 0 ELSE 1 END AS s_house,
      CASE h.water_safe WHEN 1 THEN 0 WHEN 0 THEN 1 ELSE 2 END AS s_water
    FROM registry_household h
    LEFT JOIN (
      SELECT household_id, COUNT(*) AS n,
        SUM(birth_date > '2002-12-31' AND birth_date <= '2012-12-31' AND school_status = '非在校生'
            AND education IN ('', '学龄前儿童', '文盲或半文盲', '小学')
            AND not_in_school_reason <> '身体原因(送教上门)') AS edu,
        SUM(medical_insurance = 0) AS uninsured, SUM(medical_insurance IS NULL) AS insurance_unknown
      FROM registry_member WHERE is_active = 1 GROUP BY household_id) m ON m.household_id = h.id
    LEFT JOIN (
      SELECT i.household_id,
        CAST(ROUND((i.wage + i.business + i.property_income + i.transfer - i.business_expense) * 100) AS BIGINT)
          AS net
      FROM registry_incomerecord i
      JOIN (SELECT household_id, MAX(year) AS y FROM registry_incomerecord WHERE year <= 2018
            GROUP BY household_id) ly ON ly.household_id = i.household_id AND ly.y = i.year) inc
      ON inc.household_id = h.id
    WHERE h.registry_status = '在册'))
"""


def _setup_django(data_dir: str) -> None:
    os.environ["JINGZHUN_DATA_DIR"] = data_dir
    os.environ.pop("JINGZHUN_DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingzhun.settings")
    import django

    django.setup()
    from jingzhun.core.dbstate import initialize

    initialize(printer=lambda *_: None)


def _villages() -> list[str]:
    from jingzhun.regions.models import Region

    return list(
        Region.objects.filter(level="village", code__startswith="430821").values_list("code", flat=True)
    )


def load(households: int, seed: int = 2018) -> int:
    """Bulk-load synthetic households, members and incomes (edge values included). Returns members."""
    from django.db import connection

    rng = random.Random(seed)
    villages = _villages()
    now = "2018-12-01 00:00:00"
    hh_sql = (
        "INSERT INTO registry_household (id, code, village_id, group_name, head_name, head_id_number, head_initials,"
        " phone, identification_standard, attribute, main_cause, other_causes, identified_year, exit_status,"
        " no_longer_enjoying, exit_year, planned_exit_year, food_secure, clothing_secure, water_safe,"
        " housing_safety, relocation, bank_account, registry_status, member_count, created_at, updated_at)"
        " VALUES (?, ?, ?, '', ?, ?, 'zs', '', '国家标准', '一般贫困户', '因病', '', 2015, ?, 0, ?, ?, ?, ?, ?, ?, ?,"
        " '', '在册', ?, ?, ?)"
    )
    m_sql = (
        "INSERT INTO registry_member (household_id, name, id_number, resident_id, gender, ethnicity, birth_date,"
        " relation, education, school_status, not_in_school_reason, health, labour_skill, work_months,"
        " medical_insurance, is_active, removed_reason, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, '男', '汉族', ?, ?, ?, ?, ?, '健康', '普通劳动力', NULL, ?, ?, '', ?, ?)"
    )
    i_sql = (
        "INSERT INTO registry_incomerecord (household_id, year, wage, business, property_income, transfer,"
        " business_expense, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    )
    member_total = 0
    raw = (
        connection.connection
        if connection.connection
        else (connection.ensure_connection() or connection.connection)
    )
    raw.execute("PRAGMA synchronous=OFF")
    for start in range(1, households + 1, BATCH):
        hh_rows, m_rows, i_rows = [], [], []
        for hid in range(start, min(start + BATCH, households + 1)):
            n = rng.choice((1, 2, 2, 3, 3, 3, 4, 4, 5, 6)) if hid % 500 else 0
            status = rng.choice(("未脱贫", "未脱贫", "已脱贫", "已脱贫", "已脱贫", "返贫"))
            active = 0
            for k in range(n):
                age = rng.choice((5, 6, 12, 15, 16, 35, 40, 45, 60, 70)) if k >= 2 else rng.randint(25, 75)
                birth = date(YEAR - age, 12, 31) - timedelta(days=rng.choice((0, 0, 1, 100)))
                edu = (
                    rng.choice(("小学", "初中", "", "高中(含中专)"))
                    if age < 16
                    else rng.choice(("小学", "初中"))
                )
                school = rng.choice(("小学", "初中", "初中", "非在校生")) if 6 <= age <= 15 else "非在校生"
                is_active = 0 if rng.random() < 0.03 else 1
                active += is_active
                rid = f"43{member_total:08d}{birth:%Y%m%d}"
                card = rid + ("01" if rng.random() < 0.02 else "")
                m_rows.append(
                    (
                        hid,
                        f"成员{k}",
                        card,
                        rid,
                        birth.isoformat(),
                        "户主" if k == 0 else "之子",
                        edu,
                        school,
                        rng.choice(("", "", "身体原因(送教上门)")) if school == "非在校生" else "",
                        rng.choice((1,) * 30 + (0, None)),
                        is_active,
                        now,
                        now,
                    )
                )
                member_total += 1
            line = 353500 * max(active, 1)
            net = rng.choice((line, line + 1, line - 1, line * 2, rng.randint(-1000, line * 3)))
            if rng.random() > 0.02:
                i_rows.append((hid, YEAR, round((net + 10000) / 100, 2), 0, 0, 0, 100.0, now))
            if rng.random() < 0.3:
                i_rows.append((hid, YEAR - 1, rng.randint(0, 20000), 0, 0, 0, 0, now))
            hh_rows.append(
                (
                    hid,
                    f"B{hid:09d}",
                    rng.choice(villages),
                    f"户主{hid}",
                    f"43{hid:016d}",
                    status,
                    2017 if status == "已脱贫" else None,
                    rng.choice((2018, 2018, 2019, 2020, None)),
                    rng.choice((1,) * 40 + (0, None)),
                    rng.choice((1,) * 40 + (0, None)),
                    rng.choice((1,) * 30 + (0, None)),
                    rng.choice(("A", "B", "B", "C", "D", "")),
                    rng.choice(("否",) * 8 + ("已搬迁入住", "计划搬迁")),
                    active,
                    now,
                    now,
                )
            )
        with raw:
            raw.executemany(hh_sql, hh_rows)
            raw.executemany(m_sql, m_rows)
            raw.executemany(i_sql, i_rows)
    raw.execute("ANALYZE")
    raw.execute("PRAGMA synchronous=NORMAL")
    return member_total


def _timed(fn: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    value = fn()
    return time.perf_counter() - started, value


def _cpu() -> float:
    """CPU seconds of this process, all threads (the engine's workers run in threads)."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure(households: int) -> dict[str, Any]:
    from django.db import connection

    from jingzhun.engines.sql import sqlite_parallel
    from jingzhun.registry.models import Household
    from jingzhun.standards.defaults import ensure_defaults
    from jingzhun.standards.selectors import household_checklist
    from jingzhun.standards.services import assess

    standard = ensure_defaults()
    with connection.cursor() as cursor:  # a first run writes into an empty verdict table (setup)
        cursor.execute("DELETE FROM standards_householdverdict")
    cpu_before = _cpu()
    engine_s, run_ = _timed(lambda: assess(year=YEAR))
    engine_cpu = _cpu() - cpu_before
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_baseline")
        cpu_before = _cpu()
        baseline_s, _ = _timed(lambda: cursor.execute(BASELINE_SQL))
        baseline_cpu = _cpu() - cpu_before  # SQLite runs in this process: its CPU is the statement's
        cursor.execute(
            "SELECT COUNT(*) FROM bench_baseline b JOIN standards_householdverdict v ON v.household_id = b.hid"
            " AND v.year = %s AND v.standard_id = %s WHERE b.passed = v.passed AND b.failed = v.failed"
            " AND b.missing = v.missing AND b.suspected = v.suspected_wrong_exit AND b.people = v.people"
            " AND COALESCE(b.net, -1) = COALESCE(v.net_income_cents, -1)",
            [YEAR, standard.pk],
        )
        agreeing = cursor.fetchone()[0]
        cursor.execute("SELECT COUNT(*), SUM(passed) FROM bench_baseline")
        baseline_rows, passed = cursor.fetchone()
        cursor.execute("DROP TABLE bench_baseline")
    rerun_s, _ = _timed(lambda: assess(year=YEAR))  # verdicts exist: rewritten in place
    rng = random.Random(1)
    ids = [rng.randint(1, households) for _ in range(300)]
    page_times = []
    for hid in ids:
        household = Household.objects.select_related("village").get(pk=hid)
        started = time.perf_counter()
        household_checklist(household, year=YEAR)
        page_times.append((time.perf_counter() - started) * 1000)
    page_times.sort()
    return {
        "households": households,
        "verdicts": run_.households,
        "baseline_rows": baseline_rows,
        "verdicts_agreeing_with_baseline": agreeing,
        "passed": passed,
        "engine_seconds": round(engine_s, 2),
        "engine_cpu_seconds": round(engine_cpu, 2),
        "engine_workers": sqlite_parallel.workers() if sqlite_parallel.available() else 1,
        "engine_rerun_seconds": round(rerun_s, 2),
        "baseline_seconds": round(baseline_s, 2),
        "ratio": round(engine_s / baseline_s, 2) if baseline_s else None,
        "baseline_cpu_seconds": round(baseline_cpu, 2),
        "cpu_ratio": round(engine_cpu / baseline_cpu, 2) if baseline_cpu else None,
        "page_ms_median": round(statistics.median(page_times), 2),
        "page_ms_p95": round(page_times[int(len(page_times) * 0.95) - 1], 2),
    }


def machine() -> str:
    from bench.common import machine as common_machine

    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout.splitlines()
        model = next(line.split(":", 1)[1].strip() for line in lscpu if line.startswith("Model name"))
    except (OSError, StopIteration):
        model = platform.processor() or "unknown"
    import sqlite3

    return f"{common_machine()}; lscpu model: {model}; SQLite {sqlite3.sqlite_version}"


def run(households: int = 1_000_000, *, seed: int = 2018, data_dir: str = "") -> dict[str, Any]:
    """Fresh database, bulk load (timed separately), then the measurements. Sets Django up in this
    process, so call it once per process (`main` runs each size in a subprocess). With `data_dir` of an
    earlier run holding the same synthetic registry, the load is skipped (setup is not measured)."""
    _setup_django(data_dir or tempfile.mkdtemp(prefix="jingzhun-bench-assess-"))
    from jingzhun.registry.models import Household, Member

    if data_dir and Household.objects.count() == households:
        load_s, members = None, Member.objects.count()
    else:
        load_s, members = _timed(lambda: load(households, seed))
    load_before = os.getloadavg()[0]
    result = measure(households)
    result["load"] = f"{load_before:.1f} → {os.getloadavg()[0]:.1f}"
    result.update(
        {"members": members, "setup_seconds": round(load_s, 1) if load_s else "reused", "machine": machine()}
    )
    return result


def report(results: list[dict[str, Any]]) -> str:
    from bench.common import stamp

    lines = [
        stamp(),
        "",
        f"Machine: {results[0]['machine'] if results else machine()}.",
        "",
        "Whole-registry assessment of the 湖南省 2016–2020 standard for 2018 on SQLite (WAL): the engine "
        "(`standards.services.assess`: rules compiled to SQL, statements of 100,000 household ids run by one "
        "worker thread per core into scratch files (`standards/sqlite_parallel.py`), then copied into the "
        "indexed `HouseholdVerdict` table) against ONE hand-written SQL statement computing the same verdicts "
        "into a plain table on one connection, in the same run on the same file. Agreement is checked row by "
        "row. Engine CPU is the process's CPU time over all threads. Page: `household_checklist` (load + "
        "Python rules) for 300 random households. Bulk loading the synthetic rows (executemany) is setup and "
        "not measured.",
        "",
        "| households | members | engine s (target ≤ 15) | engine CPU s (workers) | hand-written SQL s "
        "| hand-written SQL CPU s | wall ratio (target ≤ 2×) | CPU ratio | engine re-run s | verdicts agreeing "
        "| page p50 ms | page p95 ms (target ≤ 20) | setup s | load avg |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['households']:,} | {r['members']:,} | {r['engine_seconds']} | "
            f"{r['engine_cpu_seconds']} ({r['engine_workers']}) | {r['baseline_seconds']} | "
            f"{r['baseline_cpu_seconds']} | {r['ratio']}× | {r['cpu_ratio']}× | {r['engine_rerun_seconds']} | "
            f"{r['verdicts_agreeing_with_baseline']:,} / {r['verdicts']:,} | "
            f"{r['page_ms_median']} | {r['page_ms_p95']} | {r['setup_seconds']} | {r['load']} |"
        )
    lines += [
        "",
        "The engine runs one worker thread per core, so it needs the machine's second core: on a machine busy "
        "with other work it falls back to one core's speed (compare the load average column). The "
        "re-run replaces every verdict of the first run (DELETE + ordered INSERT, `sqlite_parallel._copy`). Run "
        "`python -m bench.assessment --sizes 1000000 --data-dir DIR` twice to reuse the synthetic registry.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="assessment benchmark")
    parser.add_argument("--sizes", default="1000000", help="comma-separated household counts")
    parser.add_argument("--seed", type=int, default=2018)
    parser.add_argument("--one", type=int, default=0, help=argparse.SUPPRESS)  # internal: one size, JSON out
    parser.add_argument("--data-dir", default="", help="reuse the synthetic registry of an earlier run")
    args = parser.parse_args(argv if argv is not None else [])
    if args.one:
        print(json.dumps(run(args.one, seed=args.seed, data_dir=args.data_dir), ensure_ascii=False))
        return 0
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        extra = ["--data-dir", args.data_dir] if args.data_dir and len(args.sizes.split(",")) == 1 else []
        out = subprocess.run(
            [sys.executable, "-m", "bench.assessment", "--one", str(size), "--seed", str(args.seed), *extra],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        results.append(json.loads(out.strip().splitlines()[-1]))
        print(json.dumps(results[-1], ensure_ascii=False), flush=True)
    text = report(results)
    print(text)
    from bench.common import write_section

    write_section("Assessment", text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
