"""Benchmark: departmental cross-check (部门数据比对) of a synthetic county — registry members against
departmental records of all eleven datasets — and the departmental import, on SQLite.

    python -m bench.crosscheck --members 1000000 --records 10000000    # the issue's size
    python -m bench.crosscheck --members 100000 --records 1000000      # a tenth (bench/run.py default)

Measured in the same run on the same file: the import (`verification.importer.import_datasets` of
CSV files, rows/s), the engine (`verification.crosscheck.run_crosscheck`: temporary match tables, one
query per rule, the Hits with their 说明 and records), and ONE hand-written SQL statement computing the
same hits (rule, member, record) — agreement is checked as sets. Peak memory is the process's maximum
RSS. Setup (registry rows by executemany, writing the CSV files) is not measured.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

YEAR = 2024
BATCH = 50_000
REF = "2024-12-31"
EXEMPT = "('三轮汽车', '低速货车', '摩托车', '拖拉机', '农用车')"
_DIFF = " + ".join(f"(substr(m.resident_id, {i}, 1) <> substr(r.id18, {i}, 1))" for i in range(1, 19))

# The same hits as the engine, by hand, in one statement (SQLite): matches inline, then every rule.
BASELINE_SQL = f"""
WITH mem AS (
  SELECT m.id, m.household_id, m.resident_id, m.name, m.gender, m.birth_date, m.health, m.school_status,
         m.medical_insurance AS mi, m.dibao, m.tekun, h.housing_safety
  FROM registry_member m JOIN registry_household h ON h.id = m.household_id
  WHERE m.is_active = 1 AND h.registry_status = '在册'),
rec AS (SELECT r.*, d.name AS ds FROM verification_datasetrecord r JOIN verification_dataset d ON d.id = r.dataset_id),
mt AS (
  SELECT r.id AS rid, m.id AS mid, CASE WHEN r.id_kind = 'o' THEN 1 ELSE 0 END AS rk
  FROM rec r JOIN mem m ON m.resident_id = r.id18 WHERE r.id_kind IN ('i', 'o')
  UNION ALL
  SELECT r.id, MIN(m.id), 2 FROM rec r JOIN mem m ON m.name = r.name AND m.birth_date = r.birth_date AND m.gender = r.gender
  WHERE r.id_kind = 'i' AND NOT EXISTS (SELECT 1 FROM mem x WHERE x.resident_id = r.id18) AND ({_DIFF}) <= 2
  GROUP BY r.id HAVING COUNT(*) = 1),
j AS (SELECT mt.rid, mt.mid, mt.rk, r.ds, r.date1, r.date2, r.kind, r.status, r.amount, r.year AS ry,
             m.household_id, m.health, m.school_status, m.mi, m.dibao, m.tekun, m.housing_safety
      FROM mt JOIN rec r ON r.id = mt.rid JOIN mem m ON m.id = mt.mid),
simple AS (
  SELECT CASE ds WHEN '死亡人口' THEN 'X-DEATH' WHEN '户籍迁出' THEN 'X-MOVED' WHEN '车辆登记' THEN 'X-VEHICLE'
    WHEN '商品房' THEN 'X-HOUSE' WHEN '工商注册' THEN 'X-BUSINESS' WHEN '财政供养' THEN 'X-PAYROLL'
    WHEN '学籍' THEN 'X-SCHOOL' END AS rule, mid, rid, rk, 0 AS pr
  FROM j WHERE (ds IN ('死亡人口', '户籍迁出') AND date1 <= '{REF}') OR (ds = '车辆登记' AND kind NOT IN {EXEMPT})
    OR ds IN ('商品房', '财政供养')
    OR (ds = '工商注册' AND kind IN ('法定代表人', '股东') AND status IN ('存续', '在业') AND amount >= 10)
    OR (ds = '学籍' AND ((status = '在读' AND school_status = '非在校生') OR (status = '辍学' AND school_status <> '非在校生')))),
agg AS (
  SELECT m.id AS mid, m.health, m.mi, m.dibao, m.tekun,
    MAX(CASE WHEN j.ds = '低保特困' AND j.kind = '低保' AND j.date1 <= '{REF}' AND (j.date2 IS NULL OR j.date2 >= '{REF}') THEN 1 ELSE 0 END) AS cd,
    MAX(CASE WHEN j.ds = '低保特困' AND j.kind = '特困' AND j.date1 <= '{REF}' AND (j.date2 IS NULL OR j.date2 >= '{REF}') THEN 1 ELSE 0 END) AS ct,
    SUM(CASE WHEN j.ds = '残疾人' THEN 1 ELSE 0 END) AS dis,
    MAX(CASE WHEN j.ds = '医保参保' AND j.ry = {YEAR} AND j.status = '参保' THEN 1 ELSE 0 END) AS ins
  FROM mem m LEFT JOIN j ON j.mid = m.id GROUP BY m.id),
