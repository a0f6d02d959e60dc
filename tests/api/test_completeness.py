"""The API's sub-resources (issue 15, API completeness): incomes by year, member removal (自然减少),
lifecycle events (动态调整), identification steps, visits (走访) and help measures (帮扶措施) — through the
same services as the pages, with scope (an outsider gets 404 and nothing changes), permissions (a county
leader reads masked and writes nothing, a helper records visits of their own household only), the version
check (409, nothing written) and an audit row per write."""

from __future__ import annotations

from datetime import date

import pytest

from jingzhun.assistance.models import HelpMeasure, Visit
from jingzhun.core.models import AuditEntry
from jingzhun.registry import enums
from jingzhun.registry.models import HouseholdEvent, IdentificationRecord, IncomeRecord, Member

AMOUNTS = {
    "wage": "8000",
    "business": "1500",
    "property_income": "0",
    "transfer": "600",
    "business_expense": 300,
}


def _audits(action: str) -> int:
    return AuditEntry.objects.filter(action=action).count()


@pytest.fixture
def paired_helper(helper_user, admin_actor, household):
    from jingzhun.assistance.services import helper_assign

    helper_assign(actor=admin_actor, household=household, helper=helper_user, started_on=date(2018, 1, 1))
    return helper_user


# ---------------------------------------------------------------- incomes


def test_a_village_cadre_records_corrects_and_deletes_a_years_income(api, village_cadre, household):
    client = api(village_cadre)
    created = client.put(f"/households/{household.pk}/incomes/2019", AMOUNTS)
    assert created.status_code == 201, created.content
    assert created.json()["net_income"] == "9800.00"
    assert created.json()["version"] == 1
    assert [r["year"] for r in client.get(f"/households/{household.pk}/incomes").json()] == [2019, 2018]

    corrected = client.put(
        f"/households/{household.pk}/incomes/2019", {**AMOUNTS, "wage": 9000, "version": 1}
    )
    assert corrected.status_code == 200, corrected.content
    assert (corrected.json()["wage"], corrected.json()["version"]) == ("9000.00", 2)
    assert client.get(f"/households/{household.pk}/incomes/2019").json()["wage"] == "9000.00"
    assert _audits("income.record") >= 2

    stale = client.delete(f"/households/{household.pk}/incomes/2019", version=1)
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "conflict"
    assert IncomeRecord.objects.filter(household=household, year=2019).exists()

    gone = client.delete(f"/households/{household.pk}/incomes/2019", version=2)
    assert gone.status_code == 204
    assert not IncomeRecord.objects.filter(household=household, year=2019).exists()
    assert _audits("income.delete") == 1
    assert client.get(f"/households/{household.pk}/incomes/2019").status_code == 404


def test_a_correction_based_on_an_older_version_is_refused_and_writes_nothing(api, village_cadre, household):
    client = api(village_cadre)
    record = household.incomes.get(year=2018)
    first = client.put(f"/households/{household.pk}/incomes/2018", {**AMOUNTS, "version": record.version})
    assert first.status_code == 200
    second = client.put(
        f"/households/{household.pk}/incomes/2018", {**AMOUNTS, "wage": 1, "version": record.version}
    )
    assert second.status_code == 409
    assert second.headers["ETag"] == f'"{record.version + 1}"'
    record.refresh_from_db()
    assert record.wage == 8000


def test_an_income_known_only_per_capita_is_read_with_its_components_unknown(api, village_cadre, household):
    """A national person list gives 人均纯收入 only: the API answers the components and the net as null
    and the per-capita figure as the list stated it (it answered 500 before)."""
    from decimal import Decimal

    IncomeRecord.objects.create(
        household=household,
        year=2017,
        wage=None,
        business=None,
        property_income=None,
        transfer=None,
        business_expense=None,
        per_capita_net=Decimal("4200.50"),
    )
    answer = api(village_cadre).get(f"/households/{household.pk}/incomes/2017")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert (body["wage"], body["net_income"], body["per_capita_net_income"]) == (None, None, "4200.50")


def test_incomes_answer_404_to_an_outsider_and_nothing_to_a_leader_or_helper(
    api, other_village_cadre, county_leader, paired_helper, household
):
    before = list(IncomeRecord.objects.values_list("id", "wage", "version"))
    outsider = api(other_village_cadre)
    assert outsider.get(f"/households/{household.pk}/incomes").status_code == 404
    assert outsider.get(f"/households/{household.pk}/incomes/2018").status_code == 404
    for who in (other_village_cadre, county_leader, paired_helper):
        client = api(who)
        assert client.put(f"/households/{household.pk}/incomes/2018", AMOUNTS).status_code == 404
        assert client.delete(f"/households/{household.pk}/incomes/2018").status_code == 404
    # the leader and the helper read (incomes are not personal data under the masking policy)
    assert api(county_leader).get(f"/households/{household.pk}/incomes/2018").status_code == 200
    assert api(paired_helper).get(f"/households/{household.pk}/incomes").status_code == 200
    assert list(IncomeRecord.objects.values_list("id", "wage", "version")) == before


