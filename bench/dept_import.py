"""Benchmark: the departmental import (部门数据导入, spec/verification.md §2) on SQLite and PostgreSQL.

    python -m bench.dept_import --records 10000000           # the issue's size: all eleven datasets
    python -m bench.dept_import --records 1000000            # quick (bench/run.py default)
    python -m bench.dept_import --records 200000 --xlsx      # also one .xlsx workbook of the same rows

`<dataset>.csv` files of all eleven datasets (a real mix: 18-digit IDs, 15-digit first-generation IDs,
20-character 残疾人证 numbers, lower-case x, dates in three formats, empty optional cells) are written
once, streamed (setup, not measured). Then, per database, in the same run on the same files:

- **import**: `verification.importer.import_datasets` of the folder — every check of the spec, the
  fingerprints, the typed columns, replacing the previous copy, all-or-nothing in one transaction;
- **raw load (baseline)**: the same rows, read by `csv.reader` and written as they are (every cell a
  text column) by the fastest plain load of the backend — `executemany` in one transaction on SQLite,
  `COPY … FROM STDIN` on PostgreSQL — into a table without indexes, no checks at all.

rows/s = records ÷ seconds; ratio = import seconds ÷ raw-load seconds. Each measurement runs in its own
child process, so peak memory (maximum RSS) is that step's own.
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

NAMES = [
    a + b for a in "张王李赵刘陈杨黄周吴" for b in ("伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋")
]


def _date(rng: random.Random) -> str:
    d = date(2015, 1, 1) + timedelta(days=rng.randrange(0, 3650))
    style = rng.random()
    if style < 0.8:
        return d.isoformat()
    if style < 0.9:
        return f"{d.year}/{d.month}/{d.day}"
    return d.strftime("%Y%m%d")


def _columns(name: str, rng: random.Random) -> dict[str, str]:
    choice = rng.choice
    if name == "死亡人口":
        return {"死亡日期": _date(rng)}
    if name == "户籍迁出":
        return {"迁出日期": _date(rng), "迁往地区": choice(("长沙市", "广东省深圳市", ""))}
    if name == "车辆登记":
        return {
            "号牌号码": f"湘G{rng.randrange(99999):05d}",
            "车辆类型": choice(("小型轿车", "摩托车", "拖拉机", "中型货车", "三轮汽车")),
            "注册日期": choice((_date(rng), "")),
        }
    if name == "商品房":
        return {
            "房屋坐落": f"零阳镇人民路{rng.randrange(1, 999)}号",
            "建筑面积": choice(("98.5", "120", "86.25", "")),
            "登记日期": _date(rng),
        }
    if name == "工商注册":
        return {
            "企业名称": f"慈利县{choice(NAMES)}农业有限公司",
            "身份": choice(("法定代表人", "股东", "监事")),
            "注册资本（万元）": choice(("5", "10", "50", "12.5")),
            "经营状态": choice(("存续", "在业", "注销", "吊销")),
        }
    if name == "财政供养":
        return {"工作单位": choice(("县第一中学", "零阳镇人民政府", "县人民医院")), "人员类别": "在编"}
    if name == "低保特困":
        return {
            "救助类别": choice(("低保", "特困")),
            "起始日期": _date(rng),
            "终止日期": choice(("", _date(rng))),
        }
    if name == "残疾人":
        return {
            "残疾类别": choice(("肢体", "视力", "智力")),
            "残疾等级": choice(("一级", "二级", "三级", "四级")),
        }
    if name == "学籍":
        return {"学段": choice(("小学", "初中", "高中")), "学籍状态": choice(("在读", "休学", "辍学"))}
    if name == "医保参保":
        return {"参保年度": choice(("2023", "2024")), "参保状态": choice(("参保", "参保", "未参保"))}
    return {"鉴定等级": choice("ABCD"), "鉴定日期": _date(rng)}


def _id(i: int, rng: random.Random) -> str:
    from jingzhun.lib import idcard

    birth = date(1930, 1, 1) + timedelta(days=rng.randrange(0, 365 * 90))
    number = idcard.make(f"43{(i // 1000) % 10000:04d}", birth, i % 1000)
    u = rng.random()
    if u < 0.04 and number[6:8] == "19":
        return number[:6] + number[8:17]  # 15-digit first-generation ID
    if u < 0.06:
        return number + "41"  # 残疾人证 number
    if u < 0.08:
        return number.lower()
    return number


def write_files(folder: Path, records: int, seed: int = 2024) -> None:
    """`<dataset>.csv` for each of the eleven datasets, streamed row by row (never held)."""
    from jingzhun.rules.datasets import SPECS

    rng = random.Random(seed)
    per = records // len(SPECS)
    folder.mkdir(parents=True, exist_ok=True)
    for n, spec in enumerate(SPECS):
        count = per if n < len(SPECS) - 1 else records - per * (len(SPECS) - 1)
        with (folder / f"{spec.name}.csv").open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            header = spec.labels
            writer.writerow(header)
            for i in range(count):
                row = {
                    "证件号码": _id(n * per + i, rng),
                    "姓名": rng.choice(NAMES),
                    **_columns(spec.name, rng),
                }
                writer.writerow([row.get(h, "") for h in header])


def write_xlsx(folder: Path, target: Path) -> None:
    """One workbook of the same rows, a sheet per dataset (constant memory: xlsxwriter's own mode)."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(target), {"constant_memory": True})
    for path in sorted(folder.glob("*.csv")):
        sheet = book.add_worksheet(path.stem)
        with path.open(encoding="utf-8", newline="") as fh:
            for r, cells in enumerate(csv.reader(fh)):
                sheet.write_row(r, 0, cells)
    book.close()


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _setup_django(data_dir: str, database_url: str) -> None:
    os.environ["JINGZHUN_DATA_DIR"] = data_dir
    if database_url:
        os.environ["JINGZHUN_DATABASE_URL"] = database_url
    else:
        os.environ.pop("JINGZHUN_DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingzhun.settings")
    import django

    django.setup()
    from jingzhun.core.dbstate import initialize

    initialize(printer=lambda *_: None)


def measure_import(path: str) -> dict[str, Any]:
    from jingzhun.verification.importer import import_datasets

    t = time.perf_counter()
    outcome = import_datasets([path])
    seconds = time.perf_counter() - t
    if not outcome.ok:
        raise SystemExit("import failed: " + "; ".join(str(e) for e in outcome.result.errors[:5]))
    return {"seconds": seconds, "rows": sum(outcome.datasets.values()), "peak_mb": _peak_mb()}


def measure_store(folder: str) -> dict[str, Any]:
    """The write path alone (the floor of the import): every row checked and made ready for the database
    BEFORE the clock starts (held in memory: rows on SQLite, COPY text on PostgreSQL), then timed as the
    import writes them — record indexes dropped, the rows in (SQLite executemany / PostgreSQL COPY),
    indexes and foreign key built again, commit."""
    from contextlib import ExitStack
    from itertools import islice

    from django.db import connection, transaction
    from django.utils import timezone

    from jingzhun.rules.datasets import SPEC_BY_NAME
    from jingzhun.verification import importer
    from jingzhun.verification.dataset_rows import SheetRows
    from jingzhun.verification.dataset_workers import BATCH, copy_text
    from jingzhun.verification.dataset_writer import RecordWriter
    from jingzhun.verification.sources import sheets

    copy = connection.vendor == "postgresql"
    county = importer.county_code()
    batches: list[Any] = []
    names: list[str] = []
    result = importer.ImportResult()
    with ExitStack() as stack:
        for sheet in sheets([folder], stack):
            plan = SheetRows(SPEC_BY_NAME[sheet.name], sheet.rows.header, result)
            dataset = importer._replace(county, sheet.name, plan.columns, None, sheet.file, timezone.now())
            names.append(sheet.name)
            records = plan.records(sheet.rows.rows, dataset.pk, lambda: True, copy=copy)
            while batch := list(islice(records, BATCH)):
                batches.append(copy_text(batch) if copy else batch)
    rows = sum(b.count(b"\n") if copy else len(b) for b in batches)
    t = time.perf_counter()
    with transaction.atomic(), RecordWriter() as writer:
        indexes = importer._Indexes()
        indexes.maybe_drop(names, rows, county)
        with writer.stream() as put:
            for batch in batches:
                put(batch)
        indexes.restore()
        writer.written = rows
        writer.finish()  # PostgreSQL: ANALYZE, as the import does
    seconds = time.perf_counter() - t
    return {"seconds": seconds, "rows": rows, "peak_mb": _peak_mb()}


RAW_TABLE = "bench_raw_load"


def measure_raw(folder: str) -> dict[str, Any]:
    """The baseline: the same rows as text, straight in with no checks (one transaction)."""
    from django.db import connection, transaction

    paths = sorted(Path(folder).glob("*.csv"))
    width = 6
    columns = ", ".join(f"c{i} text" for i in range(width))
    t = time.perf_counter()
    rows = 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {RAW_TABLE}")
        cursor.execute(f"CREATE TABLE {RAW_TABLE} (ds text, n integer, {columns})")
        for path in paths:
            with path.open(encoding="utf-8", newline="") as fh:
                reader = csv.reader(fh)
                next(reader)
                pad = [None] * width
                data = ((path.stem, n, *(cells + pad)[:width]) for n, cells in enumerate(reader, 2))
                if connection.vendor == "postgresql":
                    with cursor.cursor.copy(f"COPY {RAW_TABLE} FROM STDIN") as copy:
                        for row in data:
                            copy.write_row(row)
                            rows += 1
                else:
                    sql = f"INSERT INTO {RAW_TABLE} VALUES ({', '.join(['?'] * (width + 2))})"
                    raw = cursor.cursor
                    while batch := [row for _, row in zip(range(50_000), data, strict=False)]:
                        raw.executemany(sql, batch)
                        rows += len(batch)
    seconds = time.perf_counter() - t
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {RAW_TABLE}")
    return {"seconds": seconds, "rows": rows, "peak_mb": _peak_mb()}


def _child(step: str, path: str, database_url: str) -> dict[str, Any]:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.dept_import",
            "--one",
            step,
            "--path",
            path,
            "--database-url",
            database_url,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(
            f"{step} on {database_url or 'SQLite'} failed:\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}"
        )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _fresh_postgres(url: str, suffix: str = "") -> str:
    """A new, empty database on the server of `url` (dropped at the end by the caller)."""
    import psycopg

    name = f"bench_dept_{os.getpid()}{suffix}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    return url.rsplit("/", 1)[0] + "/" + name


def _drop_postgres(url: str, fresh: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {fresh.rsplit('/', 1)[1]}")


def run(records: int, postgres: str, xlsx: bool) -> list[dict[str, Any]]:
    load_start = f"{os.getloadavg()[0]:.1f}"
    work = Path(tempfile.mkdtemp(prefix="jingzhun-bench-dept-"))
    folder = work / "dept"
    t = time.perf_counter()
    write_files(folder, records)
    book = work / "部门数据.xlsx"
    if xlsx:
        write_xlsx(folder, book)
    setup = time.perf_counter() - t
    size_mb = sum(p.stat().st_size for p in folder.glob("*.csv")) / 1e6
    results = []
    backends = [("SQLite", "")] + ([("PostgreSQL", postgres)] if postgres else [])
    for label, url in backends:
        target = _fresh_postgres(url) if url else f"sqlite:///{work}/{label}.sqlite3"
        try:
            raw = _child("raw", str(folder), target)
            # the write path alone (rows made beforehand), into an empty database of its own
            alone = _fresh_postgres(url, "_store") if url else f"sqlite:///{work}/{label}-store.sqlite3"
            try:
                store = _child("store", str(folder), alone)
            finally:
                if url:
                    _drop_postgres(url, alone)
            imported = _child("import", str(folder), target)  # the first import: an empty table
            again = _child("import", str(folder), target)  # replacing the previous copy
            row: dict[str, Any] = {
                "backend": label,
                "format": "CSV",
                "records": records,
                "raw_s": raw["seconds"],
                "raw_peak_mb": raw["peak_mb"],
                "store_s": store["seconds"],
                "import_s": imported["seconds"],
                "reimport_s": again["seconds"],
                "peak_mb": max(imported["peak_mb"], again["peak_mb"]),
            }
            results.append(row)
            if xlsx:
                x = _child("import", str(book), target)
                results.append(
                    {
                        "backend": label,
                        "format": "xlsx",
                        "records": records,
                        "import_s": x["seconds"],
                        "peak_mb": x["peak_mb"],
                    }
                )
        finally:
            if url:
                _drop_postgres(url, target)
    for r in results:
        r.update(setup_s=setup, csv_mb=size_mb, load=f"{os.getloadavg()[0]:.1f}", load_start=load_start)
    return results


def report(results: list[dict[str, Any]]) -> str:
    from bench.common import git_rev, stamp

    lines = [
        stamp(),
        "",
        "Departmental import (`python -m bench.dept_import`): CSV files of all eleven datasets, one folder, "
        "imported by `import_datasets` (every check, fingerprints, typed columns, all-or-nothing in one "
        "transaction) — first into an empty table, then again replacing that copy — against the raw load "
        "of the same rows with no checks (SQLite executemany in one transaction / PostgreSQL COPY into a "
        "table of text columns without indexes), and against the import's write path alone (every row "
        "checked and made ready BEFORE the clock starts, then written as the import writes them: indexes "
        "dropped, executemany / COPY into the real table, indexes and foreign key built again, commit — "
        "the floor no check can go under), in the same run on the same files. Each step is its own "
        f"process; peak = its maximum RSS. Commit {git_rev()}; load average at the start "
        f"{results[0]['load_start']}, at the end {results[0]['load']}.",
        "",
        "| backend | format | records | import s | rows/s (target ≥ 100,000) | re-import s | rows/s | raw load s "
        "| raw rows/s | import ÷ raw | write path alone s | its rows/s | import ÷ write alone "
        "| peak MB (target ≤ 2048) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        n = r["records"]
        if r["format"] == "CSV":
            lines.append(
                f"| {r['backend']} | CSV | {n:,} | {r['import_s']:.1f} | {n / r['import_s']:,.0f} | "
                f"{r['reimport_s']:.1f} | {n / r['reimport_s']:,.0f} | {r['raw_s']:.1f} | {n / r['raw_s']:,.0f} | "
                f"{r['import_s'] / r['raw_s']:.2f}× | {r['store_s']:.1f} | {n / r['store_s']:,.0f} | "
                f"{r['import_s'] / r['store_s']:.2f}× | {r['peak_mb']:.0f} (raw {r['raw_peak_mb']:.0f}) |"
            )
        else:
            lines.append(
                f"| {r['backend']} | xlsx | {n:,} | {r['import_s']:.1f} | {n / r['import_s']:,.0f} | | | | | | | | | "
                f"{r['peak_mb']:.0f} |"
            )
    lines.append("")
    lines.append(
        f"CSV {results[0]['csv_mb']:.0f} MB; writing the files (setup, not measured) {results[0]['setup_s']:.0f} s."
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="departmental import benchmark")
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument(
        "--postgres", default=os.environ.get("JINGZHUN_BENCH_POSTGRES", ""), help="a server URL"
    )
    parser.add_argument("--xlsx", action="store_true", help="also import one .xlsx workbook of the rows")
    parser.add_argument("--one", choices=("import", "raw", "store"), help=argparse.SUPPRESS)
    parser.add_argument("--path", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", default="", help=argparse.SUPPRESS)
    args = parser.parse_args(argv if argv is not None else [])
    if args.one:
        _setup_django(tempfile.mkdtemp(prefix="jingzhun-bench-dept-data-"), args.database_url)
        step = {"import": measure_import, "raw": measure_raw, "store": measure_store}[args.one]
        print(json.dumps(step(args.path)))
        return 0
    text = report(run(args.records, args.postgres, args.xlsx))
    print(text)
    from bench.common import write_section

    write_section("Departmental import", text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
