"""The escalation pass: set-based, the ladder at day 0, 7, 15, 30, idempotent, each rung audited."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection

from jingzhun.core.models import AuditEntry
from jingzhun.ledger.escalation import escalate, overdue_sql
from jingzhun.ledger.models import Escalation, Item
from jingzhun.ledger.services import item_pause
from tests.ledger.conftest import new_item

pytestmark = pytest.mark.django_db

AS_OF = date(2018, 9, 1)


@pytest.fixture
def ladder_items(admin, village_region, unit):
    items = {}
    for days in (0, 1, 6, 7, 14, 15, 29, 30, 45):
        due = AS_OF - timedelta(days=days)
        items[days] = new_item(
            admin,
            "problem",
            f"E-{days:02d}",
            village_region,
            unit,
            assigned_on=due - timedelta(days=30),
            deadline=due,
        )
    return items


def _rungs(item: Item) -> list[str]:
    return list(Escalation.objects.filter(item=item).order_by("id").values_list("label", flat=True))


def test_the_ladder_at_its_boundaries(ladder_items):
    counts = escalate(as_of=AS_OF)
    assert _rungs(ladder_items[0]) == []
    assert _rungs(ladder_items[1]) == ["提醒"]
    assert _rungs(ladder_items[6]) == ["提醒"]
    assert _rungs(ladder_items[7]) == ["提醒", "督办"]
    assert _rungs(ladder_items[14]) == ["提醒", "督办"]
    assert _rungs(ladder_items[15]) == ["提醒", "督办", "通报"]
    assert _rungs(ladder_items[29]) == ["提醒", "督办", "通报"]
    assert _rungs(ladder_items[30]) == ["提醒", "督办", "通报", "约谈"]
    assert counts == {"提醒": 8, "督办": 6, "通报": 4, "约谈": 2}
    # One audit entry per rung and pass, naming every item it reached (no item here names a household).
    audits = AuditEntry.objects.filter(action__startswith="ledger.escalate")
    assert audits.count() == 4 and not audits.filter(object_type="ledger_item").exists()
    entry = audits.get(object_id="2018-09-01:interview", action="ledger.escalate.interview")
    assert (entry.object_type, entry.note, entry.actor_name) == ("ledger_escalation", "逾期约谈 2 件", "系统")
    assert entry.after == {
        "as_of": "2018-09-01",
        "rung": "约谈",
        "count": 2,
        "items": [ladder_items[30].pk, ladder_items[45].pk],
    }
    remind = audits.get(action="ledger.escalate.remind")
    assert sorted(remind.after["items"]) == sorted(ladder_items[d].pk for d in (1, 6, 7, 14, 15, 29, 30, 45))


def test_an_item_naming_a_household_is_in_the_household_trail(admin, village_region, unit, household):
    item = new_item(
        admin,
        "problem",
        "E-HH",
        village_region,
        unit,
        household=household,
        assigned_on=AS_OF - timedelta(days=40),
        deadline=AS_OF - timedelta(days=8),
    )
    escalate(as_of=AS_OF)
    rows = AuditEntry.objects.filter(household_id=household.pk, action__startswith="ledger.escalate")
    assert sorted(rows.values_list("action", "object_id", "note")) == [
        ("ledger.escalate.remind", str(item.pk), "逾期提醒"),
        ("ledger.escalate.supervise", str(item.pk), "逾期督办"),
    ]


def test_it_is_idempotent(ladder_items):
    escalate(as_of=AS_OF)
    before = (Escalation.objects.count(), AuditEntry.objects.count())
    assert escalate(as_of=AS_OF) == {"提醒": 0, "督办": 0, "通报": 0, "约谈": 0}
    assert escalate(as_of=AS_OF - timedelta(days=3)) == {"提醒": 0, "督办": 0, "通报": 0, "约谈": 0}
    assert (Escalation.objects.count(), AuditEntry.objects.count()) == before
    # a day later the items climb on: 6 → 7 days reaches 督办
    counts = escalate(as_of=AS_OF + timedelta(days=1))
    assert counts["督办"] == 1 and counts["提醒"] == 1  # the 0-day item becomes overdue


def test_closed_and_paused_items_do_not_escalate(ladder_items, leader):
    Item.objects.filter(pk=ladder_items[45].pk).update(status="已销号", closed_on=AS_OF)
    item_pause(actor=leader, item=ladder_items[30], reason="等待外调", on=date(2018, 8, 1))
    escalate(as_of=AS_OF)
    assert _rungs(ladder_items[45]) == [] and _rungs(ladder_items[30]) == []


def test_a_configured_ladder(ladder_items, monkeypatch):
    monkeypatch.setenv("JINGZHUN_LEDGER_LADDER", "提醒:0,督办:3")
    counts = escalate(as_of=AS_OF)
    assert counts == {"提醒": 8, "督办": 7}
    from jingzhun.ledger.selectors import rungs_of

    shown = rungs_of(list(ladder_items.values()), AS_OF)
    assert shown[ladder_items[45].pk] == "督办" and shown[ladder_items[1].pk] == "提醒"
    assert ladder_items[0].pk not in shown


def test_the_hand_written_sql_finds_the_same_overdue_set(ladder_items):
    from jingzhun.ledger.escalation import CLOSED

    with connection.cursor() as cursor:
        cursor.execute(overdue_sql(), [*CLOSED, AS_OF])
        ids = {r[0] for r in cursor.fetchall()}
    escalate(as_of=AS_OF)
    assert ids == set(Escalation.objects.filter(rung="remind").values_list("item_id", flat=True))


def test_its_audit_rows_keep_the_audit_chain_whole(ladder_items):
    """The pass writes its audit rows in bulk; each still carries the hash of the one before it."""
    from jingzhun.core.verify import verify_database

    escalate(as_of=AS_OF)
    verdict = verify_database()
    assert verdict.ok, verdict.message
    assert AuditEntry.objects.filter(action__startswith="ledger.escalate", row_hash="").count() == 0


def test_the_responsible_person_and_their_superiors_see_each_rung(admin, village_region, unit, handler):
    """The village cadre responsible for an item 8 days overdue and the township above see 督办 on their
    lists, 我的待办 and the item page (both rungs there) and in the API; a list as of a day before the
    pass shows no rung yet."""
    from django.test import Client
    from django.urls import reverse

    from tests.api.conftest import ApiClient

    today = date.today()
    item = new_item(
        admin,
        "problem",
        "E-SEEN",
        village_region,
        unit,
        responsible=handler.user,
        assigned_on=today - timedelta(days=40),
        deadline=today - timedelta(days=8),
    )
    escalate(as_of=today)
    township = _township_cadre()
    for user in (handler.user, township):
        client = Client()
        client.force_login(user)
        listing = client.get(reverse("ledger:list", args=["problem"])).content.decode()
        assert 'data-testid="rung">督办<' in listing
        page = client.get(reverse("ledger:detail", args=[item.pk])).content.decode()
        assert page.count('data-testid="escalation"') == 2 and "督办（" in page and "提醒（" in page
        assert ApiClient(user).get(f"/ledger/items/{item.pk}").json()["escalations"] == ["提醒", "督办"]
        earlier = (
            reverse("ledger:list", args=["problem"]) + f"?as_of={(today - timedelta(days=1)).isoformat()}"
        )
        assert 'data-testid="rung"' not in client.get(earlier).content.decode()
    inbox = Client()
    inbox.force_login(handler.user)
    assert 'data-testid="rung">督办<' in inbox.get(reverse("ledger:inbox")).content.decode()


def _township_cadre():
    from tests.conftest import _persona

    return _persona("township-sup", "township_cadre", "430821102000")