# ---------------------------------------------------------------- member removal


def test_a_village_cadre_removes_a_member_with_a_reason(api, village_cadre, household):
    son = household.members.get(relation="之子")
    response = api(village_cadre).post(
        f"/members/{son.pk}/remove", {"reason": "迁出", "occurred_on": "2019-03-01", "version": son.version}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["is_active"], body["removed_reason"], body["removed_on"]) == (False, "迁出", "2019-03-01")
    household.refresh_from_db()
    assert household.member_count == 2
    assert HouseholdEvent.objects.filter(household=household, kind=enums.EventKind.NATURAL_DECREASE).exists()
    assert _audits("member.remove") == 1


def test_a_removal_based_on_an_older_version_or_of_the_head_is_refused(api, village_cadre, household):
    client = api(village_cadre)
    son = household.members.get(relation="之子")
    client.patch(f"/members/{son.pk}", {"work_months": 3, "version": son.version})
    stale = client.post(f"/members/{son.pk}/remove", {"reason": "死亡", "version": son.version})
    assert stale.status_code == 409
    head = household.members.get(relation="户主")
    refused = client.post(f"/members/{head.pk}/remove", {"reason": "死亡"})
    assert refused.status_code == 422
    assert "户主" in refused.json()["error"]["fields"]["__all__"]
    assert household.members.filter(is_active=True).count() == 3


def test_member_removal_is_404_for_an_outsider_a_leader_and_a_helper(
    api, other_village_cadre, county_leader, paired_helper, household
):
    son = household.members.get(relation="之子")
    for who in (other_village_cadre, county_leader, paired_helper):
        assert api(who).post(f"/members/{son.pk}/remove", {"reason": "迁出"}).status_code == 404
    assert Member.objects.get(pk=son.pk).is_active
    assert _audits("member.remove") == 0


def test_a_leader_reading_a_removed_member_sees_it_masked(api, village_cadre, county_leader, household):
    son = household.members.get(relation="之子")
    api(village_cadre).post(f"/members/{son.pk}/remove", {"reason": "迁出"})
    body = api(county_leader).get(f"/members/{son.pk}").json()
    assert body["is_active"] is False
    assert body["id_number"] != son.id_number and body["birth_date"] is None and body["health"] is None


# ---------------------------------------------------------------- lifecycle events


def test_purge_and_its_event_list(api, village_cadre, county_leader, household):
    client = api(village_cadre)
    missing_reason = client.post(f"/households/{household.pk}/events", {"kind": "清退"})
    assert missing_reason.status_code == 422
    assert "reason" in missing_reason.json()["error"]["fields"]
    response = client.post(
        f"/households/{household.pk}/events", {"kind": "清退", "reason": "错评", "version": household.version}
    )
    assert response.status_code == 200, response.content
    assert response.json()["registry_status"] == enums.RegistryStatus.PURGED
    events = api(county_leader).get(f"/households/{household.pk}/events").json()
    assert events[0]["kind"] == "清退" and events[0]["reason"] == "错评"
    assert _audits("household.event.purge") == 1


def test_an_event_based_on_an_older_version_is_refused(api, village_cadre, household):
    client = api(village_cadre)
    client.patch(f"/households/{household.pk}", {"group_name": "四组", "version": household.version})
    stale = client.post(
        f"/households/{household.pk}/events", {"kind": "注销", "reason": "迁走", "version": household.version}
    )
    assert stale.status_code == 409
    household.refresh_from_db()
    assert household.registry_status == enums.RegistryStatus.ACTIVE


def test_split_answers_the_new_household(api, village_cadre, household):
    son = household.members.get(relation="之子")
    response = api(village_cadre).post(
        f"/households/{household.pk}/events",
        {
            "kind": "拆户",
            "member_ids": [son.pk],
            "new_code": "SPLIT001",
            "new_head_id": son.pk,
            "reason": "分户",
        },
    )
    assert response.status_code == 200, response.content
    assert response.json()["code"] == "SPLIT001"
    assert response.json()["id"] != household.pk


def test_merge_with_a_household_out_of_scope_is_refused_as_unknown(
    api, village_cadre, household, other_household
):
    response = api(village_cadre).post(
        f"/households/{household.pk}/events",
        {"kind": "并户", "other_household_id": other_household.pk, "reason": "合户"},
    )
    assert response.status_code == 422
    assert "不在您的管辖范围" in response.json()["error"]["fields"]["other_household_id"]
    other_household.refresh_from_db()
    assert other_household.registry_status == enums.RegistryStatus.ACTIVE


