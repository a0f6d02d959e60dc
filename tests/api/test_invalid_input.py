"""Invalid input is a 4xx with field errors in the envelope — never a 500, whatever the client sends."""

from __future__ import annotations

import json
from datetime import date

from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jingzhun.registry.models import Household
from tests.api.conftest import household_body, member_body

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def assert_envelope(response) -> dict:
    assert 400 <= response.status_code < 500, response.content
    error = response.json()["error"]
    assert set(error) == {"code", "message", "fields"}
    return error


def test_it_names_each_wrongly_typed_field_in_chinese(api, village_cadre):
    body = {
        **household_body(),
        "wage": "abc",
        "identified_year": "去年",
        "food_secure": "也许",
        "code": "X" * 41,
        "other_causes": ["因病", "因灾", "缺水"],
        "housing_safety": "E",
        "colour": "红",
    }
    del body["main_cause"]
    response = api(village_cadre).post("/households", body)
    assert response.status_code == 422
    fields = assert_envelope(response)["fields"]
    assert fields == {
        "wage": "应为数字（金额，最多两位小数）",
        "identified_year": "应为整数",
        "food_secure": "应为 true 或 false",
        "code": "不能超过40个字符",
        "other_causes": "不能超过2项",
        "housing_safety": "不是有效的值，可选：A、B、C、D",
        "colour": "未知字段，或该字段不能在此修改",
        "main_cause": "必填",
    }


def test_it_locates_errors_inside_members(api, village_cadre):
    body = household_body()
    body["members"][1]["birth_date"] = "1970-13-40"
    body["members"][1]["work_months"] = 13
    fields = assert_envelope(api(village_cadre).post("/households", body))["fields"]
    assert fields == {
        "members.1.birth_date": "应为日期，格式 YYYY-MM-DD",
        "members.1.work_months": "不能大于12",
    }


def test_it_rejects_money_with_too_many_decimals_or_below_zero(api, village_cadre):
    body = household_body(wage="1.005", business=-1, transfer="NaN")
    fields = assert_envelope(api(village_cadre).post("/households", body))["fields"]
    assert fields == {"wage": "最多保留2位小数", "business": "不能小于0", "transfer": "应为有限的数字"}


def test_it_rejects_an_unknown_village_and_a_malformed_id_number(api, county_admin):
    client = api(county_admin)
    fields = assert_envelope(client.post("/households", household_body(village="430821999999")))["fields"]
    assert fields == {"village_code": "行政区划代码 430821999999 不是已登记的村级区划"}
    body = household_body()
    body["members"][0]["id_number"] = "4308211968"
    fields = assert_envelope(client.post("/households", body))["fields"]
    assert fields["members.0.id_number"] == "证件号码应为18位（残疾人证号为20或22位），实际为10位"
    assert not Household.objects.exists()


def test_it_refuses_text_the_database_cannot_store(api, village_cadre, household):
    client = api(village_cadre)
    fields = assert_envelope(client.post("/households", household_body(group_name="三\x00组")))["fields"]
    assert fields == {"group_name": "不能包含空字符（\\u0000）"}
    assert assert_envelope(client.get("/households", q="张\x00"))["fields"] == {
        "q": "不能包含空字符（\\u0000）"
    }
    response = client.patch(f"/members/{household.members.first().pk}", {"name": "\ud800"})
    assert assert_envelope(response)["fields"] == {"name": "包含无效的 Unicode 字符"}


def test_it_answers_a_body_that_is_not_json_with_400(api, village_cadre):
    client = api(village_cadre)
    response = client.client.post(
        "/api/v1/households", "{not json", content_type="application/json", headers=client.headers
    )
    assert response.status_code == 400
    assert assert_envelope(response)["message"] == "请求体不是有效的 JSON"


def test_it_rejects_ids_that_are_not_numbers_or_too_large(api, village_cadre):
    client = api(village_cadre)
    for path in ("/households/abc", f"/households/{2**64}", "/members/-1", "/households/0/members"):
        response = client.get(path)
        assert response.status_code == 422, path
        assert set(assert_envelope(response)["fields"]) <= {"household_id", "member_id"}
    assert client.get("/households", after=2**64).status_code == 422


@FUZZ
@given(body=JSON)
def test_it_never_fails_on_random_json_for_a_new_household(village_cadre, body):
    client = Client()
    client.force_login(village_cadre)
    response = client.post("/api/v1/households", json.dumps(body), content_type="application/json")
    assert_envelope(response)


@FUZZ
@given(changes=st.dictionaries(st.sampled_from(sorted(household_body())), JSON, min_size=1, max_size=6))
def test_it_never_fails_on_a_household_body_with_random_values(village_cadre, changes):
    client = Client()
    client.force_login(village_cadre)
    body = {**household_body(code="FUZZ1"), **changes}
    response = client.post("/api/v1/households", json.dumps(body), content_type="application/json")
    if response.status_code == 201:
        assert Household.objects.filter(pk=response.json()["id"]).exists()
    else:
        assert_envelope(response)


@FUZZ
@given(
    changes=st.dictionaries(
        st.sampled_from(sorted(member_body("某", "之女", date(2000, 1, 1)))), JSON, min_size=1, max_size=5
    ),
    patch=st.dictionaries(
        st.sampled_from(sorted(member_body("某", "之女", date(2000, 1, 1)))), JSON, max_size=4
    ),
)
def test_it_never_fails_on_random_member_bodies(village_cadre, household, changes, patch):
    client = Client()
    client.force_login(village_cadre)
    body = {**member_body("某某", "之女", date(2000, 1, 1), male=False), **changes}
    created = client.post(
        f"/api/v1/households/{household.pk}/members", json.dumps(body), content_type="application/json"
    )
    if created.status_code != 201:
        assert_envelope(created)
    member = household.members.filter(relation="之子").first()
    response = client.patch(
        f"/api/v1/members/{member.pk}", json.dumps(patch), content_type="application/json"
    )
    if response.status_code != 200:
        assert_envelope(response)


@FUZZ
@given(patch=st.dictionaries(st.sampled_from(sorted(household_body()) + ["bank_account"]), JSON, max_size=5))
def test_it_never_fails_on_random_household_patches(village_cadre, household, patch):
    client = Client()
    client.force_login(village_cadre)
    response = client.patch(
        f"/api/v1/households/{household.pk}", json.dumps(patch), content_type="application/json"
    )
    if response.status_code != 200:
        assert_envelope(response)
