"""Load test: 50 locust users of mixed roles (bench/load/locustfile.py) for 2 minutes against the real
server (`jingzhun serve`: gunicorn + the worker, production settings, DEBUG off) on a demo-sized PostgreSQL
database; p50/p95/p99 per page and every error into docs/benchmarks.md.

  python -m bench.load.run [--households 30000] [--users 50] [--minutes 2] [--database-url URL]

Without --database-url a throwaway cluster is started with scripts/pg-throwaway.sh and stopped after.
locust comes from the bench extra (`pip install -e '.[bench]'`); JINGZHUN_LOCUST names another binary.
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
from pathlib import Path

from bench.common import ROOT, git_rev, stamp, write_section
from bench.foundation import JINGZHUN, _wait_up

HERE = Path(__file__).resolve().parent
PG_PORT = 55491
PORT = 18466


def _locust() -> str:
    found = os.environ.get("JINGZHUN_LOCUST") or shutil.which("locust", path=str(Path(sys.executable).parent))
    if not found:
        raise SystemExit("locust is not installed: pip install -e '.[bench]' (or set JINGZHUN_LOCUST)")
    return found


def run(
    households: int, users: int, minutes: float, database_url: str | None, build_demo: bool = True
) -> dict[str, object]:
    work = Path(tempfile.mkdtemp(prefix="jingzhun-bench-load-"))
    work.chmod(0o755)  # as root the cluster runs as `postgres`, which must reach work/pg (mkdtemp is 0700)
    cluster = None
    if database_url is None:
        cluster = work / "pg"
        database_url = subprocess.check_output(
            [str(ROOT / "scripts" / "pg-throwaway.sh"), "start", str(cluster), str(PG_PORT)], text=True
        ).strip()
    env = {**os.environ, "JINGZHUN_DATA_DIR": str(work / "data"), "JINGZHUN_DATABASE_URL": database_url}
    env.pop("JINGZHUN_DEBUG", None)
    server = None
    server_log = (work / "server.log").open("w")
    locust_log = (work / "locust.log").open("w")
    try:
        t0 = time.perf_counter()
        if build_demo:
            subprocess.run(
                [JINGZHUN, "demo", "--no-serve", "--households", str(households)],
                env=env,
                check=True,
                stdout=subprocess.DEVNULL,
            )
        build = time.perf_counter() - t0 if build_demo else float("nan")
        subprocess.run(
            [JINGZHUN, "init"], env=env, check=True, stdout=subprocess.DEVNULL
        )  # a reused database
        accounts = work / "accounts.json"
        subprocess.run(
            [sys.executable, "-m", "bench.load.users", str(accounts)], env=env, check=True, cwd=ROOT
        )
        server = subprocess.Popen(
            [JINGZHUN, "serve", "--port", str(PORT)], env=env, stdout=subprocess.DEVNULL, stderr=server_log
        )
        base = f"http://127.0.0.1:{PORT}"
        _wait_up(base)
        load_before = os.getloadavg()
        prefix = work / "locust"
        subprocess.run(
            [
                _locust(),
                "-f",
                str(HERE / "locustfile.py"),
                "--headless",
                "-u",
                str(users),
                "-r",
                "2",
                "-t",
                f"{int(minutes * 60)}s",
                "--host",
                base,
                "--csv",
                str(prefix),
                "--only-summary",
            ],
            env={**env, "JINGZHUN_LOAD_USERS": str(accounts)},
            check=False,  # locust exits 1 when any request failed; the report says which
            stdout=locust_log,
            stderr=subprocess.STDOUT,
        )
        load_after = os.getloadavg()
        stats = list(csv.DictReader(Path(f"{prefix}_stats.csv").read_text(encoding="utf-8").splitlines()))
        failures = list(
            csv.DictReader(Path(f"{prefix}_failures.csv").read_text(encoding="utf-8").splitlines())
        )
        return {
            "households": households,
            "users": users,
            "minutes": minutes,
            "build": build,
            "stats": stats,
            "failures": failures,
            "load": (load_before, load_after),
        }
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=60)
        server_log.close()
        locust_log.close()
        if cluster is not None:
            subprocess.run([str(ROOT / "scripts" / "pg-throwaway.sh"), "stop", str(cluster)], check=False)
        shutil.rmtree(work, ignore_errors=True)


def report(o: dict) -> str:
    rows = [
        "| request | count | failures | p50 ms | p95 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for s in o["stats"]:
        name = (
            s["Name"]
            if s["Type"] in ("GET", "") or s["Name"].startswith(("PATCH", "POST"))
            else f"{s['Type']} {s['Name']}"
        )
        if s["Name"] == "Aggregated":
            name = "**all requests**"
        rows.append(
            f"| {name} | {s['Request Count']} | {s['Failure Count']} | {s['50%']} | {s['95%']} | {s['99%']} "
            f"| {float(s['Max Response Time']):.0f} |"
        )
    total = next((s for s in o["stats"] if s["Name"] == "Aggregated"), None)
    errors = "; ".join(f"{f['Method']} {f['Name']}: {f['Error']} ×{f['Occurrences']}" for f in o["failures"])
    (b1, b5, _), (a1, a5, _) = o["load"]
    built = (
        "built beforehand" if o["build"] != o["build"] else f"built in {o['build']:.0f} s"
    )  # nan: --no-build
    return "\n".join(
        [
            stamp(),
            "",
            f"Commit {git_rev()}. {o['users']} locust users for {o['minutes']:g} min against `jingzhun serve` "
            f"(gunicorn gthread, 2 workers, the background worker; production settings, DEBUG off) on PostgreSQL "
            f"(a throwaway cluster of scripts/pg-throwaway.sh: fsync off) holding `jingzhun demo --households "
            f"{o['households']}` ({built}). Users: 15 village cadres (household page, edit "
            "page + PATCH through the API with the version read, the village's registry export), 15 helpers (我的结对户, household page, visit "
            "form + visit recorded through the API), 10 township cadres (household list pages, a name search, "
            "township page), 10 county leaders (脱贫 progress /exit/, county page, 帮扶 coverage, ledger summary, a masked "
            "export of one village). An export counts as an error unless the answer is the xlsx itself. "
            "Each signs in as a person does: password, then the TOTP code of its own authenticator (enrolled "
            "beforehand by bench/load/users.py) where the role asks for it; then it works with the session "
            "cookie and its CSRF token. Waits of 1–3 s between tasks; users start at 2 per second (the sign-ins "
            "spread over 25 s). A GET whose reused keep-alive connection the server closed at that instant is "
            "re-sent once, as a browser does; writes are never re-sent.",
            "",
            f"Load average before / after: {b1:.1f} / {a1:.1f} (1 min), {b5:.1f} / {a5:.1f} (5 min); the machine "
            "is shared (2 cores, other sessions' jobs), so absolute times are upper bounds.",
            "",
            *rows,
            "",
            f"Errors: {errors or 'none'}."
            + (f" ({total['Failure Count']} failed of {total['Request Count']}.)" if total else ""),
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--households", type=int, default=30000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--minutes", type=float, default=2)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--no-build", action="store_true", help="the database already holds the demo")
    args = parser.parse_args(argv if argv is not None else [])
    outcome = run(args.households, args.users, args.minutes, args.database_url, not args.no_build)
    write_section("Load test (locust, mixed roles, PostgreSQL)", report(outcome))
    print(report(outcome))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