def test_events_are_404_to_an_outsider_and_writes_404_to_a_leader_and_helper(
    api, other_village_cadre, county_leader, paired_helper, household
):
    assert api(other_village_cadre).get(f"/households/{household.pk}/events").status_code == 404
    for who in (other_village_cadre, county_leader, paired_helper):
        answer = api(who).post(f"/households/{household.pk}/events", {"kind": "注销", "reason": "x"})
        assert answer.status_code == 404
    household.refresh_from_db()
    assert household.registry_status == enums.RegistryStatus.ACTIVE
    assert not HouseholdEvent.objects.filter(kind=enums.EventKind.CANCEL).exists()


# ---------------------------------------------------------------- identification steps


def test_steps_are_listed_after_recording_and_hidden_from_an_outsider(
    api, village_cadre, other_village_cadre, county_leader, household
):
    client = api(village_cadre)
    recorded = client.post(
        f"/households/{household.pk}/steps",
        {"step": "退出评议", "occurred_on": "2019-10-01", "performed_by": "村民代表大会"},
    )
    assert recorded.status_code == 201, recorded.content
    steps = api(county_leader).get(f"/households/{household.pk}/steps").json()
    assert [s["step"] for s in steps] == ["退出评议"]
    assert api(other_village_cadre).get(f"/households/{household.pk}/steps").status_code == 404
    assert (
        api(county_leader)
        .post(
            f"/households/{household.pk}/steps",
            {"step": "退出评议", "occurred_on": "2019-10-02", "performed_by": "x"},
        )
        .status_code
        == 404
    )
    assert IdentificationRecord.objects.filter(household=household).count() == 1


# ---------------------------------------------------------------- visits and measures


def test_a_helper_records_a_visit_to_their_household_only(api, paired_helper, household, other_household):
    client = api(paired_helper)
    body = {"visited_on": "2024-03-01", "activities": "了解务工情况", "problems": "缺技术"}
    created = client.post(f"/households/{household.pk}/visits", body)
    assert created.status_code == 201, created.content
    visit = created.json()
    assert (visit["visitor_name"], visit["household_id"]) == ("helper", household.pk)
    assert client.get(f"/visits/{visit['id']}").json()["activities"] == "了解务工情况"
    assert [v["id"] for v in client.get(f"/households/{household.pk}/visits").json()] == [visit["id"]]
    assert client.post(f"/households/{other_household.pk}/visits", body).status_code == 404
    assert Visit.objects.count() == 1
    assert _audits("visit.create") == 1


def test_visits_refuse_a_future_date_and_are_404_to_outsiders_and_readers_only(
    api, village_cadre, other_village_cadre, county_leader, household
):
    future = api(village_cadre).post(
        f"/households/{household.pk}/visits", {"visited_on": "2999-01-01", "activities": "x"}
    )
    assert future.status_code == 422
    ok = api(village_cadre).post(
        f"/households/{household.pk}/visits", {"visited_on": "2024-01-01", "activities": "走访"}
    )
    visit_id = ok.json()["id"]
    assert api(other_village_cadre).get(f"/visits/{visit_id}").status_code == 404
    assert api(other_village_cadre).get(f"/households/{household.pk}/visits").status_code == 404
    assert api(county_leader).get(f"/visits/{visit_id}").status_code == 200  # the leader reads
    leader_write = api(county_leader).post(
        f"/households/{household.pk}/visits", {"visited_on": "2024-01-02", "activities": "x"}
    )
    assert leader_write.status_code == 404  # no Perm.VISIT
    assert Visit.objects.count() == 1


def test_measures_are_added_patched_with_a_version_and_scoped(
    api, village_cadre, other_village_cadre, county_leader, paired_helper, household
):
    client = api(village_cadre)
    created = client.post(
        f"/households/{household.pk}/measures",
        {"category": "产业", "content": "养殖黑山羊", "funds": "3000", "started_on": "2024-01-01"},
    )
    assert created.status_code == 201, created.content
    measure = created.json()
    assert (measure["status"], measure["version"]) == ("实施中", 1)
    patched = client.patch(f"/measures/{measure['id']}", {"status": "已完成", "version": 1})
    assert patched.status_code == 200, patched.content
    assert (patched.json()["status"], patched.json()["content"], patched.json()["version"]) == (
        "已完成",
        "养殖黑山羊",
        2,
    )
    stale = api(paired_helper).patch(f"/measures/{measure['id']}", {"content": "改", "version": 1})
    assert stale.status_code == 409
    assert api(other_village_cadre).get(f"/measures/{measure['id']}").status_code == 404
    assert (
        api(other_village_cadre).patch(f"/measures/{measure['id']}", {"content": "越权"}).status_code == 404
    )
    assert api(county_leader).patch(f"/measures/{measure['id']}", {"content": "越权"}).status_code == 404
    assert [m["id"] for m in api(county_leader).get(f"/households/{household.pk}/measures").json()] == [
        measure["id"]
    ]
    assert HelpMeasure.objects.get(pk=measure["id"]).content == "养殖黑山羊"
    assert _audits("measure.create") == 1 and _audits("measure.update") == 1
