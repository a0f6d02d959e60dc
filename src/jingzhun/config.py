"""The one typed reader of configuration (environment variables only; see .env.example)."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse


class ConfigError(Exception):
    """Raised for a configuration value that cannot be used."""


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from exc


def data_dir() -> Path:
    """Where the embedded database, the secret key and uploads live (default ./jingzhun-data)."""
    return Path(os.environ.get("JINGZHUN_DATA_DIR") or (Path.cwd() / "jingzhun-data")).resolve()


def parse_database_url(url: str) -> dict[str, object]:
    """Turn `sqlite:////abs/path` or `postgresql://u:p@h:5432/db` into a Django DATABASES entry."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = unquote(parsed.path)
        # sqlite:////abs/path -> path '//abs/path'; sqlite:///rel -> '/rel'
        if path.startswith("//") or path.startswith("/"):
            path = path[1:]
        if not path:
            raise ConfigError("JINGZHUN_DATABASE_URL: sqlite URL needs a file path")
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": path,
            "OPTIONS": {
                "timeout": 30,
                "transaction_mode": "IMMEDIATE",
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA foreign_keys=ON; PRAGMA cache_size=-64000; PRAGMA temp_store=MEMORY;"
                ),
            },
        }
    if parsed.scheme in {"postgres", "postgresql", "pgsql"}:
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")),
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            "CONN_MAX_AGE": 60,
        }
    raise ConfigError(
        f"JINGZHUN_DATABASE_URL: unsupported scheme {parsed.scheme!r} (use sqlite or postgresql)"
    )


def _secret_key(directory: Path) -> str:
    env = os.environ.get("JINGZHUN_SECRET_KEY")
    if env:
        return env
    # No key in the repo, not even for development: generate one on first run and keep it beside the data.
    key_file = directory / "secret_key"
    try:
        return key_file.read_text().strip()
    except FileNotFoundError:
        directory.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(50)
        key_file.write_text(key)
        key_file.chmod(0o600)
        return key


@dataclass(frozen=True)
class Config:
    data_dir: Path
    database_url: str
    secret_key: str
    debug: bool
    allowed_hosts: list[str]
    session_age_seconds: int
    login_failure_limit: int
    lockout_minutes: int
    upload_max_mb: int
    secure_cookies: bool
    export_retention_hours: int
    exit_override: bool
    trusted_proxies: list[str]
    login_delay_cap_seconds: int
    upload_max_inflated_mb: int
    upload_max_inflated_total_mb: int
    upload_max_rows: int
    job_timeout_seconds: int
    job_memory_mb: int
    worker_slots: int
    password_max_age_days: int = 90
    idle_timeout_minutes: int = 30
    otp_required: bool = True
    upload_retention_hours: int = 24


def load() -> Config:
    directory = data_dir()
    db_url = os.environ.get("JINGZHUN_DATABASE_URL") or f"sqlite:///{directory / 'jingzhun.sqlite3'}"
    hosts = os.environ.get("JINGZHUN_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
    return Config(
        data_dir=directory,
        database_url=db_url,
        secret_key=_secret_key(directory),
        debug=_bool("JINGZHUN_DEBUG", False),
        allowed_hosts=[h.strip() for h in hosts.split(",") if h.strip()],
        session_age_seconds=_int("JINGZHUN_SESSION_AGE_SECONDS", 8 * 3600),
        login_failure_limit=_int("JINGZHUN_LOGIN_FAILURE_LIMIT", 5),
        lockout_minutes=_int("JINGZHUN_LOCKOUT_MINUTES", 30),
        upload_max_mb=_int("JINGZHUN_UPLOAD_MAX_MB", 200),
        secure_cookies=_bool("JINGZHUN_SECURE_COOKIES", False),
        export_retention_hours=_int("JINGZHUN_EXPORT_RETENTION_HOURS", 24),
        # 例外放行 of an exit that fails the check (decisions.md §12): off unless the county decides.
        exit_override=_bool("JINGZHUN_EXIT_OVERRIDE", False),
        # addresses of the reverse proxies whose X-Forwarded-For is believed (none by default)
        trusted_proxies=[
            p.strip() for p in os.environ.get("JINGZHUN_TRUSTED_PROXIES", "").split(",") if p.strip()
        ],
        login_delay_cap_seconds=_int("JINGZHUN_LOGIN_DELAY_CAP_SECONDS", 900),
        # a county's 成员 sheet of a million rows inflates to well under 1 GB
        upload_max_inflated_mb=_int("JINGZHUN_UPLOAD_MAX_INFLATED_MB", 2048),
        upload_max_inflated_total_mb=_int("JINGZHUN_UPLOAD_MAX_INFLATED_TOTAL_MB", 4096),
        upload_max_rows=_int("JINGZHUN_UPLOAD_MAX_ROWS", 3_000_000),
        job_timeout_seconds=_int("JINGZHUN_JOB_TIMEOUT_SECONDS", 1800),
        # address space, not resident memory: the 1M-member import peaks near 1.1 GB resident
        job_memory_mb=_int("JINGZHUN_JOB_MEMORY_MB", 4096),
        worker_slots=_int("JINGZHUN_WORKER_SLOTS", 2),
        password_max_age_days=_int("JINGZHUN_PASSWORD_MAX_AGE_DAYS", 90),
        idle_timeout_minutes=_int("JINGZHUN_IDLE_TIMEOUT_MINUTES", 30),
        otp_required=_bool("JINGZHUN_OTP_REQUIRED", True),
        # an upload left on the mapping page (never imported) is swept after this (workbook/upload_sweep.py)
        upload_retention_hours=_int("JINGZHUN_UPLOAD_RETENTION_HOURS", 24),
    )
