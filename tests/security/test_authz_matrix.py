"""The authorization matrix, generated: every URL pattern of the project (walked through the resolver) and
every operation of the OpenAPI schema, asked by every role and anonymously, for an object inside and one
outside the role's scope, must answer what `authz_matrix.txt` beside this file says; a denied request
(302 to the login, 401, 403, 404, 405) must leave every table as it was.

A route or operation missing from the table fails the test with its name, so a new page cannot ship
without someone deciding who may open it. One database is built per role (a test per role, not per route)
to keep the run short; each request runs in a savepoint that is rolled back, so an allowed write (removing
a member, publishing a standard) does not change the world the next route is asked in.

To see the answers of a changed route: JINGZHUN_AUTHZ_MATRIX_WRITE=/tmp/m.txt pytest this file, then diff.
"""

from __future__ import annotations

import functools
import os
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.security.matrix_world import ROLES, SIDES, api_path, build_world, url_kwargs

TABLE_FILE = Path(__file__).with_name("authz_matrix.txt")
PAGE_METHODS = ("GET", "POST")
# Tables a request may touch without changing anything the user owns: the session itself, login throttling.
VOLATILE_TABLES = {"django_session"}
VOLATILE_PREFIXES = ("axes_",)


def page_routes() -> list[tuple[str, str, list[str]]]:
    """(pattern, namespaced name, parameter names) of every URL pattern outside the API's own routes."""
    out: list[tuple[str, str, list[str]]] = []

    def walk(patterns, prefix: str, namespace: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern):
                pattern = prefix + str(p.pattern)
                out.append((pattern, f"{namespace}{p.name}", list(p.pattern.converters)))

    walk(get_resolver().url_patterns, "", "")
    return out


def api_operations() -> list[tuple[str, str]]:
    from jingzhun.api.app import api

    schema = api.get_openapi_schema()
    return [(method.upper(), path) for path, ops in schema["paths"].items() for method in ops]


def entries() -> list[str]:
    """Every key the table must hold, in a stable order."""
    keys = []
    for pattern, _, _ in page_routes():
        if pattern.startswith("api/v1/"):
            continue  # the API's operations are enumerated from its schema below
        keys += [f"{m} /{pattern}" for m in PAGE_METHODS]
    keys += [f"API {m} {path}" for m, path in api_operations()]
    return keys


def load_table() -> dict[str, dict[str, tuple[str, str]]]:
    table: dict[str, dict[str, tuple[str, str]]] = {}
    for line in TABLE_FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        key, _, cells = line.partition("  ")
        row = {}
        for cell in cells.split():
            role, _, answer = cell.partition("=")
            a, _, b = answer.partition("/")
            row[role] = (a, b or a)
        table[key.strip()] = row
    return table


