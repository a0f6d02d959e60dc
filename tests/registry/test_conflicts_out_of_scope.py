"""Issue 15 #8: a duplicate-ID refusal must not reveal a person registered outside the actor's scope —
no household number, no name — on the page, in the API and in a township's import dry run."""

from __future__ import annotations

import csv
import shutil
from datetime import date
from pathlib import Path

import pytest
from django.test import Client

from jingzhun.accounts.access import actor_for
from jingzhun.registry.services.common import REGISTERED_ELSEWHERE
from tests.api.conftest import ApiClient
from tests.factories import OTHER_VILLAGE, member_row, register, row_counts

GOLDEN = Path(__file__).resolve().parent.parent / "golden"


@pytest.fixture
def stranger(admin_actor):
    """王秘密, registered in 零阳街道 (another township than the village cadre's and the township cadre's);
    the golden file's 李秀兰 carries the same ID number."""
    household = register(
        admin_actor,
        village=OTHER_VILLAGE,
        members=[member_row("王秘密", "户主", date(1970, 9, 3), male=False, id_number="432428197009031420")],
    )
    return household


def _revealed(text: str, household) -> list[str]:
    head = household.members.get()
    return [t for t in (household.code, head.name) if t in text]


def test_the_api_says_only_registered_elsewhere_to_a_village_cadre(village_cadre, household, stranger):
    head = stranger.members.get()
    member = household.members.get(relation="配偶")
    api = ApiClient(village_cadre)
    before = row_counts()
    response = api.patch(f"/members/{member.pk}", {"id_number": head.id_number})
    assert response.status_code == 422
    assert response.json()["error"]["fields"]["id_number"] == REGISTERED_ELSEWHERE
    assert _revealed(response.content.decode(), stranger) == []
    assert row_counts() == before

    body = {
        "name": "某某",
        "id_number": head.id_number,
        "relation": "之兄弟姐妹",
        "gender": head.gender,
        "school_status": "非在校生",
        "health": "健康",
        "labour_skill": "普通劳动力",
        "medical_insurance": True,
    }
    response = api.post(f"/households/{household.pk}/members", body)
    assert response.status_code == 422
    assert _revealed(response.content.decode(), stranger) == []
    assert row_counts() == before


def test_the_member_page_says_only_registered_elsewhere_to_a_village_cadre(
    village_cadre, household, stranger
):
    head = stranger.members.get()
    member = household.members.get(relation="配偶")
    client = Client()
    client.force_login(village_cadre)
    page = client.get(f"/members/{member.pk}/edit/")
    assert page.status_code == 200
    data = {k: v for k, v in page.context["form"].initial.items() if v is not None}
    data["id_number"] = head.id_number
    response = client.post(f"/members/{member.pk}/edit/", data)
    assert response.status_code == 200  # the form again, with the error
    body = response.content.decode()
    assert REGISTERED_ELSEWHERE in body
    assert _revealed(body, stranger) == []


def test_an_admin_who_sees_both_households_is_told_where(county_admin, household, stranger):
    head = stranger.members.get()
    member = household.members.get(relation="配偶")
    response = ApiClient(county_admin).patch(f"/members/{member.pk}", {"id_number": head.id_number})
    assert response.status_code == 422
    assert stranger.code in response.json()["error"]["fields"]["id_number"]


def test_a_township_dry_run_says_only_registered_elsewhere(township_cadre, stranger, tmp_path):
    from jingzhun.workbook.importer import import_path

    folder = tmp_path / "xikou"
    shutil.copytree(GOLDEN / "valid_utf8", folder)
    for name in ("户.csv", "成员.csv"):  # keep 溪口镇's household G0001 only
        path = folder / name
        with path.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
        rows = [rows[0], *(r for r in rows[1:] if r[0] == "G0001")]
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            csv.writer(fh).writerows(rows)
    result = import_path(str(folder), actor=actor_for(township_cadre), dry_run=True)
    conflicts = [e for e in result.errors if e.column == "证件号码"]
    assert [e.message for e in conflicts] == [REGISTERED_ELSEWHERE]
    report = " ".join(f"{e.value} {e.message}" for e in result.errors + result.warnings)
    assert _revealed(report, stranger) == []


def test_registering_a_household_says_only_registered_elsewhere(village_cadre, stranger):
    from tests.api.conftest import household_body, member_body

    head = stranger.members.get()
    body = household_body(
        code="API0099",
        members=[
            member_body("赵大", "户主", date(1968, 2, 3)),
            member_body(head.name, "配偶", head.birth_date, male=False, id_number=head.id_number),
        ],
    )
    api = ApiClient(village_cadre)
    before = row_counts()
    response = api.post("/households", body)
    assert response.status_code == 422
    assert response.json()["error"]["fields"]["members.1.id_number"] == REGISTERED_ELSEWHERE
    assert _revealed(response.content.decode(), stranger) == []
    assert row_counts() == before
