"""Two code trees in the same run (issue 10: restructuring must not cost time): `registry import` of one
synthetic county (a CSV folder) into a fresh SQLite database, then the whole-county assessment
(`assess county`), each a child process; the trees alternate, so both see the same machine load.

    python -m bench.same_run --base /path/to/base/src --households 50000 --repeats 2

Prints a Markdown table of wall and CPU seconds per tree (median of the repeats) and the ratios."""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _child(src: Path, data: Path, *args: str) -> tuple[float, float]:
    env = {**os.environ, "PYTHONPATH": str(src), "JINGZHUN_DATA_DIR": str(data)}
    env.pop("JINGZHUN_DATABASE_URL", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "jingzhun.cli", *args], env=env, capture_output=True, text=True, check=False
    )
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(
            f"{src}: jingzhun {' '.join(args)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
        )
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True, help="the other tree's src folder (e.g. main's)")
    parser.add_argument("--households", type=int, default=50_000)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--year", type=int, default=2018)
    args = parser.parse_args(argv)
    trees = {"base": Path(args.base).resolve(), "this": ROOT / "src"}
    with tempfile.TemporaryDirectory() as work:
        county = Path(work) / "county"
        _child(
            trees["this"],
            Path(work) / "gen",
            "generate",
            "--households",
            str(args.households),
            "--seed",
            "1",
            str(county),
        )
        results: dict[str, dict[str, list[float]]] = {
            name: {"import wall": [], "import cpu": [], "assess wall": [], "assess cpu": []} for name in trees
        }
        for i in range(args.repeats):
            for name, src in trees.items() if i % 2 == 0 else reversed(list(trees.items())):
                data = Path(work) / f"{name}-{i}"
                _child(src, data, "init")
                wall, cpu = _child(src, data, "registry", "import", str(county))
                results[name]["import wall"].append(wall)
                results[name]["import cpu"].append(cpu)
                wall, cpu = _child(src, data, "assess", "county", "--year", str(args.year))
                results[name]["assess wall"].append(wall)
                results[name]["assess cpu"].append(cpu)
    load = os.getloadavg()
    print(f"{args.households:,} households, {args.repeats} repeats, load average now {load[0]:.1f}")
    print("| step | base wall s | this wall s | wall ratio | base CPU s | this CPU s | CPU ratio |")
    print("|---|---|---|---|---|---|---|")
    for step in ("import", "assess"):
        med = {n: {k: statistics.median(v) for k, v in r.items()} for n, r in results.items()}
        bw, tw = med["base"][f"{step} wall"], med["this"][f"{step} wall"]
        bc, tc = med["base"][f"{step} cpu"], med["this"][f"{step} cpu"]
        print(f"| {step} | {bw:.1f} | {tw:.1f} | {tw / bw:.2f}× | {bc:.1f} | {tc:.1f} | {tc / bc:.2f}× |")
    print("raw:", results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
