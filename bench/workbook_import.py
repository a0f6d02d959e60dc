"""Registry workbook benchmark: import of a synthetic county (CSV folder and xlsx) on SQLite and PostgreSQL,
as a ratio to a baseline measured in the same run (read the same file with calamine / the csv module and
insert the same rows with raw `executemany` / `COPY`, no validation), plus export time and peak memory at
two registry sizes.

Run alone: `python -m bench.workbook_import [--households 330000] [--backends sqlite,postgresql]
[--formats csv,xlsx]`. Every command runs as a child process under `/usr/bin/time -v` (peak RSS).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench.common import ROOT, stamp, write_section

PYTHON = sys.executable
JINGZHUN = str(Path(sys.executable).with_name("jingzhun"))
TIME = "/usr/bin/time"
IMPORT_RATIO_TARGET = 2.5
MEMORY_TARGET_MB = 1536
EXPORT_TARGET_S = 60.0
SHEETS = ("户", "成员", "村")


@dataclass
class Run:
    seconds: float
    peak_mb: float
    output: str = ""
    cpu_seconds: float = 0.0  # user + system time of the child (/usr/bin/time -v), 0 when not known

    @property
    def import_seconds(self) -> float | None:
        """The importer's own time (`import_path`), as `registry import` prints it, without the
        re-assessment the command runs after a written import."""
        match = re.search(r"（(\d+(?:\.\d+)?) 秒）", self.output)
        return float(match.group(1)) if match else None


def run_child(*, argv: list[str], env: dict[str, str]) -> Run:
    """Run `argv`, return wall time and peak RSS (from /usr/bin/time -v, else RUSAGE_CHILDREN)."""
    with tempfile.NamedTemporaryFile("w+", suffix=".log") as log, tempfile.NamedTemporaryFile("w+") as out:
        timed = [TIME, "-v", *argv] if os.path.exists(TIME) else argv
        started = time.perf_counter()
        done = subprocess.run(timed, env=env, cwd=ROOT, stdout=out, stderr=log, check=False)
        seconds = time.perf_counter() - started
        log.seek(0)
        text = log.read()
        out.seek(0)
        output = out.read()
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({done.returncode}):\n{text[-3000:]}")
    match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
    if match:
        peak_kb = int(match.group(1))
    else:
        import resource

        peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    cpu = sum(float(m) for m in re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", text))
    return Run(seconds, peak_kb / 1024, output, cpu)


def subset_csv(*, folder: Path, out: Path, households: int) -> None:
    """The first `households` households of `folder` and their members (the 村 sheet unchanged)."""
    out.mkdir(parents=True, exist_ok=True)
    codes: set[str] = set()
    with (
        (folder / "户.csv").open(encoding="utf-8-sig", newline="") as src,
        (out / "户.csv").open("w", encoding="utf-8-sig", newline="") as dst,
    ):
        reader, writer = csv.reader(src), csv.writer(dst, lineterminator="\r\n")
        writer.writerow(next(reader))
        for row in reader:
            if len(codes) >= households:
                break
            codes.add(row[0])
            writer.writerow(row)
    with (
        (folder / "成员.csv").open(encoding="utf-8-sig", newline="") as src,
        (out / "成员.csv").open("w", encoding="utf-8-sig", newline="") as dst,
    ):
        reader, writer = csv.reader(src), csv.writer(dst, lineterminator="\r\n")
        writer.writerow(next(reader))
        writer.writerows(row for row in reader if row[0] in codes)
    shutil.copy(folder / "村.csv", out / "村.csv")


class Databases:
    """Fresh databases of the app's schema: SQLite files, or databases of a throwaway PostgreSQL cluster."""

    def __init__(self, *, work: Path, backend: str, pg_url: str | None):
        self.work = work
        self.backend = backend
        self.pg_url = pg_url
        self.count = 0

    def fresh(self, *, label: str) -> dict[str, str]:
        self.count += 1
        env = {**os.environ, "JINGZHUN_DATA_DIR": str(self.work / f"{self.backend}-{label}-{self.count}")}
        env.pop("JINGZHUN_DATABASE_URL", None)
        if self.backend == "postgresql":
            import psycopg

            assert self.pg_url is not None
            name = f"bench_{label}_{self.count}"
            with psycopg.connect(self.pg_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
                conn.execute(f'CREATE DATABASE "{name}"')
            env["JINGZHUN_DATABASE_URL"] = self.pg_url.rsplit("/", 1)[0] + f"/{name}"
        run_child(argv=[JINGZHUN, "init"], env=env)
        return env


def measure_import(*, dbs: Databases, source: Path, fmt: str) -> dict[str, Any]:
    env = dbs.fresh(label=f"{fmt}-import")
    imported = run_child(argv=[JINGZHUN, "registry", "import", str(source)], env=env)
    base_env = dbs.fresh(label=f"{fmt}-baseline")
    baseline = run_child(argv=[PYTHON, "-m", "bench.workbook_baseline", str(source)], env=base_env)
    return {"env": env, "import": imported, "baseline": baseline}


def count_rows(*, folder: Path) -> tuple[int, int]:
    def lines(name: str) -> int:
        with (folder / f"{name}.csv").open("rb") as fh:
            return sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b"")) - 1

    return lines("户"), lines("成员")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=330_000)
    parser.add_argument("--export-small", type=int, default=0, help="households of the smaller export (N/3)")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--formats", default="csv,xlsx")
    parser.add_argument("--work", default="", help="working folder, kept (default: a temporary one, removed)")
    parser.add_argument("--prepare", action="store_true", help="only generate the files into --work")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the backends measured by an earlier run into --work (results.json)",
    )
    args = parser.parse_args(argv if argv is not None else [])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingzhun.settings")
    work = Path(args.work or tempfile.mkdtemp(prefix="jingzhun-wbbench-"))
    work.mkdir(parents=True, exist_ok=True)
    backends = [b for b in args.backends.split(",") if b]
    formats = [f for f in args.formats.split(",") if f]
    small = args.export_small or args.households * 3 // 10
    load_before = os.getloadavg()
    # PostgreSQL runs as the `postgres` user, who cannot enter a --work folder under /root
    pg_dir = Path(tempfile.mkdtemp(prefix="jingzhun-wbbench-pg-"))
    saved_path = work / "results.json"
    saved: dict[str, Any] = json.loads(saved_path.read_text()) if args.reuse and saved_path.exists() else {}
    pg_url: str | None = None
    try:
        gen_env = {**os.environ, "JINGZHUN_DATA_DIR": str(work / "gen")}
        gen_env.pop("JINGZHUN_DATABASE_URL", None)
        folder = work / "county"
        if (folder / "成员.csv").exists() and (work / "generated.txt").exists():  # --work of an earlier run
            generated = Run(float((work / "generated.txt").read_text()), 0.0)
        else:
            generated = run_child(
                argv=[JINGZHUN, "generate", str(folder), "--households", str(args.households), "--seed", "1"],
                env=gen_env,
            )
            (work / "generated.txt").write_text(f"{generated.seconds:.1f}")
        households, members = count_rows(folder=folder)
        print(
            f"generated {households:,} households / {members:,} members in {generated.seconds:.0f} s",
            flush=True,
        )
        sources = {"csv": folder}
        if "xlsx" in formats:
            if not (work / "county.xlsx").exists():
                started = time.perf_counter()
                run_child(
                    argv=[
                        PYTHON,
                        "-m",
                        "bench.workbook_baseline",
                        "--to-xlsx",
                        str(folder),
                        str(work / "county.xlsx"),
                    ],
                    env=gen_env,
                )
                print(f"xlsx written in {time.perf_counter() - started:.0f} s", flush=True)
            sources["xlsx"] = work / "county.xlsx"
        if args.prepare:
            return 0
        results: dict[tuple[str, str], dict[str, Any]] = {}
        exports: list[tuple[str, int, Run]] = []
        reused: list[str] = []
        for backend in backends:
            if backend in saved:  # --reuse: measured by an earlier run on the same files
                for fmt, pair in saved[backend]["imports"].items():
                    results[(backend, fmt)] = {k: Run(**v) for k, v in pair.items()}
                exports += [(backend, size, Run(**run)) for size, run in saved[backend]["exports"]]
                print(f"{backend}: reusing the results of an earlier run", flush=True)
                reused.append(f"{backend} ({saved[backend].get('measured', 'an earlier run')})")
                continue
            if backend == "postgresql":
                pg_url = subprocess.check_output(
                    [str(ROOT / "scripts" / "pg-throwaway.sh"), "start", str(pg_dir), "55491"], text=True
                ).strip()
            dbs = Databases(work=work, backend=backend, pg_url=pg_url)
            for fmt in formats:
                result = measure_import(dbs=dbs, source=sources[fmt], fmt=fmt)
                results[(backend, fmt)] = result
                print(
                    f"{backend} {fmt}: import {result['import'].seconds:.1f} s / {result['import'].peak_mb:.0f} MB,"
                    f" baseline {result['baseline'].seconds:.1f} s",
                    flush=True,
                )
            full_env = results[(backend, formats[0])]["env"]
            out = work / f"export-{backend}.xlsx"
            exports.append(
                (
                    backend,
                    households,
                    run_child(argv=[JINGZHUN, "registry", "export", str(out)], env=full_env),
                )
            )
            print(f"{backend} export {households:,}: {exports[-1][2].seconds:.1f} s", flush=True)
            if backend == "sqlite":
                small_folder = work / "county-small"
                subset_csv(folder=folder, out=small_folder, households=small)
                small_env = dbs.fresh(label="small")
                run_child(argv=[JINGZHUN, "registry", "import", str(small_folder)], env=small_env)
                exports.append(
                    (
                        backend,
                        small,
                        run_child(
                            argv=[JINGZHUN, "registry", "export", str(work / "small.xlsx")], env=small_env
                        ),
                    )
                )
                print(f"{backend} export {small:,}: {exports[-1][2].seconds:.1f} s", flush=True)
            if backend == "postgresql":
                subprocess.run([str(ROOT / "scripts" / "pg-throwaway.sh"), "stop", str(pg_dir)], check=False)
                pg_url = None
            saved[backend] = {
                "measured": stamp().split(" on ")[0].removeprefix("Measured "),
                "imports": {
                    fmt: {k: asdict(r[k]) for k in ("import", "baseline")}
                    for (b, fmt), r in results.items()
                    if b == backend
                },
                "exports": [(size, asdict(run)) for b, size, run in exports if b == backend],
            }
            saved_path.write_text(json.dumps(saved, ensure_ascii=False))
        text = report(
            households=households,
            members=members,
            generated=generated,
            results=results,
            exports=exports,
            loads=(load_before, os.getloadavg()),
            reused=reused,
        )
    finally:
        if pg_url is not None:
            subprocess.run([str(ROOT / "scripts" / "pg-throwaway.sh"), "stop", str(pg_dir)], check=False)
        shutil.rmtree(pg_dir, ignore_errors=True)
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    print(text)
    write_section("Workbook import and export", text)
    return 0


