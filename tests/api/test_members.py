"""Members: list per household, detail, add (自然增加), update — scoped, masked, validated."""

from __future__ import annotations

from datetime import date

from jingzhun.registry import enums
from jingzhun.registry.models import HouseholdEvent, Member
from tests.api.conftest import member_body


def test_it_lists_a_households_members(api, village_cadre, household):
    response = api(village_cadre).get(f"/households/{household.pk}/members")
    assert response.status_code == 200
    assert [m["relation"] for m in response.json()] == ["户主", "配偶", "之子"]


def test_it_shows_a_member(api, village_cadre, household):
    member = household.members.get(relation="之子")
    body = api(village_cadre).get(f"/members/{member.pk}").json()
    assert body["name"] == "张小明"
    assert body["household_id"] == household.pk
    assert body["school_status"] == "初中"
    assert body["id_number"] == member.id_number


def test_it_masks_a_member_for_a_county_leader(api, county_leader, village_cadre, household):
    member = household.members.get(relation="户主")
    body = api(county_leader).get(f"/members/{member.pk}").json()
    assert body["id_number"] == member.id_number[:6] + "********" + member.id_number[-4:]
    assert body["birth_date"] is None
    assert body["health"] is None  # personal information (domain §11)
    listed = api(county_leader).get(f"/households/{household.pk}/members").json()
    assert member.id_number not in {m["id_number"] for m in listed}
    assert {m["health"] for m in listed} == {None}
    assert api(village_cadre).get(f"/members/{member.pk}").json()["health"] == member.health


def test_it_answers_404_to_an_outsider_for_every_member_endpoint(api, other_village_cadre, household):
    client = api(other_village_cadre)
    member = household.members.first()
    responses = [
        client.get(f"/households/{household.pk}/members"),
        client.post(
            f"/households/{household.pk}/members",
            member_body("新生", "之女", date(2018, 3, 1), male=False, school_status="非在校生"),
        ),
        client.get(f"/members/{member.pk}"),
        client.patch(f"/members/{member.pk}", {"name": "改名"}),
        client.get("/members/999999"),
    ]
    assert [r.status_code for r in responses] == [404] * 5
    assert household.members.count() == 3
    assert not Member.objects.filter(name="改名").exists()


def test_it_adds_a_member_as_a_natural_increase(api, village_cadre, household):
    body = member_body("张小红", "之女", date(2017, 6, 1), male=False, education="学龄前儿童")
    response = api(village_cadre).post(
        f"/households/{household.pk}/members", {**body, "reason": "出生", "occurred_on": "2017-06-02"}
    )
    assert response.status_code == 201, response.content
    assert response.json()["birth_date"] == "2017-06-01"
    household.refresh_from_db()
    assert household.member_count == 4
    event = HouseholdEvent.objects.get(household=household, kind=enums.EventKind.NATURAL_INCREASE)
    assert (event.reason, event.occurred_on) == ("出生", date(2017, 6, 2))


def test_it_refuses_a_second_head_and_a_person_of_another_household(
    api, county_admin, household, other_household
):
    client = api(county_admin)
    response = client.post(
        f"/households/{household.pk}/members", member_body("某某", "户主", date(1980, 1, 1))
    )
    assert response.status_code == 422
    assert "已有户主" in response.json()["error"]["fields"]["relation"]

    elsewhere = other_household.members.get(relation="户主")
    body = member_body(elsewhere.name, "之兄弟姐妹", elsewhere.birth_date, id_number=elsewhere.id_number)
    response = client.post(f"/households/{household.pk}/members", body)
    assert response.status_code == 422
    assert other_household.code in response.json()["error"]["fields"]["id_number"]


def test_it_refuses_an_unknown_increase_reason(api, village_cadre, household):
    body = {**member_body("张小红", "之女", date(2017, 6, 1), male=False), "reason": "捡到"}
    response = api(village_cadre).post(f"/households/{household.pk}/members", body)
    assert response.status_code == 422
    assert response.json()["error"]["fields"]["reason"] == "不是有效的值，可选：出生、婚入、迁入"


def test_it_updates_a_member(api, village_cadre, household):
    member = household.members.get(relation="之子")
    response = api(village_cadre).patch(
        f"/members/{member.pk}", {"school_status": "高中", "education": "初中"}
    )
    assert response.status_code == 200, response.content
    member.refresh_from_db()
    assert (member.school_status, member.education) == ("高中", "初中")


def test_it_renames_the_head_on_the_household_too(api, village_cadre, household):
    head = household.members.get(relation="户主")
    assert api(village_cadre).patch(f"/members/{head.pk}", {"name": "张叁"}).status_code == 200
    household.refresh_from_db()
    assert household.head_name == "张叁"


def test_it_checks_a_changed_member_against_its_id_number(api, village_cadre, household):
    member = household.members.get(relation="户主")
    response = api(village_cadre).patch(f"/members/{member.pk}", {"gender": "女"})
    assert response.status_code == 422
    assert "与证件号码不符" in response.json()["error"]["fields"]["gender"]

    response = api(village_cadre).patch(f"/members/{member.pk}", {"relation": "之子"})
    assert response.status_code == 422
    assert "不能直接取消户主" in response.json()["error"]["fields"]["relation"]


def test_it_answers_404_to_member_writes_by_readers(api, county_leader, helper_user, household):
    member = household.members.first()
    for user in (county_leader, helper_user):
        client = api(user)
        assert client.patch(f"/members/{member.pk}", {"name": "改名"}).status_code == 404
        body = member_body("新人", "其他", date(1990, 1, 1))
        assert client.post(f"/households/{household.pk}/members", body).status_code == 404
    assert household.members.count() == 3
