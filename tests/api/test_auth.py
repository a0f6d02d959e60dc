"""Authentication: bearer tokens and sessions; everything else is a 401 in the error envelope."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import VILLAGE

ENDPOINTS = [
    ("get", "/regions"),
    ("get", f"/regions/{VILLAGE}"),
    ("get", f"/regions/{VILLAGE}/children"),
    ("get", "/households"),
    ("get", "/households/{hh}"),
    ("post", "/households"),
    ("patch", "/households/{hh}"),
    ("get", "/households/{hh}/members"),
    ("post", "/households/{hh}/members"),
    ("get", "/members/{member}"),
    ("patch", "/members/{member}"),
]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_it_answers_401_without_credentials(api, household, method, path):
    member = household.members.first()
    url = path.format(hh=household.pk, member=member.pk)
    client = api()
    response = client.get(url) if method == "get" else getattr(client, method)(url, {})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
    assert response.json()["error"]["message"] == "未登录或令牌无效"


def test_it_accepts_a_bearer_token_and_records_its_use(api, village_cadre, household):
    from jingzhun.accounts.models import ApiToken

    response = api(village_cadre).get(f"/households/{household.pk}")
    assert response.status_code == 200
    assert response.json()["code"] == household.code
    assert ApiToken.objects.get(user=village_cadre).last_used_at is not None


def test_it_rejects_an_unknown_token(household):
    response = Client().get("/api/v1/households", headers={"Authorization": "Bearer jz_not-a-real-key"})
    assert response.status_code == 401


def test_it_rejects_a_revoked_token(api, village_cadre, household):
    from jingzhun.accounts.models import ApiToken

    client = api(village_cadre)
    ApiToken.objects.filter(user=village_cadre).update(revoked=True)
    assert client.get("/households").status_code == 401


def test_it_rejects_the_token_of_a_deactivated_user(api, village_cadre, household):
    client = api(village_cadre)
    village_cadre.is_active = False
    village_cadre.save(update_fields=["is_active"])
    assert client.get(f"/households/{household.pk}").status_code == 401


def test_it_accepts_a_logged_in_session(village_cadre, household):
    client = Client()
    client.force_login(village_cadre)
    response = client.get(f"/api/v1/households/{household.pk}")
    assert response.status_code == 200
    assert response.json()["id"] == household.pk


def test_it_requires_the_csrf_token_for_session_writes(village_cadre, household):
    client = Client(enforce_csrf_checks=True)
    client.force_login(village_cadre)
    response = client.patch(
        f"/api/v1/households/{household.pk}", {"group_name": "五组"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["error"]["message"] == "CSRF 校验失败"
    household.refresh_from_db()
    assert household.group_name != "五组"


def test_it_publishes_the_openapi_document(db):
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/households" in paths
    assert "/api/v1/members/{member_id}" in paths
    assert Client().get("/api/docs").status_code == 200
    schema = response.json()["components"]["schemas"]["HouseholdIn"]
    assert schema["properties"]["main_cause"]["description"] == "主要致贫原因"


def test_a_method_the_path_does_not_have_is_a_405_in_the_envelope(api, village_cadre, household):
    response = api(village_cadre).client.delete(
        f"/api/v1/households/{household.pk}", headers=api(village_cadre).headers
    )
    assert response.status_code == 405
    assert set(response.headers["Allow"].replace(" ", "").split(",")) == {"GET", "PATCH"}
    error = response.json()["error"]
    assert error["code"] == "method_not_allowed"
    assert "DELETE" in error["message"] and error["fields"] == {}
