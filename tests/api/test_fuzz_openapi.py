"""Schema-driven fuzzing: every operation of the OpenAPI document, with data valid and invalid for the
schema, answers without a server error, and every error is in the envelope — as every role.

Two kinds of case: schemathesis's coverage cases (its deterministic boundary and negative values of every
parameter and body field, a few hundred for a big body) and random ones (a bounded number per operation and
role). The coverage cases are the same for every role and most of the run (PATCH /members: 4.3 s as the
admin, 0.34 s as a role sent only the random cases), so they are sent as
the two roles that reach the services — the county admin (every operation, the whole county) and the
village cadre (scoped to its village): the database's own refusals (a NUL byte in text, an integer past
bigint, a date out of range) are found there. The random cases are sent as every role, the outsider
included; what each role may see and do is the authorisation matrix's test (tests/security/)."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
import schemathesis
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.core import NOT_SET
from schemathesis.generation.meta import TestPhase

from jingzhun.api.app import api
from jingzhun.assistance.models import HelpMeasure, Visit
from tests.conftest import COUNTY

schema = schemathesis.openapi.from_dict(api.get_openapi_schema())


# the roles that are sent the coverage cases too (see the docstring)
COVERAGE_ROLES = frozenset({"county_admin", "village_cadre"})

# every persona of tests/conftest.py: each role, and a cadre of another township (the outsider)
FUZZ_ROLES = [
    "county_admin",
    "county_leader",
    "township_cadre",
    "village_cadre",
    "helper_user",
    "other_village_cadre",
]


@pytest.fixture(params=FUZZ_ROLES)
def fuzz_client(request, household):
    from datetime import date

    user = request.getfixturevalue(request.param)
    if request.param == "helper_user":  # a helper sees the household paired with them
        from jingzhun.assistance.services import helper_assign

        admin = request.getfixturevalue("admin_actor")
        helper_assign(actor=admin, household=household, helper=user, started_on=date(2018, 1, 1))
    # a visit and a measure of the household, so that their operations reach past the 404
    from jingzhun.assistance import services

    admin = request.getfixturevalue("admin_actor")
    services.visit_log(actor=admin, household=household, visited_on=date(2024, 3, 1), activities="走访")
    services.measure_add(
        actor=admin,
        household=household,
        data={"category": "产业", "content": "养殖", "started_on": "2024-01-01"},
    )
    client = Client()
    client.force_login(user)  # both factors (tests/otp.py)
    client.sends_coverage_cases = request.param in COVERAGE_ROLES
    household.ledger_item = _ledger_item(household)
    return client, household


def _ledger_item(household):
    """A 问题 on the household's village, so ledger calls get past the 404 into the services."""
    from datetime import date

    from jingzhun.ledger.selectors import system_actor
    from jingzhun.ledger.services import item_create

    return item_create(
        actor=system_actor(),
        kind="problem",
        code="WT-FUZZ",
        source="市县巡察",
        assigned_on=date(2018, 3, 1),
        deadline=date(2018, 3, 31),
        region=household.village,
        household=household,
        description="危房未改造",
        responsible_name="赵书记",
    )


def _first(model) -> int | None:
    return model.objects.order_by("pk").values_list("pk", flat=True).first()


@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
def test_it_never_answers_with_a_server_error(case, fuzz_client):
    client, household = fuzz_client
    if (
        case.meta is not None
        and case.meta.phase.name == TestPhase.COVERAGE
        and not client.sends_coverage_cases
    ):
        return
    # Aim half of the generated ids at a real region, household and member, so that the calls get past the
    # 404 and reach the selectors and services.
    params = dict(case.path_parameters or {})
    if isinstance(params.get("code"), str) and len(params["code"]) % 2:
        params["code"] = COUNTY
    if isinstance(params.get("household_id"), int) and params["household_id"] % 2:
        params["household_id"] = household.pk
    if isinstance(params.get("member_id"), int) and params["member_id"] % 2:
        params["member_id"] = household.members.first().pk
    if isinstance(params.get("item_id"), int) and params["item_id"] % 2:
        params["item_id"] = household.ledger_item.pk
    if isinstance(params.get("year"), int) and params["year"] % 2:
        params["year"] = 2018  # the household's income year
    if isinstance(params.get("visit_id"), int) and params["visit_id"] % 2 and _first(Visit):
        params["visit_id"] = _first(Visit)
    if isinstance(params.get("measure_id"), int) and params["measure_id"] % 2 and _first(HelpMeasure):
        params["measure_id"] = _first(HelpMeasure)
    case.path_parameters = params
    if case.body is NOT_SET:
        body: str | bytes = ""
    elif isinstance(case.body, bytes):  # negative cases may send raw, non-JSON bytes
        body = case.body
    else:
        body = json.dumps(case.body)
    response = client.generic(
        case.method,
        case.formatted_path,
        body,
        content_type="application/json",
        QUERY_STRING=urlencode(case.query or {}, doseq=True),
    )
    assert response.status_code < 500, response.content
    if response.status_code == 405:  # a method the path does not have
        assert response.headers["Allow"]
    if response.status_code >= 400:
        assert set(response.json()["error"]) == {"code", "message", "fields"}
