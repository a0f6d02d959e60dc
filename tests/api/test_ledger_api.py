"""The ledger API as restricted roles: scope as the pages (404 outside it, like a missing item), masking
of petitioners, cases for 纪委 only, 督查组 assignments; moves through the same service (table, permission,
four eyes, evidence) and progress notes — a refused write changes nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from jingzhun.accounts.access import actor_for
from jingzhun.ledger.models import InspectionGroup, Item, Step
from jingzhun.regions.models import Region
from tests.conftest import _persona
from tests.factories import OTHER_VILLAGE, VILLAGE
from tests.ledger.conftest import new_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def items(county_admin, village_cadre, other_village_cadre, regions):
    from jingzhun.assistance.models import Affiliation, HelpUnit

    admin = actor_for(county_admin)
    unit = HelpUnit.objects.create(name="县水利局", affiliation=Affiliation.COUNTY)
    here, there = Region.objects.get(code=VILLAGE), Region.objects.get(code=OTHER_VILLAGE)
    today = date.today()
    return {
        "mine": new_item(
            admin,
            "problem",
            "WT-API",
            here,
            unit,
            responsible=village_cadre,
            assigned_on=today - timedelta(days=20),
            deadline=today - timedelta(days=3),
        ),
        "other": new_item(
            admin, "problem", "WT-FAR", there, unit, responsible=other_village_cadre, assigned_on=today
        ),
        "petition": new_item(admin, "petition", "XF-API", here, unit, assigned_on=today),
        "case": new_item(admin, "case", "AJ-API", here, unit, assigned_on=today),
    }


def _codes(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["code"] for row in response.json()["items"]}


@pytest.mark.parametrize(
    "persona, expected",
    [
        ("county_admin", {"WT-API", "WT-FAR", "XF-API", "AJ-API"}),
        ("county_leader", {"WT-API", "WT-FAR", "XF-API"}),
        ("township_cadre", {"WT-API", "XF-API"}),
        ("village_cadre", {"WT-API", "XF-API"}),
        ("other_village_cadre", {"WT-FAR"}),
    ],
)
def test_each_role_lists_and_opens_only_its_scope(request, api, items, persona, expected):
    client = api(request.getfixturevalue(persona))
    assert _codes(client.get("/ledger/items")) == expected
    for item in items.values():
        response = client.get(f"/ledger/items/{item.pk}")
        assert response.status_code == (200 if item.code in expected else 404)
        if response.status_code == 404:
            assert response.json()["error"]["code"] == "not_found"


def test_filters_and_the_cursor(api, county_admin, items):
    client = api(county_admin)
    assert _codes(client.get("/ledger/items", kind="problem", overdue="true")) == {"WT-API"}
    assert _codes(client.get("/ledger/items", region=VILLAGE[:9] + "000")) == {"WT-API", "XF-API", "AJ-API"}
    first = client.get("/ledger/items", limit=2).json()
    second = client.get("/ledger/items", limit=2, after=first["next"]).json()
    assert len(first["items"]) == 2 and second["next"] is None
    assert {r["code"] for r in first["items"] + second["items"]} == {"WT-API", "WT-FAR", "XF-API", "AJ-API"}
    assert client.get("/ledger/items", kind="nosuch").status_code == 404


def test_no_ledger_role_gets_404(api, helper_user, items):
    client = api(helper_user)
    assert client.get("/ledger/items").status_code == 404
    assert client.get(f"/ledger/items/{items['mine'].pk}").status_code == 404


def test_cases_are_for_the_discipline_commission(api, county_leader, items, regions):
    assert api(county_leader).get("/ledger/items", kind="case").status_code == 404
    assert api(county_leader).get(f"/ledger/items/{items['case'].pk}").status_code == 404
    jiwei = _persona("jiwei", "discipline", "430821000000")
    assert _codes(api(jiwei).get("/ledger/items", kind="case")) == {"AJ-API"}


def test_petitioners_are_masked_without_the_sensitive_permission(api, county_leader, village_cadre, items):
    masked = api(county_leader).get(f"/ledger/items/{items['petition'].pk}").json()
    assert masked["petitioner"] != "张三" and masked["phone"] != "13907440001"
    assert "13907440001" not in api(county_leader).get("/ledger/items", kind="petition").content.decode()
    full = api(village_cadre).get(f"/ledger/items/{items['petition'].pk}").json()  # 村干部 has view_sensitive
    assert (full["petitioner"], full["phone"]) == ("张三", "13907440001")


def test_a_move_through_the_api_follows_the_table_evidence_and_four_eyes(
    api, village_cadre, county_admin, items
):
    cadre, item = api(village_cadre), items["mine"]
    assert cadre.post(f"/ledger/items/{item.pk}/moves", {"action": "accept"}).status_code == 422
    detail = cadre.post(f"/ledger/items/{item.pk}/moves", {"action": "start", "note": "开始整改"}).json()
    assert detail["status"] == "整改中" and [m["action"] for m in detail["moves"]] == ["apply_close"]
    refused = cadre.post(f"/ledger/items/{item.pk}/moves", {"action": "apply_close", "note": "已整改"})
    assert refused.status_code == 422 and "佐证" in refused.json()["error"]["fields"]["evidence"]
    ok = cadre.post(
        f"/ledger/items/{item.pk}/moves", {"action": "apply_close", "note": "已整改", "evidence": "照片存档"}
    )
    assert ok.json()["status"] == "申请销号"
    assert ok.json()["steps"][-1]["label"] == "申请销号"
    own = cadre.post(f"/ledger/items/{item.pk}/moves", {"action": "accept", "note": "好", "evidence": "x"})
    assert own.status_code == 422  # a handler has no accept permission, and four eyes would refuse anyway
    accepted = api(county_admin).post(
        f"/ledger/items/{item.pk}/moves", {"action": "accept", "note": "验收合格", "evidence": "现场核查"}
    )
    assert accepted.status_code == 200 and accepted.json()["status"] == "已销号"


def test_four_eyes_refuses_the_supervisor_who_handled_it(api, items, regions):
    jiwei = _persona("jiwei2", "discipline", "430821000000")  # both sides: handle and assign
    client, item = api(jiwei), items["mine"]
    client.post(f"/ledger/items/{item.pk}/moves", {"action": "start", "note": "开始"})
    client.post(
        f"/ledger/items/{item.pk}/moves", {"action": "apply_close", "note": "完成", "evidence": "照片"}
    )
    response = client.post(
        f"/ledger/items/{item.pk}/moves", {"action": "accept", "note": "验收", "evidence": "x"}
    )
    assert response.status_code == 422 and "四眼原则" in response.json()["error"]["message"] + str(
        response.json()["error"]["fields"]
    )
    assert Item.objects.get(pk=item.pk).status == "申请销号"


def test_out_of_scope_writes_are_404_and_change_nothing(api, village_cadre, items):
    before = (Step.objects.count(), Item.objects.get(pk=items["other"].pk).status)
    client = api(village_cadre)
    assert client.post(f"/ledger/items/{items['other'].pk}/moves", {"action": "start"}).status_code == 404
    assert client.post(f"/ledger/items/{items['other'].pk}/notes", {"note": "x"}).status_code == 404
    assert (Step.objects.count(), Item.objects.get(pk=items["other"].pk).status) == before


def test_notes_are_for_the_handling_side(api, village_cadre, county_leader, items):
    response = api(village_cadre).post(f"/ledger/items/{items['mine'].pk}/notes", {"note": "已完成一半"})
    assert response.status_code == 201 and response.json()["label"] == "进展"
    before = Step.objects.count()
    assert (
        api(county_leader).post(f"/ledger/items/{items['mine'].pk}/notes", {"note": "x"}).status_code == 404
    )
    assert Step.objects.count() == before
    assert api(village_cadre).post(f"/ledger/items/{items['mine'].pk}/notes", {"note": ""}).status_code == 422


def test_an_inspector_sees_the_regions_of_the_group(api, items, regions):
    inspector = _persona("insp-api", "inspector", "430821000000")
    group = InspectionGroup.objects.create(name="第二督查组")
    group.regions.add(Region.objects.get(code=OTHER_VILLAGE[:9] + "000"))
    group.members.add(inspector)
    client = api(inspector)
    assert _codes(client.get("/ledger/items")) == {"WT-FAR"}
    assert client.get(f"/ledger/items/{items['mine'].pk}").status_code == 404