def report(
    *,
    households: int,
    members: int,
    generated: Run,
    results: dict[tuple[str, str], dict[str, Any]],
    exports: list[tuple[str, int, Run]],
    loads: tuple[tuple[float, float, float], tuple[float, float, float]],
    reused: list[str] | None = None,
) -> str:
    before, after = loads
    lines = [
        stamp(),
        "",
        *(
            [
                f"Rows of {', '.join(reused)} are reused from that earlier run on the same files (`--reuse`).",
                "",
            ]
            if reused
            else []
        ),
        f"Load average (1/5/15 min) at the start {before[0]:.2f} / {before[1]:.2f} / {before[2]:.2f}, at the end "
        f"{after[0]:.2f} / {after[1]:.2f} / {after[2]:.2f}: other jobs share this machine, so absolute times are "
        "inflated; the ratios compare runs made under the same load.",
        "",
        f"Synthetic county (`jingzhun generate --seed 1`): {households:,} households, {members:,} members, generated "
        f"as a CSV folder in {generated.seconds:.0f} s; the xlsx holds the same rows (written by `xlsx_writer`). Every "
        "step is a child process, into a fresh database after `jingzhun init`; peak memory is the child's maximum "
        "RSS (`/usr/bin/time -v`). Baseline (`bench/workbook_baseline.py`): read the same file with calamine (xlsx) "
        "or the csv module (CSV) and insert the same rows into registry_household, registry_member and "
        "registry_incomerecord with raw `executemany` (SQLite) or `COPY` (PostgreSQL), one transaction, no "
        "validation, in a fresh database of the same schema.",
        "",
        "`registry import` runs the import (`import_path`, the time it prints) and then, since the import wrote, "
        "re-assesses the current year over the county (its reaction job, `standards.services.reassess_imported`); the ratio is the "
        "import's own time over the baseline's wall time, the command's wall time is shown beside it.",
        "",
        "| database | file | import | `registry import` wall (with re-assessment) | peak memory | baseline | "
        "baseline peak | ratio (≤ 2.5) | wall ratio | memory ≤ 1.5 GB |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    misses: list[str] = []
    for (backend, fmt), r in results.items():
        imp, base = r["import"], r["baseline"]
        own = imp.import_seconds or imp.seconds
        ratio = own / base.seconds
        ok_ratio = ratio <= IMPORT_RATIO_TARGET
        ok_mem = imp.peak_mb <= MEMORY_TARGET_MB
        if not ok_ratio:
            misses.append(f"import ratio {backend}/{fmt} {ratio:.2f}× > {IMPORT_RATIO_TARGET}×")
        if not ok_mem:
            misses.append(f"import memory {backend}/{fmt} {imp.peak_mb:.0f} MB > 1.5 GB")
        lines.append(
            f"| {backend} | {fmt} | {own:.1f} s | {imp.seconds:.1f} s | {imp.peak_mb:.0f} MB | {base.seconds:.1f} s | "
            f"{base.peak_mb:.0f} MB | {ratio:.2f}× {'✓' if ok_ratio else '✗'} | {imp.seconds / base.seconds:.2f}× | "
            f"{'✓' if ok_mem else '✗'} |"
        )
    lines += [
        "",
        "Export (`jingzhun registry export OUT.xlsx`, whole registry, our streaming writer `workbook/xlsx_writer.py`); the "
        "smaller registry is the first households of the same file imported into another SQLite database:",
        "",
        "| database | households | wall | peak memory | target ≤ 60 s |",
        "|---|---|---|---|---|",
    ]
    for backend, size, run in exports:
        ok = run.seconds <= EXPORT_TARGET_S or size < households
        if not ok:
            misses.append(f"export {backend} {size:,} households {run.seconds:.1f} s > 60 s")
        lines.append(
            f"| {backend} | {size:,} | {run.seconds:.1f} s | {run.peak_mb:.0f} MB | "
            f"{'—' if size < households else ('✓' if ok else '✗')} |"
        )
    lines += ["", "Misses: " + ("; ".join(misses) if misses else "none") + "."]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
