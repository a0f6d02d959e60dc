"""Shared benchmark helpers: machine description, percentiles, and sections of docs/benchmarks.md."""

from __future__ import annotations

import hashlib
import hmac
import os
import platform
import re
import statistics
import struct
import subprocess
import sys
import time
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "docs" / "benchmarks.md"
HEADER = """# Benchmarks

Measured by `make bench` (`python -m bench.run`). Every figure is a ratio to a baseline measured in the
same run on the same machine, plus the absolute numbers. Sections are rewritten by the benchmark that owns
them; the machine line says where and when each was measured.
"""


def machine() -> str:
    cpu = platform.processor() or ""
    with suppress(OSError):  # not Linux: keep platform's answer
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = ""
    with suppress(OSError, AttributeError):
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))  # type: ignore[union-attr]
        mem = f"{kb / 1024 / 1024:.0f} GiB RAM"
    return f"{os.cpu_count()} cores ({cpu}), {mem}, Python {platform.python_version()}, {platform.system()}"


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def median(samples: list[float]) -> float:
    return statistics.median(samples)


def stamp() -> str:
    return f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine()}."


def git_rev() -> str:
    try:
        return subprocess.check_output(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, text=True).strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def write_section(title: str, body: str) -> None:
    """Replace (or append) the `## title` section of docs/benchmarks.md."""
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else HEADER
    block = f"## {title}\n\n{body.strip()}\n\n"
    pattern = re.compile(rf"^## {re.escape(title)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _: block, text)
    else:
        text = text.rstrip() + "\n\n" + block
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text.rstrip() + "\n", encoding="utf-8")


def login_verified(client, user) -> None:
    """Sign a benchmark client in with both factors, as a real sign-in ends (password, then the TOTP code
    verified in the session): county roles are sent to the second factor otherwise (django-otp)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="基准测试认证器", confirmed=True
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def totp(key_hex: str, at: float | None = None, step: int = 30, digits: int = 6) -> str:
    """The code an authenticator shows for a TOTP key (RFC 6238, as django-otp checks it)."""
    counter = int((time.time() if at is None else at) // step)
    mac = hmac.new(bytes.fromhex(key_hex), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    code = (struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF) % 10**digits
    return f"{code:0{digits}d}"


ENROL = """
import django, sys
django.setup()
from django.contrib.auth import get_user_model
from django_otp.plugins.otp_totp.models import TOTPDevice
user = get_user_model().objects.get(username=sys.argv[1])
print(TOTPDevice.objects.create(user=user, name="基准测试认证器", confirmed=True).key)
"""


def enrol_totp(env: dict[str, str], username: str) -> str:
    """Give a user of the benchmark's database a confirmed authenticator (what /account/otp/enrol/ leaves)
    and return its key, so the benchmark signs in with both factors as the user would."""
    env = {**env, "DJANGO_SETTINGS_MODULE": "jingzhun.settings"}
    out = subprocess.check_output([sys.executable, "-c", ENROL, username], env=env, text=True)
    return out.strip().splitlines()[-1]
