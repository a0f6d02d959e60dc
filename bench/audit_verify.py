"""Audit chain check (issue 15): `verify_database` (what `jingzhun audit verify` and the nightly job run) as
a CPU-time ratio to a baseline in the same process on the same rows — the same keyset-paged read of every
entry (core.verify.rows) without the hashing — so the figure says what verifying costs over reading.

    python -m bench.audit_verify [--entries 200000] [--database-url URL --existing]

SQLite by default: a fresh database filled with `--entries` import-sized entries (chained as the importer
writes them). `--database-url URL --existing` measures the chain already in that database (e.g. a demo).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.common import git_rev, stamp, write_section

JINGZHUN = str(Path(sys.executable).with_name("jingzhun"))
CHILD = r"""
import json, os, sys, time, resource
import django
django.setup()
from django.db import transaction
from jingzhun.core import audit
from jingzhun.core.models import AuditEntry
from jingzhun.core.verify import rows, verify_database

entries, repeats = int(sys.argv[1]), int(sys.argv[2])
if entries:
    after = {f"field{n}": f"值{n}" * 3 for n in range(12)}
    for start in range(0, entries, 20000):
        with transaction.atomic():
            audit.record_many([
                audit.entry(actor=None, action="import.create", object_type="household", object_id=n,
                            household_id=None, after=after, note="bench")
                for n in range(start, min(entries, start + 20000))
            ])

def timed(fn):
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, out

def read_only():
    n = 0
    for _ in rows():
        n += 1
    return n

result = {"count": AuditEntry.objects.count(), "read": [], "verify": []}
for _ in range(repeats):
    w, c, n = timed(read_only)
    result["read"].append((w, c))
    w, c, verdict = timed(verify_database)
    assert verdict.ok, verdict.message
    result["verify"].append((w, c))
result["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(result))
"""


def measure(env: dict[str, str], entries: int, repeats: int) -> dict:
    env = {**env, "DJANGO_SETTINGS_MODULE": "jingzhun.settings"}
    load = os.getloadavg()
    out = subprocess.check_output(
        [sys.executable, "-c", CHILD, str(entries), str(repeats)], env=env, text=True
    )
    result = json.loads(out.strip().splitlines()[-1])
    result["load"] = (load[0], os.getloadavg()[0])
    return result


def report(runs: list[tuple[str, dict]]) -> str:
    lines = [
        stamp(),
        "",
        f"Commit {git_rev()}. Median of the repeats, in one process: the baseline reads every entry the way "
        "the check does (the same keyset pages of 5,000 rows, raw from the cursor) and does nothing else; the check adds "
        "the JSON parse, the canonical form and SHA-256 per entry. CPU is the process's user + system time (the database "
        "server's own time on PostgreSQL is not in it).",
        "",
        "| database | entries | read wall | read CPU | verify wall | verify CPU | CPU ratio | wall ratio | "
        "peak RSS | load avg before / after |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for name, r in runs:
        rw = statistics.median(w for w, _ in r["read"])
        rc = statistics.median(c for _, c in r["read"])
        vw = statistics.median(w for w, _ in r["verify"])
        vc = statistics.median(c for _, c in r["verify"])
        lines.append(
            f"| {name} | {r['count']:,} | {rw:.1f} s | {rc:.1f} s | {vw:.1f} s | {vc:.1f} s | {vc / rc:.2f}× "
            f"| {vw / rw:.2f}× | {r['rss_mb']:.0f} MB | {r['load'][0]:.1f} / {r['load'][1]:.1f} |"
        )
    per = [(statistics.median(c for _, c in r["verify"]) / r["count"]) * 1e6 for _, r in runs if r["count"]]
    lines += ["", "Verify CPU per entry: " + ", ".join(f"{p:.0f} µs" for p in per) + "."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=200_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--existing", action="store_true", help="measure the chain already in --database-url")
    args = parser.parse_args(argv if argv is not None else [])
    runs = []
    with tempfile.TemporaryDirectory(prefix="jingzhun-bench-audit-") as data:
        env = {**os.environ, "JINGZHUN_DATA_DIR": data}
        env.pop("JINGZHUN_DATABASE_URL", None)
        subprocess.run([JINGZHUN, "init"], env=env, check=True, stdout=subprocess.DEVNULL)
        runs.append(("SQLite", measure(env, args.entries, args.repeats)))
        if args.database_url:
            pg = {**env, "JINGZHUN_DATABASE_URL": args.database_url}
            subprocess.run([JINGZHUN, "init"], env=pg, check=True, stdout=subprocess.DEVNULL)
            runs.append(("PostgreSQL", measure(pg, 0 if args.existing else args.entries, args.repeats)))
    write_section("Audit chain check (measured by make bench)", report(runs))
    print(report(runs))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