two_way AS (
  SELECT 'X-DIBAO' AS rule, mid FROM agg WHERE EXISTS (SELECT 1 FROM verification_dataset WHERE name = '低保特困')
    AND ((dibao IS TRUE AND cd = 0) OR (dibao IS NOT TRUE AND cd = 1) OR (tekun IS TRUE AND ct = 0) OR (tekun IS NOT TRUE AND ct = 1))
  UNION ALL SELECT 'X-DISABILITY', mid FROM agg WHERE EXISTS (SELECT 1 FROM verification_dataset WHERE name = '残疾人')
    AND ((dis > 0 AND health <> '残疾') OR (dis = 0 AND health = '残疾'))
  UNION ALL SELECT 'X-INSURANCE', mid FROM agg WHERE EXISTS (SELECT 1 FROM verification_dataset WHERE name = '医保参保')
    AND ((mi IS TRUE AND ins = 0) OR (mi IS FALSE AND ins = 1))),
two_way_rec AS (
  SELECT t.rule, t.mid, j.rid, j.rk,
    CASE WHEN t.rule = 'X-DIBAO' AND j.date1 <= '{REF}' AND (j.date2 IS NULL OR j.date2 >= '{REF}')
           AND ((j.kind = '低保' AND j.dibao IS NOT TRUE) OR (j.kind = '特困' AND j.tekun IS NOT TRUE)) THEN 0
         WHEN t.rule = 'X-INSURANCE' AND j.ry = {YEAR} AND j.status = '参保' THEN 0 ELSE 1 END AS pr
  FROM two_way t LEFT JOIN j ON j.mid = t.mid AND j.ds = CASE t.rule WHEN 'X-DIBAO' THEN '低保特困'
    WHEN 'X-DISABILITY' THEN '残疾人' ELSE '医保参保' END),
housing AS (
  SELECT 'X-HOUSING' AS rule, mid, rid, kind, housing_safety,
    ROW_NUMBER() OVER (PARTITION BY household_id ORDER BY date1 DESC, rk, rid) AS n
  FROM j WHERE ds = '危房鉴定' AND date1 <= '{REF}'),
ranked AS (
  SELECT rule, mid, rid, ROW_NUMBER() OVER (PARTITION BY rule, mid ORDER BY pr, rk, rid) AS n
  FROM (SELECT * FROM simple UNION ALL SELECT * FROM two_way_rec))
SELECT rule, mid, rid FROM ranked WHERE n = 1
UNION ALL SELECT rule, mid, rid FROM housing WHERE n = 1 AND kind <> housing_safety
"""


def _setup_django(data_dir: str) -> None:
    os.environ["JINGZHUN_DATA_DIR"] = data_dir
    os.environ.pop("JINGZHUN_DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingzhun.settings")
    import django

    django.setup()
    from jingzhun.core.dbstate import initialize

    initialize(printer=lambda *_: None)


NAMES = [
    a + b
    for a in "张王李赵刘陈杨黄周吴"
    for b in ("伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰")
]


def load_registry(members: int, rng: random.Random) -> list[tuple[str, str, str]]:
    """Households of 1–6 members in the county's villages; returns (resident_id, name, birth) of each."""
    from django.db import connection

    from jingzhun.lib import idcard
    from jingzhun.regions.models import Region

    villages = list(
        Region.objects.filter(level="village", code__startswith="430821").values_list("code", flat=True)
    )
    now = "2024-12-01 00:00:00"
    hh_sql = (
        "INSERT INTO registry_household (id, code, village_id, group_name, head_name, head_id_number, head_initials,"
        " phone, identification_standard, attribute, main_cause, other_causes, identified_year, exit_status,"
        " no_longer_enjoying, exit_year, planned_exit_year, housing_safety, relocation, bank_account,"
        " registry_status, member_count, created_at, updated_at, version)"
        " VALUES (?, ?, ?, '', '户主', '', 'hz', '', '国家标准', '一般贫困户', '因病', '', 2015, '已脱贫', 0, 2019,"
        " NULL, ?, '否', '', ?, ?, ?, ?, 1)"
    )
    m_sql = (
        "INSERT INTO registry_member (household_id, name, id_number, resident_id, gender, ethnicity, birth_date,"
        " relation, education, school_status, not_in_school_reason, health, labour_skill, work_months,"
        " medical_insurance, dibao, tekun, is_active, removed_reason, created_at, updated_at, version)"
        " VALUES (?, ?, ?, ?, ?, '汉族', ?, ?, '初中', ?, '', ?, '普通劳动力', NULL, ?, ?, ?, ?, '', ?, ?, 1)"
    )
    raw = connection.connection or (connection.ensure_connection() or connection.connection)
    raw.execute("PRAGMA synchronous=OFF")
    people: list[tuple[str, str, str]] = []
    hid = 0
    while len(people) < members:
        hh_rows, m_rows = [], []
        while len(people) < members and len(hh_rows) < BATCH:
            hid += 1
            n = min(rng.choice((1, 2, 3, 3, 4, 4, 5, 6)), members - len(people))
            hh_rows.append(
                (
                    hid,
                    f"C{hid:09d}",
                    rng.choice(villages),
                    rng.choice("AABBBCD") if rng.random() > 0.1 else "",
                    "在册" if rng.random() > 0.01 else "已清退",
                    n,
                    now,
                    now,
                )
            )
            for k in range(n):
                i = len(people)
                birth = date(1930, 1, 1) + timedelta(days=rng.randrange(0, 365 * 90))
                male = rng.random() < 0.5
                rid = idcard.make(
                    f"43{(i // 500) % 10000:04d}", birth, ((i % 500) * 2 + (1 if male else 2)) % 1000
                )
                name = rng.choice(NAMES)
                people.append((rid, name, birth.isoformat()))
                m_rows.append(
                    (
                        hid,
                        name,
                        rid,
                        rid,
                        "男" if male else "女",
                        birth.isoformat(),
                        "户主" if k == 0 else "之子",
                        rng.choice(("非在校生",) * 5 + ("初中",)),
                        rng.choice(("健康",) * 12 + ("残疾",)),
                        rng.choice((1,) * 20 + (0, None)),
                        rng.choice((0,) * 8 + (1, None)),
                        rng.choice((0,) * 20 + (1,)),
                        0 if rng.random() < 0.02 else 1,
                        now,
                        now,
                    )
                )
        with raw:
            raw.executemany(hh_sql, hh_rows)
            raw.executemany(m_sql, m_rows)
    raw.execute("ANALYZE")
    raw.execute("PRAGMA synchronous=NORMAL")
    return people


