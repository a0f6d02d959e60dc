"""Scratch databases for tests that run `jingzhun` in other processes (backup, restore, kill -9).

pytest-django's test database lives inside the test's transaction (or in memory, on SQLite), where no
other process can see it. A scratch database is a real one of the kind the suite runs on: an SQLite file,
or a database of its own on the PostgreSQL server of JINGZHUN_DATABASE_URL. `jingzhun init` runs once per
session into a template; each test gets a copy.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parents[2]
POSTGRES = os.environ.get("JINGZHUN_TEST_DB") == "postgresql"


def _server_url() -> str:
    return os.environ["JINGZHUN_DATABASE_URL"]


def _with_db(url: str, name: str) -> str:
    parts = urlparse(url)
    return urlunparse(parts._replace(path=f"/{name}"))


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(_with_db(_server_url(), "postgres"), autocommit=True) as conn:
        conn.execute(sql)


@dataclass
class Scratch:
    """One scratch database and a data directory; `run` calls the command line against it."""

    url: str
    data_dir: Path
    name: str = ""
    procs: list[subprocess.Popen] = field(default_factory=list)

    @property
    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            JINGZHUN_DATABASE_URL=self.url,
            JINGZHUN_DATA_DIR=str(self.data_dir),
            PYTHONPATH=str(ROOT / "src"),
            DJANGO_SETTINGS_MODULE="jingzhun.settings",
        )
        return env

    def argv(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "jingzhun.cli", *args]

    def run(self, *args: str, check: bool = True, timeout: float = 600) -> subprocess.CompletedProcess:
        done = subprocess.run(
            self.argv(*args), env=self.env, capture_output=True, text=True, timeout=timeout, check=False
        )
        if check and done.returncode != 0:
            raise AssertionError(
                f"jingzhun {' '.join(args)} → {done.returncode}\n{done.stdout}\n{done.stderr}"
            )
        return done

    def start(self, *args: str) -> subprocess.Popen:
        proc = subprocess.Popen(
            self.argv(*args), env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        self.procs.append(proc)
        return proc

    def python(self, code: str, *, check: bool = True) -> subprocess.CompletedProcess:
        """Run Python with Django set up on this database."""
        prelude = "import django; django.setup()\n"
        done = subprocess.run(
            [sys.executable, "-c", prelude + code], env=self.env, capture_output=True, text=True, check=False
        )
        if check and done.returncode != 0:
            raise AssertionError(f"python → {done.returncode}\n{done.stdout}\n{done.stderr}")
        return done

    def digest(self, *, skip: tuple[str, ...] = ()) -> dict[str, str]:
        """`jingzhun db digest` as {table: "rows hash"}, without the tables in `skip`, plus the total."""
        out = {}
        for line in self.run("db", "digest").stdout.splitlines():
            table, rows, digest = line.split("\t")
            if table not in skip:
                out[table] = f"{rows} {digest}"
        return out

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Read the database directly (not through the product)."""
        if POSTGRES:
            import psycopg

            with psycopg.connect(self.url, autocommit=True) as conn:
                cursor = conn.execute(sql.replace("?", "%s"), params)
                return list(cursor.fetchall()) if cursor.description else []
        with sqlite3.connect(self.path, timeout=30) as conn:
            return list(conn.execute(sql, params).fetchall())

    @property
    def path(self) -> Path:
        return Path(urlparse(self.url).path[1:])

    def close(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
        if POSTGRES and self.name:
            _admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


class Template:
    """An initialised database (`jingzhun init`, one admin user) that scratch databases are copied from."""

    def __init__(self, root: Path):
        self.root = root
        self.name = f"jzscratch_tpl_{uuid.uuid4().hex[:8]}"
        self.scratch = self._make(self.name, root / "template")
        self.scratch.run("init")
        self.scratch.run("user", "create", "fpb", "--role", "county_admin", "--region", "430821000000")
        if POSTGRES:  # a template must have no other session
            _admin(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{self.name}'")

    def _make(self, name: str, data_dir: Path) -> Scratch:
        data_dir.mkdir(parents=True, exist_ok=True)
        if POSTGRES:
            _admin(f'CREATE DATABASE "{name}"')
            return Scratch(_with_db(_server_url(), name), data_dir, name)
        return Scratch(f"sqlite:///{data_dir / 'jingzhun.sqlite3'}", data_dir)

    def copy(self, data_dir: Path) -> Scratch:
        """A fresh database holding what the template holds."""
        data_dir.mkdir(parents=True, exist_ok=True)
        if POSTGRES:
            name = f"jzscratch_{uuid.uuid4().hex[:10]}"
            _admin(f'CREATE DATABASE "{name}" TEMPLATE "{self.name}"')
            return Scratch(_with_db(_server_url(), name), data_dir, name)
        target = data_dir / "jingzhun.sqlite3"
        with sqlite3.connect(self.scratch.path) as src, sqlite3.connect(target) as dst:
            src.backup(dst)
        return Scratch(f"sqlite:///{target}", data_dir)

    def empty(self, data_dir: Path) -> Scratch:
        """A database with nothing in it (not even `jingzhun init`)."""
        if POSTGRES:
            return self._make(f"jzscratch_{uuid.uuid4().hex[:10]}", data_dir)
        data_dir.mkdir(parents=True, exist_ok=True)
        return Scratch(f"sqlite:///{data_dir / 'jingzhun.sqlite3'}", data_dir)

    def close(self) -> None:
        self.scratch.close()


def fixtures():
    """The pytest fixtures: `scratch_template` (session) and `scratch` (a fresh copy per test)."""
    import pytest

    @pytest.fixture(scope="session")
    def scratch_template(tmp_path_factory):
        template = Template(tmp_path_factory.mktemp("scratch"))
        yield template
        template.close()

    @pytest.fixture
    def scratch(scratch_template, tmp_path):
        db = scratch_template.copy(tmp_path / "data")
        yield db
        db.close()

    return scratch_template, scratch
