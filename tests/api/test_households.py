"""Households: list (filters, search, keyset cursor), detail, create, update — scoped and masked."""

from __future__ import annotations

from datetime import date

from jingzhun.core.models import AuditEntry
from jingzhun.registry.models import Household
from tests.api.conftest import household_body, member_body
from tests.factories import OTHER_VILLAGE, VILLAGE, member_row, register, row_counts


def test_it_lists_only_households_in_scope(api, village_cadre, household, other_household):
    body = api(village_cadre).get("/households").json()
    assert [row["id"] for row in body["items"]] == [household.pk]
    assert body["next"] is None


def test_it_lists_nothing_for_an_outsider_and_only_paired_households_for_a_helper(
    api, other_village_cadre, helper_user, household
):
    assert api(other_village_cadre).get("/households").json()["items"] == []
    assert api(helper_user).get("/households").json()["items"] == []
    assert api(helper_user).get(f"/households/{household.pk}").status_code == 404


def test_it_shows_a_helper_their_paired_household(api, helper_user, admin_actor, household):
    from jingzhun.assistance.services import helper_assign

    helper_assign(actor=admin_actor, household=household, helper=helper_user, started_on=date(2018, 1, 1))
    client = api(helper_user)
    assert [row["id"] for row in client.get("/households").json()["items"]] == [household.pk]
    assert client.get(f"/households/{household.pk}").status_code == 200
    assert client.patch(f"/households/{household.pk}", {"group_name": "五组"}).status_code == 404


def test_it_pages_with_a_cursor(api, county_admin, admin_actor):
    created = [register(admin_actor) for _ in range(5)]
    client = api(county_admin)
    first = client.get("/households", limit=2).json()
    assert [row["id"] for row in first["items"]] == [h.pk for h in created[:2]]
    assert first["next"] == created[1].pk
    second = client.get("/households", limit=2, after=first["next"]).json()
    assert [row["id"] for row in second["items"]] == [h.pk for h in created[2:4]]
    last = client.get("/households", limit=2, after=second["next"]).json()
    assert [row["id"] for row in last["items"]] == [created[4].pk]
    assert last["next"] is None


def test_it_caps_the_page_size(api, county_admin):
    response = api(county_admin).get("/households", limit=201)
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"limit": "不能大于200"}


def test_it_filters_and_searches(api, county_admin, admin_actor, household, other_household):
    exited = register(
        admin_actor,
        exit_status="已脱贫",
        exit_year="2017",
        main_cause="因学",
        attribute="低保贫困户",
        planned_exit_year="2017",
    )
    client = api(county_admin)

    def ids(**params):
        response = client.get("/households", **params)
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["items"]}

    assert ids(region=OTHER_VILLAGE) == {other_household.pk}
    assert ids(region=VILLAGE[:9] + "000") == {household.pk, exited.pk}
    assert ids(exit_status="已脱贫") == {exited.pk}
    assert ids(attribute="低保贫困户") == {exited.pk}
    assert ids(main_cause="因学") == {exited.pk}
    assert ids(planned_exit_year=2018) == {household.pk, other_household.pk}
    assert ids(q="zs") == {household.pk, other_household.pk, exited.pk}  # 张三 heads all three
    assert ids(q=household.code) == {household.pk}  # a free-text 户编号 such as T00000001
    coded = register(admin_actor, code="430821102204099")
    assert ids(q="430821102204099") == {coded.pk}
    assert ids(q=household.head_id_number[:10]) >= {household.pk}


def test_it_searches_by_pinyin_initials(api, county_admin, admin_actor, household):
    wang = register(admin_actor, members=[member_row("王小二", "户主", date(1960, 1, 1))])
    assert [row["id"] for row in api(county_admin).get("/households", q="wxe").json()["items"]] == [wang.pk]


def test_it_rejects_unknown_filter_values(api, county_admin):
    response = api(county_admin).get("/households", exit_status="脱了", planned_exit_year="明年")
    assert response.status_code == 422
    fields = response.json()["error"]["fields"]
    assert fields["exit_status"] == "不是有效的值，可选：未脱贫、已脱贫、返贫"
    assert fields["planned_exit_year"] == "应为整数"


def test_it_shows_a_household_with_members_and_incomes(api, village_cadre, household):
    body = api(village_cadre).get(f"/households/{household.pk}").json()
    assert body["code"] == household.code
    assert body["village_code"] == VILLAGE
    assert body["township_name"] == "溪口镇"
    assert [m["name"] for m in body["members"]] == ["张三", "李四", "张小明"]
    [income] = body["incomes"]
    assert income["year"] == 2018
    assert income["net_income"] == "11700.00"  # 9000 + 2000 + 0 + 1200 − 500
    assert income["per_capita_net_income"] == "3900.00"


