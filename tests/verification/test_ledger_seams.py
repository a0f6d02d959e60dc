"""The clue kind on the ledger engine's seams: kept out of the ledger spec's reports, its closed states
known to the escalation pass, its item page its own."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from jingzhun.ledger import kinds, reports, services
from jingzhun.ledger.escalation import escalate
from jingzhun.ledger.models import Escalation, Item
from jingzhun.ledger.selectors import items_visible, system_actor
from jingzhun.verification.clue_store import store_hits
from jingzhun.verification.models import Clue
from tests.verification.conftest import death_hit, spouse_hit

pytestmark = pytest.mark.django_db


def test_clues_stay_out_of_the_ledger_summary_and_tabs(admin, household, people):
    store_hits(hits=[death_hit(household, people["配偶"])], rules_run={"X-DEATH"}, year=2018, actor=admin)
    rows = reports.summary_rows(items_visible(system_actor()), date.today())
    assert {r[0] for r in rows} == {"问题整改", "信访", "指令", "任务指标", "违纪案件"}
    assert "clue" not in kinds.ORDER and kinds.LABELS["clue"] == "线索核查"


def test_overdue_open_clues_escalate_and_closed_ones_do_not(admin, village, household, people):
    store_hits(
        hits=[death_hit(household, people["配偶"]), spouse_hit(household, people["配偶"])],
        rules_run={"X-DEATH", "Q-SPOUSE-SEX"},
        year=2018,
        actor=admin,
    )
    closed = Clue.objects.get(rule="Q-SPOUSE-SEX").item
    services.item_move(actor=village, item=closed, action="start")
    services.item_move(actor=village, item=closed, action="close_false", note="核实无误")
    Item.objects.filter(kind="clue").update(due_on=date.today() - timedelta(days=3))
    escalate(as_of=date.today())
    open_item = Clue.objects.get(rule="X-DEATH").item
    assert Escalation.objects.filter(item=open_item).exists()
    assert not Escalation.objects.filter(item=closed).exists()


def _disability_clue(admin, household, people):
    from jingzhun.rules.hits import Hit

    spouse = people["配偶"]
    text = f"{spouse.name} 在残联名单中（残疾类别为肢体、残疾等级为四级），健康状况为健康"
    store_hits(
        hits=[
            Hit(
                rule="X-DISABILITY",
                household_id=household.pk,
                member_id=spouse.pk,
                explanation=text,
                dataset="残疾人",
                match="证件号码",
                record_key="k1",
                record={"证件号码": spouse.id_number + "41", "残疾类别": "肢体", "残疾等级": "四级"},
            )
        ],
        rules_run={"X-DISABILITY"},
        year=2018,
        actor=admin,
    )
    return Clue.objects.get()


def test_the_ledger_api_masks_a_clues_text_for_a_masked_role(
    admin, county_leader, village_cadre, household, people
):
    """A clue's 内容 and its first step's note are the 说明, which names disability and health: the
    ledger API (which lists every kind) shows them as the clue pages do — masked for the 县领导."""
    from tests.api.conftest import ApiClient

    clue = _disability_clue(admin, household, people)
    leader = ApiClient(county_leader)
    listed = leader.get("/ledger/items").json()["items"]
    detail = leader.get(f"/ledger/items/{clue.item_id}").json()
    shown = str([listed, detail])
    assert "肢体" not in shown and "四级" not in shown and "健康状况为健康" not in shown
    assert detail["description"].endswith("健康状况为***") and "残疾类别为***" in detail["steps"][0]["note"]
    cadre = ApiClient(village_cadre).get(f"/ledger/items/{clue.item_id}").json()
    assert cadre["description"] == clue.explanation  # 村干部 holds the sensitive permission


def test_the_inbox_masks_a_clues_text_for_a_masked_confirmer(
    four_eyes, admin, village, county_leader, household, people
):
    from django.test import Client

    clue = _disability_clue(admin, household, people)
    services.item_move(actor=village, item=clue.item, action="start")
    services.item_move(actor=village, item=clue.item, action="report_true", note="入户核实")
    client = Client()
    client.force_login(county_leader)
    page = client.get("/ledger/inbox/").content.decode()
    assert clue.item.code in page  # the 县领导 may confirm it
    assert "肢体" not in page and "健康状况为健康" not in page and "健康状况为***" in page


def test_the_ledgers_own_list_export_and_form_are_not_for_clues(county_admin, admin, household, people):
    """Clues have pages of their own: /ledger/clue/ (and its xlsx, unmasked 内容 without the clue's
    masking) and /ledger/clue/new/ (an item without its clue) are not there."""
    from django.test import Client

    _disability_clue(admin, household, people)
    client = Client()
    client.force_login(county_admin)
    assert client.get("/ledger/clue/").status_code == 404
    assert client.get("/ledger/clue/?export=xlsx").status_code == 404
    assert client.get("/ledger/clue/new/").status_code == 404
    assert client.post("/ledger/clue/new/", {"title": "手工线索", "description": "x"}).status_code == 404
    assert Item.objects.filter(kind="clue").count() == 1
