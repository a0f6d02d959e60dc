"""Shared fixtures: the real divisions, personas (one per role, plus an outsider), a registered household."""

from __future__ import annotations

import contextlib
import os

import pytest

from jingzhun.accounts.access import Actor, actor_for
from tests.factories import OTHER_VILLAGE, VILLAGE, register

# On CI (JINGZHUN_TEST_STRICT) a test that would skip fails instead: see tests/strict.py.
pytest_plugins = ["tests.strict"]
STRICT = bool(os.environ.get("JINGZHUN_TEST_STRICT"))


@pytest.fixture(scope="session", autouse=True)
def _flush_past_the_audit_triggers():
    """Transactional tests end with a flush (DELETE / TRUNCATE of every table), which the audit table's
    append-only triggers refuse, as they should in production: the suite lifts them for its flush only."""
    from django.db.backends.base.operations import BaseDatabaseOperations

    from jingzhun.core import appendonly

    original = BaseDatabaseOperations.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        from django.db import transaction

        with transaction.atomic(using=self.connection.alias), appendonly.suspended(self.connection):
            original(self, sql_list)

    BaseDatabaseOperations.execute_sql_flush = execute_sql_flush
    yield
    BaseDatabaseOperations.execute_sql_flush = original


@pytest.fixture(scope="session", autouse=True)
def _force_login_completes_the_second_factor():
    """Personas signed in by the test client have verified their TOTP too (tests/otp.py), so the 等保
    second factor does not stand in front of every page test; its own tests sign in without it."""
    from tests import otp

    otp.install()
    yield


@pytest.fixture(scope="session", autouse=True)
def _argon2_at_its_lowest_cost():
    """Passwords are hashed with Argon2 in the tests too — the same hasher, the same code — but at the
    lowest cost it takes: at Django's (100 MB, about 0.3 s a hash on these machines) most tests spent more
    time hashing their personas' passwords than testing (tests/accounts/test_scope.py with
    tests/registry/test_register.py: 44 s → 16 s). Production keeps Django's parameters (settings.py)."""
    from django.contrib.auth.hashers import Argon2PasswordHasher

    cost = ("time_cost", "memory_cost", "parallelism")
    saved = {name: getattr(Argon2PasswordHasher, name) for name in cost}
    Argon2PasswordHasher.time_cost, Argon2PasswordHasher.memory_cost, Argon2PasswordHasher.parallelism = (
        1,
        8,
        1,
    )
    yield
    for name, value in saved.items():
        setattr(Argon2PasswordHasher, name, value)


@pytest.fixture(autouse=True)
def _no_attached_database_outlives_its_test():
    """SQLite: scratch files that imports and assessments attach (their check workers' rows) can only be
    detached outside a transaction; a test runs inside one, so they are detached after its rollback —
    else they pile up on the xdist worker's connection until SQLite refuses an eleventh."""
    yield
    import sqlite3

    from django.db import connection

    if connection.vendor != "sqlite" or connection.connection is None or connection.in_atomic_block:
        return
    raw = connection.connection  # the sqlite3 connection itself: a test without the database may run here
    for _, name, _ in raw.execute("PRAGMA database_list").fetchall():
        if name not in ("main", "temp"):
            with contextlib.suppress(sqlite3.Error):
                raw.execute(f'DETACH DATABASE "{name}"')


TOWNSHIP = VILLAGE[:9] + "000"
COUNTY = "430821000000"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Cached figures (list totals, coverage) are keyed on database state that a new test database
    can repeat (ids restart), so every test starts with an empty cache."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def regions(db):
    from jingzhun.regions.loader import load_divisions

    load_divisions()


def _persona(username: str, role: str, region: str):
    from jingzhun.accounts.services import role_grant, user_create

    user, _ = user_create(username=username, password="Pass-word-123", display_name=username)
    role_grant(user=user, role=role, region_code=region)
    return user


@pytest.fixture
def system_actor(regions) -> Actor:
    """The county as a whole, acting without a user (CLI imports, demo)."""
    return Actor(user=None, permissions=frozenset(), prefixes=("430821",))


@pytest.fixture
def county_admin(regions):
    return _persona("admin", "county_admin", COUNTY)


@pytest.fixture
def county_leader(regions):
    return _persona("leader", "county_leader", COUNTY)


@pytest.fixture
def township_cadre(regions):
    return _persona("township", "township_cadre", TOWNSHIP)


@pytest.fixture
def village_cadre(regions):
    return _persona("village", "village_cadre", VILLAGE)


@pytest.fixture
def other_village_cadre(regions):
    """An outsider: a cadre of a village in another township."""
    return _persona("outsider", "village_cadre", OTHER_VILLAGE)


@pytest.fixture
def helper_user(regions):
    return _persona("helper", "helper", VILLAGE)


@pytest.fixture
def admin_actor(county_admin) -> Actor:
    return actor_for(county_admin)


@pytest.fixture
def household(admin_actor):
    return register(admin_actor)


@pytest.fixture
def other_household(admin_actor):
    return register(admin_actor, village=OTHER_VILLAGE, members=None)
