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