def _state() -> dict[str, tuple[int, int | None]]:
    """Row count and highest id of every table the user's data lives in, read in one statement (the
    test asks for it twice for every denied request)."""
    tables, sql = _state_query(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    return {name: (row[2 * n], row[2 * n + 1]) for n, name in enumerate(tables)}


@functools.cache
def _state_query(vendor: str) -> tuple[tuple[str, ...], str]:
    """The tables to watch and the statement reading their counts and highest ids (the schema does not
    change within a test run, so it is built once per database vendor and process)."""
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        names = [
            n
            for n in sorted(connection.introspection.table_names(cursor))
            if n not in VOLATILE_TABLES and not n.startswith(VOLATILE_PREFIXES)
        ]
        has_id = {
            n: any(c.name == "id" for c in connection.introspection.get_table_description(cursor, n))
            for n in names
        }
    cells = []
    for n in names:
        cells.append(f"(SELECT COUNT(*) FROM {qn(n)})")
        cells.append(f"(SELECT MAX(id) FROM {qn(n)})" if has_id[n] else "NULL")
    return tuple(names), "SELECT " + ", ".join(cells)


class _Rollback(Exception):
    pass


def _answer(response) -> str:
    if response.status_code in (301, 302):
        location = response.headers.get("Location", "")
        # login_required sends to the login with ?next=; a plain /login/ is where a logout lands
        if location.startswith("/login/?next="):
            return "login"
        if location.startswith("/account/otp/"):
            return "otp"  # to the second factor (enrol or verify) first
        return "302"
    return str(response.status_code)


DENIED = {"login", "otp", "401", "403", "404", "405"}


def ask(client: Client, method: str, url: str, api: bool) -> tuple[str, list[str]]:
    """Send one request inside a savepoint that is rolled back; return its answer and, when it was
    denied, the tables it changed anyway."""
    cookies = SimpleCookie(client.cookies)
    result: dict = {}
    try:
        with transaction.atomic():
            before = _state()
            if api:
                body = "{}" if method in ("POST", "PATCH") else ""
                response = client.generic(method, url, body, content_type="application/json")
            else:
                response = client.generic(method, url, "", content_type="application/x-www-form-urlencoded")
            answer = _answer(response)
            # Close the files of a download, but not through response.close(): that sends request_finished,
            # which closes the database connection (on PostgreSQL) in the middle of this test.
            for closer in getattr(response, "_resource_closers", []):
                closer()
            changed = []
            if answer in DENIED:
                after = _state()
                changed = [t for t in after if after[t] != before.get(t)]
            result = {"answer": answer, "changed": changed}
            raise _Rollback
    except _Rollback:
        pass
    client.cookies = cookies
    return result["answer"], result["changed"]


def login_client(world, role: str) -> Client:
    from tests.otp import force_login_unverified, force_login_verified

    client = Client()
    if role == "nootp":
        force_login_unverified(client, world["users"][role])
    elif role != "anon":
        force_login_verified(client, world["users"][role])
    return client


def table_problems(table) -> list[str]:
    keys = entries()
    missing = [k for k in keys if k not in table]
    stale = [k for k in table if k not in keys]
    problems = []
    if missing:
        problems.append("routes without an entry in authz_matrix.txt: " + ", ".join(missing))
    if stale:
        problems.append("entries of authz_matrix.txt for routes that no longer exist: " + ", ".join(stale))
    return problems


def test_every_route_and_operation_has_an_entry_and_no_stale_ones():
    table = load_table()
    assert not table_problems(table), table_problems(table)
    for key, row in table.items():
        assert set(row) == set(ROLES), f"{key}: the entry must give every role {ROLES}, has {sorted(row)}"


@pytest.mark.urls("tests.security.extra_urls")
def test_a_new_route_without_an_entry_is_named_in_the_failure():
    problems = table_problems(load_table())
    assert problems == [
        "routes without an entry in authz_matrix.txt: GET /brand-new/<int:pk>/, POST /brand-new/<int:pk>/"
    ]


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_the_answers_of_the_table(role, db, settings, tmp_path):
    from django.core.cache import cache

    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    world = build_world()
    client = login_client(world, role)
    table = load_table() if TABLE_FILE.exists() else {}
    observed: dict[str, tuple[str, str]] = {}
    failures: list[str] = []
    for pattern, name, params in page_routes():
        if pattern.startswith("api/v1/"):
            continue
        urls = {side: reverse(name, kwargs=url_kwargs(world, name, params, side)) for side in SIDES}
        for method in PAGE_METHODS:
            key = f"{method} /{pattern}"
            _check(client, key, method, urls, False, table, role, observed, failures)
    for method, path in api_operations():
        urls = {side: api_path(world, path, side) for side in SIDES}
        _check(client, f"API {method} {path}", method, urls, True, table, role, observed, failures)
    if os.environ.get("JINGZHUN_AUTHZ_MATRIX_WRITE"):
        with open(os.environ["JINGZHUN_AUTHZ_MATRIX_WRITE"] + f".{role}", "w", encoding="utf-8") as out:
            for key, (a, b) in observed.items():
                out.write(f"{key}\t{a}/{b}\n")
    assert not failures, f"{role}: " + "\n".join(failures)


def _check(client, key, method, urls, api, table, role, observed, failures) -> None:
    got = []
    for side in SIDES:
        answer, changed = ask(client, method, urls[side], api)
        got.append(answer)
        if changed:
            failures.append(f"{key} side {side}: denied ({answer}) but changed {changed}")
    observed[key] = (got[0], got[1])
    if key not in table:
        failures.append(f"{key}: no entry in authz_matrix.txt")
        return
    expected = table[key].get(role)
    if expected != (got[0], got[1]):
        failures.append(f"{key}: expected {expected}, got {tuple(got)} (urls {urls['A']} / {urls['B']})")
