"""Export benchmark (issue 11): the registry export as each role makes it, as ratios to a baseline
measured in the same run on the same database.

    python -m bench.export                       # 30,000 and 300,000 households; writes docs/benchmarks.md
    python -m bench.export --sizes 30000 --data-root /tmp/bench-export   # reuse demo databases built there

Setup (not measured): `jingzhun demo --no-serve --households N` into `<data-root>/demo-N` (SQLite, the
embedded default), reused when an earlier run built it. Each size is measured in a child process that
writes the export the way the product does (workbook.export_jobs.write_export: the household list's
query scoped by households_visible, masked by the role's masker, all five sheets, audited):

- one village, as the county admin and as 县领导 (filter 村 = the demo village cadre's village), each as a
  ratio to the same village exported by its own village cadre (no filter: their scope is the village);
- the whole county as the county admin and as 县领导, as a ratio to the same export with the household
  set resolved beforehand: no village cadre covers the county, so the baseline is the county admin's
  export of `Household.objects.filter(registry_status=在册)` — the county's households without any scope
  predicate (an id list of 300k would exceed SQLite's 32,766 bound variables; for a county-wide scope the
  resolved list *is* every active household). Same masking (none for the admin), same file.
- the export button at county scope: what the request does before it answers (count the households,
  enqueue the job, redirect), as a ratio to /healthz served by the same test client.

`--before PATH` additionally times the one-village exports with the code at PATH/src (e.g. a `git
archive` of the commit before the fix), to show what the fix changed; it is optional and slow.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import git_rev, login_verified, stamp, write_section

JINGZHUN = str(Path(sys.executable).with_name("jingzhun"))
DEFAULT_SIZES = "30000,300000"


def _build(data_dir: Path, households: int) -> float:
    marker = data_dir / "built"
    if marker.exists():
        return float(marker.read_text().strip() or 0)
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "JINGZHUN_DATA_DIR": str(data_dir)}
    env.pop("JINGZHUN_DATABASE_URL", None)
    started = time.perf_counter()
    subprocess.run(
        [JINGZHUN, "demo", "--no-serve", "--households", str(households)],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    seconds = time.perf_counter() - started
    marker.write_text(f"{seconds:.0f}")
    return seconds


# --- the child: one database, JSON out --------------------------------------------------------------
def _timed(fn: Any, repeats: int) -> tuple[dict[str, float], Any]:
    """Median wall time and median CPU time of this process (the SQLite work runs in-process, so CPU time
    holds the export's whole work and is far less disturbed by other jobs on a shared machine)."""
    walls, cpus, result = [], [], None
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - wall)
    return {"seconds": statistics.median(walls), "cpu": statistics.median(cpus)}, result


def _row(timing: dict[str, float], counts: dict[str, Any]) -> dict[str, Any]:
    return {"households": counts["households"], "members": counts["members"], **timing}


