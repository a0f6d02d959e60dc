"""Foundation benchmark: demo build time; household list and household page latency at 30k and 300k
households, each as a ratio to a trivial Django view (/healthz) served by the same server in the same run.

Run alone: `python -m bench.foundation [--sizes 30000,300000] [--requests 200]`.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

from bench.common import enrol_totp, percentile, stamp, totp, write_section

JINGZHUN = str(Path(sys.executable).with_name("jingzhun"))


def _opener() -> urllib.request.OpenerDirector:
    jar = http.cookiejar.CookieJar()
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))


def _wait_up(base: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("server did not start")


def _login(
    opener: urllib.request.OpenerDirector,
    base: str,
    username: str,
    password: str,
    totp_key: str | None = None,
) -> None:
    """Sign in as a person does: the password, then (roles that need it) the TOTP code of the user's
    authenticator (bench.common.enrol_totp)."""
    page = opener.open(f"{base}/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    data = urllib.parse.urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token})
    req = urllib.request.Request(f"{base}/login/", data=data.encode(), headers={"Referer": f"{base}/login/"})
    response = opener.open(req)
    body = response.read().decode()
    if "/account/otp/verify/" in response.geturl():
        if totp_key is None:
            raise RuntimeError(f"{username}: the second factor is required (bench.common.enrol_totp)")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)  # type: ignore[union-attr]
        data = urllib.parse.urlencode({"token": totp(totp_key), "csrfmiddlewaretoken": token})
        verify = response.geturl()
        req = urllib.request.Request(verify, data=data.encode(), headers={"Referer": verify})
        body = opener.open(req).read().decode()
    if 'data-testid="whoami"' not in body:
        raise RuntimeError("login failed")


def _measure(opener: urllib.request.OpenerDirector, url: str, n: int) -> list[float]:
    for _ in range(10):
        opener.open(url).read()
    samples = []
    for _ in range(n):
        t0 = time.perf_counter()
        with opener.open(url) as response:
            response.read()
            assert response.status == 200, (url, response.status)
        samples.append((time.perf_counter() - t0) * 1000)
    return samples


def run_size(households: int, requests: int, work: str | None = None) -> dict[str, object]:
    """Build a demo of `households` (or reuse the one kept under `work` by an earlier run) and measure."""
    keep = work is not None
    data_dir = os.path.join(work, str(households)) if work else tempfile.mkdtemp(prefix="jingzhun-bench-")
    env = {**os.environ, "JINGZHUN_DATA_DIR": data_dir}
    env.pop("JINGZHUN_DATABASE_URL", None)
    build_seconds: float | None = None
    if not (keep and os.path.exists(os.path.join(data_dir, "jingzhun.sqlite3"))):
        t0 = time.perf_counter()
        subprocess.run(
            [JINGZHUN, "demo", "--no-serve", "--households", str(households)],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        build_seconds = time.perf_counter() - t0
    port = 18000 + households % 1000
    server = subprocess.Popen(
        [JINGZHUN, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_up(base)
        opener = _opener()
        _login(opener, base, "admin", "admin@Cili2018", enrol_totp(env, "admin"))
        listing = opener.open(f"{base}/households/").read().decode()
        household_id = re.search(r'href="/households/(\d+)/"', listing).group(1)  # type: ignore[union-attr]
        township = re.search(r'<option value="(\d{9}000)"', listing).group(1)  # type: ignore[union-attr]
        urls = {
            "trivial view (/healthz)": f"{base}/healthz",
            "page baseline (/account/tokens/: one indexed query, full template)": f"{base}/account/tokens/",
            "household list, first page": f"{base}/households/",
            "household list, filtered (township + 未脱贫)": f"{base}/households/?region={township}&exit_status="
            + urllib.parse.quote("未脱贫"),
            "household list, pinyin search `zs`": f"{base}/households/?q=zs",
            "household page": f"{base}/households/{household_id}/",
        }
        load_before = os.getloadavg()[0]
        results = {name: _measure(opener, url, requests) for name, url in urls.items()}
        load_after = os.getloadavg()[0]
    finally:
        server.terminate()
        server.wait(timeout=30)
        if not keep:
            shutil.rmtree(data_dir, ignore_errors=True)
    return {
        "households": households,
        "build_seconds": build_seconds,
        "results": results,
        "load": (load_before, load_after),
    }


def report(runs: list[dict[str, object]], requests: int) -> str:
    lines = [
        stamp(),
        "",
        f"SQLite (embedded default), `jingzhun serve` (gunicorn, 2 gthread workers), {requests} sequential "
        "requests per URL after 10 warm-ups, logged in as the county admin (widest scope) with both factors "
        "(password, then the TOTP code of an authenticator enrolled for the run). Two baselines: /healthz (no "
        "query, no template) and /account/tokens/ (one indexed query, the full page template).",
        "",
    ]
    lines += ["| households | `jingzhun demo --no-serve` build |", "|---|---|"]
    for run in runs:
        built = run["build_seconds"]
        lines.append(
            f"| {run['households']:,} | "
            + (
                f"{built:.1f} s |"
                if built is not None
                else "reused a demo kept by an earlier run (`--work`) |"
            )
        )
    lines.append("")
    for run in runs:
        results: dict[str, list[float]] = run["results"]  # type: ignore[assignment]
        base = results["trivial view (/healthz)"]
        page = next(v for k, v in results.items() if k.startswith("page baseline"))
        b50, b95 = percentile(base, 50), percentile(base, 95)
        g50, g95 = percentile(page, 50), percentile(page, 95)
        lines += [
            f"### {run['households']:,} households",
            "",
            f"Load average (1 min) before / after: {run['load'][0]:.1f} / {run['load'][1]:.1f}.",  # type: ignore[index]
            "",
            "| request | p50 ms | p95 ms | p50 ÷ /healthz | p95 ÷ /healthz | p50 ÷ page baseline "
            "| p95 ÷ page baseline |",
            "|---|---|---|---|---|---|---|",
        ]
        for name, samples in results.items():
            p50, p95 = percentile(samples, 50), percentile(samples, 95)
            lines.append(
                f"| {name} | {p50:.1f} | {p95:.1f} | {p50 / b50:.1f}× | {p95 / b95:.1f}× "
                f"| {p50 / g50:.1f}× | {p95 / g95:.1f}× |"
            )
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="30000,300000")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument(
        "--work", default=None, help="keep demo databases here and reuse them on the next run"
    )
    args = parser.parse_args(argv if argv is not None else [])
    runs = [run_size(int(s), args.requests, args.work) for s in args.sizes.split(",")]
    text = report(runs, args.requests)
    print(text)
    write_section("Foundation: demo build and page latency", text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
