"""The demo's checked clues were checked by real people: in each village by one of its own 村干部/第一书记/
驻村工作队 (a user of the demo with a village-level grant there), by name and with a note — never by
"系统" — so the clue pages and the precision per rule rest on named field checks; a village with nobody
of its own leaves its clues 待核查."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from jingzhun.accounts.models import RoleGrant
from jingzhun.accounts.services import role_grant, user_create
from jingzhun.demo.verification import seed
from jingzhun.ledger.models import Step
from jingzhun.regions.models import Region
from jingzhun.verification.models import Clue
from tests.factories import OTHER_VILLAGE, VILLAGE, member_row, register

pytestmark = pytest.mark.django_db


def _households(actor, village, n, tag):
    for i in range(n):
        register(
            actor,
            village=village,
            members=[
                member_row(f"{tag}户主{i}", "户主", date(1968, 5, 1 + i % 28)),
                member_row(f"{tag}配偶{i}", "配偶", date(1970, 3, 1 + i % 28), male=i % 3 == 0),
                member_row(f"{tag}老人{i}", "之父", date(1938, 1, 1 + i % 28)),
            ],
        )


@pytest.fixture
def nobody_village(regions):
    """A village of the county with no user of its own."""
    return (
        Region.objects.filter(level="village", code__startswith="430821")
        .exclude(code__in=[VILLAGE, OTHER_VILLAGE])
        .order_by("code")
        .first()
        .code
    )


@pytest.fixture
def seeded(admin_actor, county_admin, village_cadre, other_village_cadre, nobody_village):
    secretary, _ = user_create(username="dysj00001", password="Pass-word-123", display_name="王建国")
    role_grant(user=secretary, role="village_cadre", region_code=OTHER_VILLAGE)  # 琵琶村's 第一书记
    _households(admin_actor, VILLAGE, 12, "甲")
    _households(admin_actor, OTHER_VILLAGE, 18, "乙")
    _households(admin_actor, nobody_village, 6, "丙")
    seed(seed=5, printer=lambda _: None)
    return secretary


def _people_of(village):
    return set(
        RoleGrant.objects.filter(role="village_cadre", region_id=village).values_list("user_id", flat=True)
    )


def test_checked_clues_name_a_person_of_their_own_village_with_a_note(seeded, nobody_village):
    clues = list(Clue.objects.select_related("item", "checker"))
    checked = [c for c in clues if c.item.status != "待核查"]
    assert {c.village_code for c in checked} == {VILLAGE, OTHER_VILLAGE}
    for clue in checked:
        # the field check's moves (not 发现疑点 by the run, nor the county admin's 执行后续处置)
        moves = Step.objects.filter(item=clue.item).exclude(action__in=["create", "followup"])
        by_people = list(moves.select_related("actor"))
        assert by_people and all(s.actor_id in _people_of(clue.village_code) for s in by_people), clue
        assert all(s.actor_name == s.actor.display_name != "系统" for s in by_people)
        if clue.item.status in ("属实", "不属实"):
            assert clue.checker_id in _people_of(clue.village_code)
            assert clue.checker_name == clue.checker.display_name and clue.check_note.startswith("入户核实")
    # 琵琶村's clues were checked by its own two people, both of them
    there = {c.checker_name for c in checked if c.village_code == OTHER_VILLAGE and c.checker_id}
    assert there == {"outsider", "王建国"}
    assert all(c.item.status == "待核查" for c in clues if c.village_code == nobody_village)
    assert any(c.village_code == nobody_village for c in clues)
    assert not Clue.objects.filter(checker_name="系统").exists()


def test_the_clue_page_and_the_precision_show_the_named_checks(seeded, county_admin):
    clue = Clue.objects.filter(village_code=OTHER_VILLAGE, item__status__in=["属实", "不属实"]).first()
    client = Client()
    client.force_login(county_admin)
    page = client.get(f"/verification/clues/{clue.item_id}/").content.decode()
    assert clue.checker_name in page and clue.check_note in page
    home = client.get("/verification/").content.decode()
    precision = home.split('data-testid="precision-table"')[1].split("</table>")[0]
    assert f'data-rule="{clue.rule}"' in precision and "%" in precision