def test_it_answers_404_for_another_regions_or_a_missing_household(api, other_village_cadre, household):
    client = api(other_village_cadre)
    for path in (f"/households/{household.pk}", f"/households/{household.pk + 1000}"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.json() == {"error": {"code": "not_found", "message": "未找到", "fields": {}}}


def test_it_masks_sensitive_fields_for_a_county_leader(
    api, county_leader, village_cadre, admin_actor, household
):
    from jingzhun.registry.services.households import household_update

    household_update(actor=admin_actor, household=household, changes={"bank_account": "6217001234567890123"})
    head = household.members.get(relation="户主")
    masked = api(county_leader).get(f"/households/{household.pk}").json()
    assert masked["head_id_number"] == head.id_number[:6] + "********" + head.id_number[-4:]
    assert masked["bank_account"] == "*" * 15 + "0123"
    assert masked["members"][0]["id_number"] != head.id_number
    assert masked["members"][0]["birth_date"] is None
    assert masked["members"][0]["birth_year"] == 1970
    listed = api(county_leader).get("/households").json()["items"][0]
    assert listed["head_id_number"] == masked["head_id_number"]

    full = api(village_cadre).get(f"/households/{household.pk}").json()
    assert full["head_id_number"] == head.id_number
    assert full["bank_account"] == "6217001234567890123"
    assert full["members"][0]["birth_date"] == "1970-05-01"


def test_it_masks_the_phone_for_a_county_leader(api, county_leader, village_cadre, county_admin):
    created = api(county_admin).post("/households", household_body()).json()
    assert api(county_leader).get(f"/households/{created['id']}").json()["phone"] == "138****0001"
    assert api(village_cadre).get(f"/households/{created['id']}").json()["phone"] == "13807440001"


def test_it_registers_a_household(api, village_cadre):
    response = api(village_cadre).post("/households", household_body())
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["head_name"] == "王五"
    assert body["member_count"] == 2
    assert body["other_causes"] == ["缺技术"]
    assert body["incomes"][0]["transfer"] == "1200.50"
    household = Household.objects.get(pk=body["id"])
    assert household.head_initials == "ww"
    assert AuditEntry.objects.filter(action="household.register", object_id=str(household.pk)).exists()


def test_it_refuses_registration_without_edit_permission(api, county_leader, helper_user, household):
    clients = [api(county_leader), api(helper_user)]  # issuing their tokens leaves audit rows too
    before = row_counts()
    for client in clients:
        response = client.post("/households", household_body())
        assert response.status_code == 404
    assert row_counts() == before


def test_it_refuses_registration_in_another_village(api, other_village_cadre):
    response = api(other_village_cadre).post("/households", household_body(village=VILLAGE))
    assert response.status_code == 422
    assert "不在您的管辖范围内" in response.json()["error"]["fields"]["village_code"]


def test_it_reports_domain_errors_at_the_field(api, village_cadre, household):
    client = api(village_cadre)
    before = row_counts()
    body = household_body(code=household.code)
    response = client.post("/households", body)
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"code": f"户编号 {household.code} 已存在"}

    bad_id = household_body(
        members=[member_body("王五", "户主", date(1968, 2, 3), id_number="430821196802030000")]
    )
    fields = client.post("/households", bad_id).json()["error"]["fields"]
    assert fields["members.0.id_number"].startswith("证件号码校验码错误")

    two_heads = household_body(
        members=[member_body("甲", "户主", date(1960, 1, 1)), member_body("乙", "户主", date(1961, 1, 1))]
    )
    fields = client.post("/households", two_heads).json()["error"]["fields"]
    assert "只能有一名户主" in fields["relation"]
    assert row_counts() == before  # nothing half-written


def test_it_updates_household_fields(api, village_cadre, household):
    response = api(village_cadre).patch(
        f"/households/{household.pk}",
        {
            "group_name": "五组",
            "other_causes": ["缺资金", "缺技术"],
            "housing_safety": None,
            "water_safe": False,
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["group_name"] == "五组"
    assert body["other_causes"] == ["缺资金", "缺技术"]
    assert body["housing_safety"] is None
    assert body["water_safe"] is False
    assert body["main_cause"] == "因病"  # untouched
    entry = AuditEntry.objects.filter(action="household.update", object_id=str(household.pk)).last()
    assert entry is not None


def test_it_refuses_fields_that_cannot_be_patched(api, village_cadre, household):
    response = api(village_cadre).patch(f"/households/{household.pk}", {"head_name": "李四", "code": "X"})
    assert response.status_code == 422
    assert set(response.json()["error"]["fields"]) == {"head_name", "code"}


def test_it_refuses_clearing_a_required_field(api, village_cadre, household):
    response = api(village_cadre).patch(f"/households/{household.pk}", {"attribute": None})
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"attribute": "贫困户属性不能为空"}


def test_it_answers_404_to_updates_by_outsiders_and_readers(
    api, other_village_cadre, county_leader, household
):
    for user in (other_village_cadre, county_leader):
        response = api(user).patch(f"/households/{household.pk}", {"group_name": "五组"})
        assert response.status_code == 404
    household.refresh_from_db()
    assert household.group_name != "五组"


def test_it_lets_the_county_admin_move_a_household_to_another_village(api, county_admin, household):
    response = api(county_admin).patch(f"/households/{household.pk}", {"village_code": OTHER_VILLAGE})
    assert response.status_code == 200
    assert response.json()["village_code"] == OTHER_VILLAGE
