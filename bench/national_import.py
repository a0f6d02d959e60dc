"""National person list benchmark (docs/national-list.md): import of a 2021+ national list (one row per person,
household fields repeated, villages by name) of the synthetic county, as a ratio to the raw-load baseline of
the registry workbook benchmark (`bench/workbook_baseline.py`: read the same people as the registry workbook
CSV folder and insert them with raw `executemany` / `COPY`, no validation), measured in the same run.

Run alone: `python -m bench.national_import [--households 330000] [--backends sqlite,postgresql]
[--work DIR]`. Every command is a child process under `/usr/bin/time -v` (peak RSS).
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from bench.common import ROOT, git_rev, stamp, write_section
from bench.workbook_import import JINGZHUN, PYTHON, Databases, count_rows, run_child

RATIO_TARGET = 2.5
MEMORY_TARGET_MB = 1536
DATA = ROOT / "src" / "jingzhun" / "regions" / "data"


def _names() -> tuple[dict[str, str], dict[str, tuple[str, str]]]:
    townships = {}
    with (DATA / "cili_townships.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            townships[row["code"]] = row["name"]
    villages = {}
    with (DATA / "cili_villages.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            # as the national system writes it: 杜坪村 for 杜坪村委会 (the suffix rule is exercised)
            name = row["name"].removesuffix("委会") if row["name"].endswith("村委会") else row["name"]
            villages[row["code"]] = (townships[row["parent_code"]], name)
    return townships, villages


def to_national(*, folder: Path, out: Path, layout: str = "2021") -> int:
    """The registry workbook CSV folder as a national person list of `layout` (UTF-8 CSV); returns its rows."""
    from jingzhun.workbook.national_layout import LAYOUT_2016, LAYOUT_2021

    _, villages = _names()
    households: dict[str, list[str]] = {}
    with (folder / "户.csv").open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        head = {h: i for i, h in enumerate(next(reader))}
        h = head
        income_cols = [h[c] for c in ("工资性收入", "生产经营性收入", "财产性收入", "转移性收入")]
        for row in reader:
            net = sum(Decimal(row[i] or 0) for i in income_cols) - Decimal(row[h["生产经营性支出"]] or 0)
            households[row[h["户编号"]]] = [
                row[h["行政区划代码"]],
                row[h["村民小组"]],
                row[h["联系电话"]],
                row[h["主要致贫原因"]],
                "是" if row[h["住房安全等级"]] in ("C", "D") else "否",
                row[h["饮水安全"]],
                str(net),
                row[h["识别年度"]],
                "脱贫户" if row[h["脱贫状态"]] == "已脱贫" else "一般农户",
                row[h["脱贫状态"]],
                row[h["贫困户属性"]],
            ]
    sizes: dict[str, int] = {}
    with (folder / "成员.csv").open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        next(reader)
        for row in reader:
            sizes[row[0]] = sizes.get(row[0], 0) + 1
    n = 0
    with (
        (folder / "成员.csv").open(encoding="utf-8-sig", newline="") as src,
        out.open("w", encoding="utf-8", newline="") as dst,
    ):
        reader = csv.reader(src)
        m = {name: i for i, name in enumerate(next(reader))}
        writer = csv.writer(dst)
        writer.writerow(LAYOUT_2021 if layout == "2021" else LAYOUT_2016)
        seq: dict[str, int] = {}
        for row in reader:
            code = row[m["户编号"]]
            village, group, phone, cause, dilapidated, water, net, year, kind, status, attribute = households[
                code
            ]
            size = sizes[code]
            seq[code] = seq.get(code, 0) + 1
            n += 1
            township, village_name = villages[village]
            if layout == "2016":
                writer.writerow(
                    [
                        "慈利县", township, village_name, group, code, f"{code}{seq[code]:02d}", row[m["姓名"]],
                        row[m["证件号码"]], size, row[m["与户主关系"]], row[m["民族"]], row[m["文化程度"]],
                        row[m["在校生状况"]], row[m["健康状况"]], row[m["劳动技能"]], row[m["务工时间（月）"]],
                        row[m["参加大病保险"]], status, attribute, cause,
                    ]
                )  # fmt: skip
                continue
            per_capita = (Decimal(net) / size).quantize(Decimal("0.01"))
            writer.writerow(
                [
                    n, "2024-06-30", "慈利县", township, village_name, group, code, f"{code}{seq[code]:02d}",
                    row[m["姓名"]], row[m["证件号码"]], size, row[m["与户主关系"]], row[m["民族"]],
                    row[m["文化程度"]], row[m["在校生状况"]], row[m["健康状况"]], row[m["劳动技能"]],
                    row[m["务工时间（月）"]], row[m["参加大病保险"]], cause, dilapidated, water, per_capita, phone,
                    "", f"{year}-01-01", f"{year}-01-01", kind, "", "", "", "",
                ]
            )  # fmt: skip
    return n


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=330_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--work", default="", help="working folder, kept (default: a temporary one, removed)")
    parser.add_argument("--pg-port", default="55492")
    parser.add_argument("--layouts", default="2021,2016", help="national layouts to measure")
    parser.add_argument(
        "--skip-workbook",
        action="store_true",
        help="skip the reference import of the registry workbook CSV folder",
    )
    args = parser.parse_args(argv if argv is not None else [])
    options = " ".join(argv or [])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingzhun.settings")
    work = Path(args.work or tempfile.mkdtemp(prefix="jingzhun-natbench-"))
    work.mkdir(parents=True, exist_ok=True)
    pg_dir = Path(tempfile.mkdtemp(prefix="jingzhun-natbench-pg-"))
    load_before = os.getloadavg()
    pg_url: str | None = None
    rows: list[str] = []
    misses: list[str] = []
    try:
        for stale in [*work.glob("sqlite-*"), *work.glob("postgresql-*")]:  # databases of an earlier run
            shutil.rmtree(stale, ignore_errors=True)
        folder = work / "county"
        if not (folder / "成员.csv").exists():
            gen_env = {**os.environ, "JINGZHUN_DATA_DIR": str(work / "gen")}
            gen_env.pop("JINGZHUN_DATABASE_URL", None)
            run_child(
                argv=[JINGZHUN, "generate", str(folder), "--households", str(args.households), "--seed", "1"],
                env=gen_env,
            )
        households, members = count_rows(folder=folder)
        layouts = [x for x in args.layouts.split(",") if x]
        lists: dict[str, Path] = {}
        for layout in layouts:
            lists[layout] = work / f"national-{layout}.csv"
            started = time.perf_counter()
            people = to_national(folder=folder, out=lists[layout], layout=layout)
            print(
                f"{layout}: {households:,} households / {people:,} people, written in {time.perf_counter() - started:.0f} s"
            )
        for backend in [b for b in args.backends.split(",") if b]:
            if backend == "postgresql":
                pg_url = subprocess.check_output(
                    [str(ROOT / "scripts" / "pg-throwaway.sh"), "start", str(pg_dir), args.pg_port], text=True
                ).strip()
            dbs = Databases(work=work, backend=backend, pg_url=pg_url)
            # the registry workbook import of the same people, for reference (its own benchmark's ratio)
            workbook = (
                None
                if args.skip_workbook
                else run_child(argv=[JINGZHUN, "registry", "import", str(folder)], env=dbs.fresh(label="wb"))
            )
            for layout in layouts:
                imported = run_child(
                    argv=[JINGZHUN, "registry", "import", str(lists[layout])], env=dbs.fresh(label="nat")
                )
                # the baseline right after, under the same load
                baseline = run_child(
                    argv=[PYTHON, "-m", "bench.workbook_baseline", str(folder)], env=dbs.fresh(label="base")
                )
                own = imported.import_seconds or imported.seconds
                ratio = own / baseline.seconds
                ok_ratio, ok_mem = ratio <= RATIO_TARGET, imported.peak_mb <= MEMORY_TARGET_MB
                if not ok_ratio:
                    misses.append(f"{backend} {layout} ratio {ratio:.2f}× > {RATIO_TARGET}×")
                if not ok_mem:
                    misses.append(f"{backend} {layout} memory {imported.peak_mb:.0f} MB > 1.5 GB")
                cpu_ratio = (
                    f"{imported.cpu_seconds / baseline.cpu_seconds:.2f}×" if baseline.cpu_seconds else "—"
                )
                reference = (
                    "—" if workbook is None else f"{(workbook.import_seconds or workbook.seconds):.1f} s"
                )
                rows.append(
                    f"| {backend} | {layout} | {people:,} | {own:.1f} s | {imported.seconds:.1f} s | "
                    f"{imported.peak_mb:.0f} MB | {baseline.seconds:.1f} s | {baseline.peak_mb:.0f} MB | "
                    f"{ratio:.2f}× {'✓' if ok_ratio else '✗'} | {'✓' if ok_mem else '✗'} | "
                    f"{imported.cpu_seconds:.0f} s / {baseline.cpu_seconds:.0f} s = {cpu_ratio} | {reference} |"
                )
                print(rows[-1], flush=True)
            if backend == "postgresql":
                subprocess.run([str(ROOT / "scripts" / "pg-throwaway.sh"), "stop", str(pg_dir)], check=False)
                pg_url = None
            write_section(
                "National person list import", _text(households, members, load_before, rows, misses, options)
            )
    finally:
        if pg_url is not None:
            subprocess.run([str(ROOT / "scripts" / "pg-throwaway.sh"), "stop", str(pg_dir)], check=False)
        shutil.rmtree(pg_dir, ignore_errors=True)
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    text = _text(households, members, load_before, rows, misses, options)
    print(text)
    write_section("National person list import", text)
    return 0


def _text(
    households: int,
    members: int,
    load_before: tuple[float, float, float],
    rows: list[str],
    misses: list[str],
    options: str,
) -> str:
    after = os.getloadavg()
    return "\n".join(
        [
            stamp(),
            "",
            f"Commit {git_rev()}. Command: `flock /tmp/bench.lock python -m bench.national_import` (options: "
            f"{options or 'none'}); also run by `make bench` (`bench/run.py`).",
            "",
            f"Load average (1/5/15 min) at the start {load_before[0]:.2f} / {load_before[1]:.2f} / "
            f"{load_before[2]:.2f}, at the end {after[0]:.2f} / {after[1]:.2f} / {after[2]:.2f} (a shared machine: "
            "the ratio compares runs made under the same load).",
            "",
            f"The synthetic county (`jingzhun generate --seed 1`, {households:,} households, {members:,} members) "
            "written as a national person list of each layout (`bench/national_import.py`: UTF-8 CSV, one row per "
            "person, the household columns on every row, villages by name as the national system writes them, e.g. "
            "杜坪村 for 杜坪村委会; the 2021+ list has 32 columns, 人员识别时间 kept per person, the 2016–2019 one 20). `jingzhun registry import LIST.csv` into a fresh database after `jingzhun init`; the "
            "ratio is the import's own time (the figure it prints, without the re-assessment that follows) over the "
            "raw-load baseline of the registry workbook benchmark (`bench/workbook_baseline.py` on the same people "
            "as the workbook's CSV folder: csv module + raw `executemany` / `COPY`, no validation). CPU is the "
            "child's user + system time (/usr/bin/time -v): steadier than wall time on a shared machine, but on "
            "PostgreSQL it leaves out the server's own work.",
            "",
            "| database | layout | people | import | `registry import` wall | peak memory | baseline | baseline peak | "
            "ratio (≤ 2.5) | memory ≤ 1.5 GB | CPU import / baseline | registry workbook import of the same people |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|",
            *rows,
            "",
            "Misses: " + ("; ".join(misses) if misses else "none") + ".",
        ]
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