def _columns(name: str, rng: random.Random) -> dict[str, str]:
    d = lambda: rng.choice(("2024-12-31", "2025-01-01", "2023-05-06", "2020-01-01"))  # noqa: E731
    return {
        "死亡人口": lambda: {"死亡日期": d()},
        "户籍迁出": lambda: {"迁出日期": d(), "迁往地区": "长沙市"},
        "车辆登记": lambda: {
            "号牌号码": f"湘G{rng.randrange(99999):05d}",
            "车辆类型": rng.choice(("小型轿车", "摩托车", "拖拉机", "中型货车")),
            "注册日期": d(),
        },
        "商品房": lambda: {"房屋坐落": "零阳镇人民路1号", "建筑面积": "98.5", "登记日期": d()},
        "工商注册": lambda: {
            "企业名称": "某某有限公司",
            "身份": rng.choice(("法定代表人", "股东", "监事")),
            "注册资本（万元）": rng.choice(("5", "10", "50")),
            "经营状态": rng.choice(("存续", "在业", "注销")),
        },
        "财政供养": lambda: {"工作单位": "县第一中学", "人员类别": "在编"},
        "低保特困": lambda: {
            "救助类别": rng.choice(("低保", "特困")),
            "起始日期": "2020-01-01",
            "终止日期": rng.choice(("", "2024-06-30")),
        },
        "残疾人": lambda: {"残疾类别": "肢体", "残疾等级": "四级"},
        "学籍": lambda: {"学段": "初中", "学籍状态": rng.choice(("在读", "休学", "辍学"))},
        "医保参保": lambda: {
            "参保年度": rng.choice(("2023", "2024", "2024")),
            "参保状态": rng.choice(("参保", "参保", "未参保")),
        },
        "危房鉴定": lambda: {"鉴定等级": rng.choice("ABCD"), "鉴定日期": d()},
    }[name]()


