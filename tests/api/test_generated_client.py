"""The OpenAPI document is truthful: a client generated from the served schema (/api/openapi.json) by a real
generator (openapi-python-client, a test dependency) drives a whole flow — register a household, add a
member, record a year's income, correct it with a stale version (409), try to mark the household exited
(refused with every failing item) — and every answer parses into the generated models.

The generated client speaks httpx; an httpx WSGI transport carries its requests into this test's Django
application, so the flow runs inside the test database like any other API test.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import httpx
import jsonschema_rs
import pytest
from django.core.wsgi import get_wsgi_application
from django.test import Client

from tests.api.conftest import household_body, member_body

PACKAGE = "jingzhun_client"
SERVED: dict = {}  # the schema as served, for checking each answer against what it declares


def _conforms(response: httpx.Response) -> None:
    """The answer's status is declared for its operation and its body validates against the declared
    schema (the generated models alone would accept a wrong type)."""
    path = response.request.url.path
    method = response.request.method.lower()
    for template, ops in SERVED["paths"].items():
        if re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", template), path) and method in ops:
            declared = ops[method]["responses"]
            break
    else:
        raise AssertionError(f"{method} {path}: no operation in the schema")
    status = str(response.status_code)
    assert status in declared, f"{method} {path}: {status} is not declared ({sorted(declared)})"
    content = declared[status].get("content")
    if not content:
        assert not response.content, f"{method} {path}: {status} declares no body"
        return
    body_schema = {**content["application/json"]["schema"], "components": SERVED["components"]}
    response.read()
    errors = [e.message for e in jsonschema_rs.validator_for(body_schema).iter_errors(response.json())]
    assert not errors, f"{method} {path} {status}: {errors[:3]}"


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """Generate the client once per module from the schema the server serves."""

    out = tmp_path_factory.mktemp("client")
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    schema_file = out / "openapi.json"
    schema_file.write_text(json.dumps(response.json(), ensure_ascii=False), encoding="utf-8")
    SERVED.update(response.json())
    bin_dir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")}  # its ruff post-hook
    config = out / "config.json"
    config.write_text(json.dumps({"package_name_override": PACKAGE, "project_name_override": PACKAGE}))
    subprocess.run(
        [sys.executable, "-m", "openapi_python_client", "generate", "--path", str(schema_file)]
        + ["--output-path", str(out / PACKAGE), "--meta", "none", "--config", str(config)],
        check=True,
        env=env,
        capture_output=True,
        timeout=300,
    )
    sys.path.insert(0, str(out))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(out))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def _op(pkg, tag: str, name: str):
    """An operation module of the generated client, by its tag folder and the view's name."""
    api_dir = Path(pkg.__file__).parent / "api"
    folder = next(p.name for p in api_dir.iterdir() if p.name.endswith(tag))
    module = next(p.stem for p in (api_dir / folder).glob("*.py") if p.stem.endswith("_" + name))
    return importlib.import_module(f"{pkg.__name__}.api.{folder}.{module}")


@pytest.fixture
def wsgi_app():
    """The real WSGI application, minus what Django's own test client also leaves out: closing the database
    connection at each request's start and end (on PostgreSQL that would close this test's transaction)."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def test_a_generated_client_drives_a_registration_flow(generated, wsgi_app, db, village_cadre, county_leader):
    from jingzhun.accounts.services import api_token_create

    pkg = generated
    models = importlib.import_module(f"{PACKAGE}.models")
    _, key = api_token_create(user=village_cadre, name="generated client")
    transport = httpx.WSGITransport(app=wsgi_app)
    checked: list[str] = []

    def check(response: httpx.Response) -> None:
        _conforms(response)
        checked.append(f"{response.request.method} {response.status_code}")

    hooks = {"transport": transport, "event_hooks": {"response": [check]}}
    client = pkg.AuthenticatedClient(base_url="http://testserver", token=key, httpx_args=hooks)

    # 新识别: a household with two members; the answer parses as HouseholdOut
    body = models.HouseholdIn.from_dict(household_body("GEN0001"))
    created = _op(pkg, "households", "household_create").sync_detailed(client=client, body=body)
    assert created.status_code == 201, created.content
    household = created.parsed
    assert isinstance(household, models.HouseholdOut)
    assert (household.code, household.member_count) == ("GEN0001", 2)

    # 自然增加: a member born in 2017
    child = member_body("王小花", "之女", date(2017, 5, 1), male=False, education="学龄前儿童")
    added = _op(pkg, "households", "member_create").sync_detailed(
        household.id, client=client, body=models.MemberCreateIn.from_dict({**child, "reason": "出生"})
    )
    assert added.status_code == 201, added.content
    assert isinstance(added.parsed, models.MemberOut) and added.parsed.birth_date == date(2017, 5, 1)

    # the income of 2019, then a correction based on the old version: 409 in the declared envelope
    amounts = {
        "wage": "12000",
        "business": "800",
        "property_income": "0",
        "transfer": "300",
        "business_expense": "0",
    }
    put = _op(pkg, "households", "income_put")
    first = put.sync_detailed(household.id, 2019, client=client, body=models.IncomeIn.from_dict(amounts))
    assert first.status_code == 201 and isinstance(first.parsed, models.IncomeOut)
    assert str(first.parsed.net_income) == "13100.00"
    again = put.sync_detailed(
        household.id,
        2019,
        client=client,
        body=models.IncomeIn.from_dict({**amounts, "wage": "12500", "version": 1}),
    )
    assert again.status_code == 200 and again.parsed.version == 2
    stale = put.sync_detailed(
        household.id, 2019, client=client, body=models.IncomeIn.from_dict({**amounts, "version": 1})
    )
    assert stale.status_code == 409
    assert isinstance(stale.parsed, models.ErrorOut) and stale.parsed.error.code == "conflict"

    # 标注脱贫 without the exit procedure: refused, every failing item named in the envelope's fields
    exit_op = _op(pkg, "households", "household_exit")
    refused = exit_op.sync_detailed(
        household.id, client=client, body=models.ExitIn.from_dict({"exit_year": 2019})
    )
    assert refused.status_code == 422
    assert isinstance(refused.parsed, models.ErrorOut) and refused.parsed.error.code == "exit_refused"
    reasons = refused.parsed.error.fields.additional_properties
    assert any(code.startswith("EXIT-") for code in reasons), reasons

    # the county leader's generated client reads the same household masked, and its incomes
    _, leader_key = api_token_create(user=county_leader, name="generated client")
    leader = pkg.AuthenticatedClient(base_url="http://testserver", token=leader_key, httpx_args=hooks)
    seen = _op(pkg, "households", "household_detail").sync_detailed(household.id, client=leader)
    assert seen.status_code == 200 and isinstance(seen.parsed, models.HouseholdOut)
    assert all(m.birth_date is None and m.health is None for m in seen.parsed.members)
    incomes = _op(pkg, "households", "income_list").sync_detailed(household.id, client=leader).parsed
    assert [i.year for i in incomes] == [2019, 2018]

    # an outsider's question is a 404 in the envelope, as declared
    missing = _op(pkg, "households", "household_detail").sync_detailed(10**12, client=client)
    assert missing.status_code == 404 and missing.parsed.error.code == "not_found"
    assert len(checked) == 9 and {"PUT 409", "POST 422", "GET 404"} <= set(checked), checked