def measure(data_dir: str, repeats: int, only_village: bool) -> dict[str, Any]:
    os.environ["JINGZHUN_DATA_DIR"] = data_dir
    os.environ.pop("JINGZHUN_DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingzhun.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from jingzhun.accounts.access import actor_for
    from jingzhun.registry import enums
    from jingzhun.registry.models import Household
    from jingzhun.registry.selectors import HouseholdFilter, filter_households, households_visible
    from jingzhun.workbook.exporter import export_registry

    try:
        from jingzhun.workbook.export_jobs import write_export
    except ImportError:  # the code before the fix (--before): the same export, written by the view then

        def write_export(*, actor: Any, flt: Any, out: str, **_: Any) -> dict[str, int]:
            query = filter_households(households_visible(actor), flt)
            return export_registry(out, actor_or_none=actor, household_ids_query=query)

    users = {
        u.username: u for u in get_user_model().objects.filter(username__in=["admin", "leader", "village"])
    }
    actors = {name: actor_for(user) for name, user in users.items()}
    village = actors["village"].prefixes[0]
    out = tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False).name  # noqa: SIM115 - removed below

    def export(who: str, flt: Any) -> Any:
        return lambda: write_export(actor=actors[who], flt=flt, out=out)

    results: dict[str, Any] = {"village": village, "households": Household.objects.count()}
    own = HouseholdFilter()
    one = HouseholdFilter(region=village)
    for key, who, flt in (
        ("village_by_cadre", "village", own),
        ("village_by_admin", "admin", one),
        ("village_by_leader", "leader", one),
    ):
        timing, counts = _timed(export(who, flt), repeats)
        results[key] = _row(timing, counts)
    if not only_village:
        admin = actors["admin"]
        resolved = Household.objects.filter(registry_status=enums.RegistryStatus.ACTIVE)
        county_repeats = max(1, repeats // 3)
        timing, counts = _timed(
            lambda: export_registry(out, actor_or_none=admin, household_ids_query=resolved), county_repeats
        )
        results["county_resolved"] = _row(timing, counts)
        for key, who in (("county_by_admin", "admin"), ("county_by_leader", "leader")):
            timing, counts = _timed(export(who, own), county_repeats)
            results[key] = _row(timing, counts)
        results["button"] = _button(users["admin"], repeats)
    os.unlink(out)
    return results


def _button(admin: Any, repeats: int) -> dict[str, float]:
    """The county admin's export button (no filter): count, enqueue, redirect — the request's whole work."""
    from django.test import Client

    from jingzhun.jobs.models import Job

    client = Client(HTTP_HOST="127.0.0.1")
    login_verified(client, admin)
    health, _ = _timed(lambda: client.get("/healthz"), repeats * 4)

    def press() -> int:
        response = client.get("/registry/export/")
        assert response.status_code == 302, response.status_code
        assert "/account/" not in response["Location"], response[
            "Location"
        ]  # the job page, not a sign-in step
        return response.status_code

    timing, _ = _timed(press, repeats)
    Job.objects.filter(kind="registry_export", status="queued").delete()  # never run: only the request
    return {**timing, "healthz": health["seconds"], "healthz_cpu": health["cpu"]}


# --- the parent --------------------------------------------------------------------------------------
def _child(data_dir: Path, repeats: int, src: str = "", only_village: bool = False) -> dict[str, Any]:
    env = {**os.environ}
    if src:
        env["PYTHONPATH"] = f"{src}{os.pathsep}{Path(__file__).resolve().parent.parent}"
    cmd = [sys.executable, "-m", "bench.export", "--measure", str(data_dir), "--repeats", str(repeats)]
    if only_village:
        cmd.append("--only-village")
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms" if seconds < 10 else f"{seconds:,.1f} s"


def _line(n: str, label: str, x: dict[str, Any], base: dict[str, Any] | None) -> str:
    counts = f"{x['households']:,} / {x['members']:,}" if "households" in x else "—"
    if base is None:
        return f"| {n} | {label} — baseline | {counts} | {_ms(x['seconds'])} | {_ms(x['cpu'])} | — | 1.00× | 1.00× |"
    return (
        f"| {n} | {label} | {counts} | {_ms(x['seconds'])} | {_ms(x['cpu'])} | {_ms(base['cpu'])} | "
        f"{x['cpu'] / base['cpu']:.2f}× | {x['seconds'] / base['seconds']:.2f}× |"
    )


def report(runs: list[dict[str, Any]], load: tuple[str, str]) -> str:
    lines = [
        stamp(),
        "",
        f"Commit {git_rev()}. SQLite (embedded default), databases built by `jingzhun demo --no-serve` "
        "(registry imported through the importer, help data seeded, 2018 assessed). Each export writes the "
        "five sheets (户 · 成员 · 村 · 帮扶责任人 · 帮扶措施) the way the list's export button does "
        "(`workbook.export_jobs.write_export`, which the background job calls): median of the repeats, "
        "in-process, no HTTP. Baselines: one village as its own village cadre; the county as the county "
        "admin with the household set resolved beforehand (every 在册 household, no scope predicate — an id "
        "list of 300k would exceed SQLite's bound-variable limit, and for a county-wide scope the resolved "
        "list is every active household).",
        "",
        f"Load average (1/5/15 min) at the start {load[0]}, at the end {load[1]} on 2 cores: other jobs "
        "share this machine, so wall times are inflated and noisy; CPU time (of the one process doing the "
        "export and its SQLite reads) is the steadier measure and the ratio to read first.",
        "",
        "| households | export | households / members | wall | CPU | baseline CPU | CPU ratio | wall ratio |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        r = run["results"]
        n = f"{r['households']:,}"
        base_v = r["village_by_cadre"]
        lines.append(_line(n, f"one village ({r['village']}) as its village cadre", base_v, None))
        lines.append(_line(n, "one village as the county admin", r["village_by_admin"], base_v))
        lines.append(_line(n, "one village as 县领导 (masked)", r["village_by_leader"], base_v))
        if "county_resolved" in r:
            base_c = r["county_resolved"]
            lines.append(_line(n, "county, households resolved beforehand", base_c, None))
            lines.append(_line(n, "county as the county admin", r["county_by_admin"], base_c))
            lines.append(_line(n, "county as 县领导 (masked)", r["county_by_leader"], base_c))
            b = r["button"]
            health = {"seconds": b["healthz"], "cpu": b["healthz_cpu"]}
            lines.append(
                _line(n, "county export button (count + enqueue + redirect), baseline /healthz", b, health)
            )
        if run.get("before"):
            bv = run["before"]
            lines.append(
                _line(
                    n, "code before the fix: one village as its village cadre", bv["village_by_cadre"], None
                )
            )
            for key, label in (("village_by_admin", "county admin"), ("village_by_leader", "县领导")):
                lines.append(
                    _line(n, f"code before the fix: one village as {label}", bv[key], bv["village_by_cadre"])
                )
    lines += [
        "",
        "Database builds (setup, not measured): "
        + "; ".join(
            f"{run['results']['households']:,} households {run['build_seconds']:,.0f} s" for run in runs
        )
        + ".",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="export benchmark")
    parser.add_argument("--sizes", default=DEFAULT_SIZES)
    parser.add_argument("--data-root", default="", help="where demo-N databases are built and reused")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--before", default="", help="a checkout of the code before the fix (its src/)")
    parser.add_argument("--measure", default="", help=argparse.SUPPRESS)  # internal: the child
    parser.add_argument("--only-village", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv if argv is not None else [])
    if args.measure:
        print(json.dumps(measure(args.measure, args.repeats, args.only_village), ensure_ascii=False))
        return 0
    start_load = " / ".join(Path("/proc/loadavg").read_text().split()[:3])
    root = Path(args.data_root or tempfile.mkdtemp(prefix="jingzhun-bench-export-"))
    runs = []
    for size in (int(s) for s in args.sizes.split(",")):
        data_dir = root / f"demo-{size}"
        build = _build(data_dir, size)
        repeats = args.repeats if size <= 30000 else max(3, args.repeats // 2)
        run: dict[str, Any] = {"build_seconds": build, "results": _child(data_dir, repeats)}
        if args.before and size <= 30000:
            run["before"] = _child(data_dir, 1, src=str(Path(args.before) / "src"), only_village=True)
        print(json.dumps(run, ensure_ascii=False), flush=True)
        runs.append(run)
    end_load = " / ".join(Path("/proc/loadavg").read_text().split()[:3])
    text = report(runs, (start_load, end_load))
    print(text)
    write_section("Registry export by role", text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