def write_files(folder: Path, records: int, people: list[tuple[str, str, str]], rng: random.Random) -> None:
    """`<dataset>.csv` for each of the eleven datasets: a third of the rows (医保参保: nine tenths) name a
    member (exact, a
    15-digit old ID, a 20-character 残疾人证 number, or one mistyped digit), the rest people elsewhere."""
    from jingzhun.lib import idcard
    from jingzhun.rules.datasets import SPECS

    per = records // len(SPECS)
    for n, spec in enumerate(SPECS):
        count = per if n < len(SPECS) - 1 else records - per * (len(SPECS) - 1)
        with (folder / f"{spec.name}.csv").open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            header = spec.labels
            writer.writerow(header)
            # the 医保 roll covers most of the county (else nearly every insured member would be a hit)
            share = 0.9 if spec.name == "医保参保" else 0.33
            for i in range(count):
                u = rng.random()
                if u < share:
                    rid, name, _ = people[rng.randrange(len(people))]
                    v = rng.random()
                    if v < 0.05 and rid[6:8] == "19":
                        number = rid[:6] + rid[8:17]
                    elif v < 0.08:
                        number = rid + "41"
                    elif v < 0.1:
                        number = rid[:15] + str((int(rid[15]) + 1) % 10) + rid[16:]
                    else:
                        number = rid
                else:
                    birth = date(1930, 1, 1) + timedelta(days=rng.randrange(0, 365 * 90))
                    number = idcard.make("510000", birth, i % 1000)
                    name = rng.choice(NAMES)
                row = {"证件号码": number, "姓名": name, **_columns(spec.name, rng)}
                writer.writerow([row.get(h, "") for h in header])


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(members: int, records: int, seed: int = 2024) -> dict[str, Any]:
    data_dir = tempfile.mkdtemp(prefix="jingzhun-bench-xc-")
    _setup_django(data_dir)
    from django.db import connection

    from jingzhun.verification.crosscheck import run_crosscheck
    from jingzhun.verification.importer import import_datasets

    rng = random.Random(seed)
    t = time.perf_counter()
    people = load_registry(members, rng)
    folder = Path(data_dir) / "dept"
    folder.mkdir()
    write_files(folder, records, people, rng)
    del people
    setup_s = time.perf_counter() - t
    t = time.perf_counter()
    outcome = import_datasets([str(folder)])
    import_s = time.perf_counter() - t
    assert outcome.ok, [str(e) for e in outcome.result.errors[:5]]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    peak_import = _peak_mb()
    t = time.perf_counter()
    hits = run_crosscheck(YEAR)
    engine_s = time.perf_counter() - t
    peak_engine = _peak_mb()
    t = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(BASELINE_SQL)
        baseline = {tuple(row) for row in cursor.fetchall()}
    baseline_s = time.perf_counter() - t

    with connection.cursor() as cursor:  # the engine names records by fingerprint: compare by it
        cursor.execute("SELECT id, key FROM verification_datasetrecord")
        key_of = dict(cursor.fetchall())
    baseline = {(rule, mid, key_of.get(rid, "")) for rule, mid, rid in baseline}
    engine_set = {(h.rule, h.member_id, h.record_key) for h in hits}
    return {
        "members": members,
        "records": records,
        "import_seconds": round(import_s, 1),
        "import_rows_per_second": round(records / import_s),
        "engine_seconds": round(engine_s, 1),
        "baseline_seconds": round(baseline_s, 1),
        "ratio": round(engine_s / baseline_s, 2),
        "hits": len(hits),
        "baseline_hits": len(baseline),
        "agree": engine_set == baseline,
        "peak_mb_import": round(peak_import),
        "peak_mb": round(peak_engine),  # import and engine; the baseline's own sets come after
        "peak_mb_with_baseline": round(_peak_mb()),
        "setup_seconds": round(setup_s, 1),
        "load": f"{os.getloadavg()[0]:.1f}",
    }


def report(results: list[dict[str, Any]]) -> str:
    from bench.common import stamp

    lines = [
        stamp(),
        "",
        "Departmental cross-check on SQLite: CSV files of all eleven datasets (a third of the rows name a "
        "registry member: exact IDs, 15-digit old IDs, 残疾人证 numbers, one mistyped digit) imported by "
        "`import_datasets` (validation, fingerprints, bulk insert, all-or-nothing in one transaction), then "
        "`run_crosscheck` (every X-* rule, Hits with 说明 and records) against ONE hand-written SQL statement "
        "computing the same (rule, member, record) hits, in the same run on the same file; agreement is "
        "checked as sets. Peak = the process's maximum RSS.",
        "",
        "| members | records | import s | import rows/s (target ≥ 100,000) | engine s (target ≤ 60) "
        "| hand-written SQL s | ratio (target ≤ 2×) | hits | agree | peak MB (target ≤ 2048) | setup s | load |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['members']:,} | {r['records']:,} | {r['import_seconds']} | {r['import_rows_per_second']:,} | "
            f"{r['engine_seconds']} | {r['baseline_seconds']} | {r['ratio']}× | {r['hits']:,} | "
            f"{'yes' if r['agree'] else 'NO'} | {r['peak_mb']} (import {r['peak_mb_import']}) | {r['setup_seconds']} | {r['load']} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="cross-check benchmark")
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv if argv is not None else [])
    if args.one:
        print(json.dumps(run(args.members, args.records), ensure_ascii=False))
        return 0
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.crosscheck",
            "--one",
            "--members",
            str(args.members),
            "--records",
            str(args.records),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    result = json.loads(out.strip().splitlines()[-1])
    text = report([result])
    print(text)
    from bench.common import write_section

    write_section("Departmental cross-check", text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
