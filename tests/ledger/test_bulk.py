"""Bulk actions for supervisors (交办、批准延期、验收) from the list pages and 我的待办: checkboxes, all or
nothing, and the message names the item that failed and why — a failing item leaves every item unchanged."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from jingzhun.accounts.access import actor_for
from jingzhun.core.models import AuditEntry
from jingzhun.ledger.models import Item, Step
from jingzhun.ledger.services import item_move
from jingzhun.regions.models import Region
from tests.conftest import _persona
from tests.factories import OTHER_VILLAGE
from tests.ledger.conftest import new_item

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def applied(admin, village_region, unit, handler):
    """Three problems of the village cadre, each 申请销号 with evidence."""
    today = date.today()
    out = []
    for n in range(3):
        item = new_item(
            admin,
            "problem",
            f"WT-B{n}",
            village_region,
            unit,
            responsible=handler.user,
            assigned_on=today - timedelta(days=5),
            deadline=today + timedelta(days=20),
        )
        item_move(actor=handler, item=item, action="start", note="开始", on=today)
        item_move(
            actor=handler, item=item, action="apply_close", note="已整改", evidence="照片存档", on=today
        )
        out.append(item)
    return out


def _snapshot():
    return (
        sorted(Item.objects.values_list("code", "status", "closed_on", "unit_id", "responsible_name")),
        Step.objects.count(),
        AuditEntry.objects.exclude(action__startswith="user.").count(),  # a sign-in is audited too
    )


def _bulk(user, items, op="accept", **data):
    payload = {"op": op, "items": [str(i.pk) for i in items], "next": "/ledger/problem/"}
    payload.update({"note": "验收合格", "evidence": "现场核查"} if op == "accept" else {})
    payload.update(data)
    return _client(user).post(reverse("ledger:bulk"), payload, follow=True)


def test_a_supervisor_accepts_several_closings_at_once(applied, county_leader):
    response = _bulk(county_leader, applied)
    assert response.redirect_chain[-1][0] == "/ledger/problem/"
    assert "已批量办理 3 件" in response.content.decode()
    assert set(Item.objects.filter(code__startswith="WT-B").values_list("status", flat=True)) == {"已销号"}
    assert AuditEntry.objects.filter(action="ledger.accept").count() == 3


def test_one_failing_item_leaves_every_item_unchanged(applied, county_leader, admin, village_region, unit):
    fresh = new_item(admin, "problem", "WT-NOT-READY", village_region, unit)  # 已交办: nothing to accept
    before = _snapshot()
    response = _bulk(county_leader, [applied[0], applied[1], fresh, applied[2]])
    html = response.content.decode()
    assert "WT-NOT-READY" in html and "当前状态为“已交办”" in html and "全部未执行" in html
    assert _snapshot() == before


def test_four_eyes_holds_in_bulk(applied, handler, county_leader):
    """The handler's own applications cannot be accepted by a supervisor who handled one of them."""
    before = _snapshot()
    supervisor = _persona("discipline1", "discipline", "430821000000")
    item_move(actor=actor_for(supervisor), item=applied[1], action="send_back", note="补充材料")
    item_move(actor=actor_for(supervisor), item=applied[1], action="restart", note="自己整改")
    item_move(
        actor=actor_for(supervisor), item=applied[1], action="apply_close", note="再次申请", evidence="照片"
    )
    before = _snapshot()
    html = _bulk(supervisor, applied).content.decode()
    assert "WT-B1" in html and "四眼原则" in html
    assert _snapshot() == before


def test_an_item_out_of_scope_fails_the_whole_batch(applied, admin, unit):
    other = new_item(admin, "problem", "WT-LY", Region.objects.get(code=OTHER_VILLAGE), unit)
    narrow = _persona("insp-town", "inspector", "430821102000")
    before = _snapshot()
    html = _bulk(narrow, [applied[0], other]).content.decode()
    assert f"事项 #{other.pk} 不存在或不在您的范围内" in html
    assert _snapshot() == before


def test_bulk_assign_sets_the_unit_and_extension_needs_days(county_admin, admin, village_region, unit):
    from jingzhun.assistance.models import HelpUnit

    edu = HelpUnit.objects.create(name="县教育局", affiliation="县直")
    waiting = [
        new_item(
            admin, "problem", f"WT-W{n}", village_region, unit, status="待交办", deadline=date(2018, 4, 30)
        )
        for n in range(2)
    ]
    response = _bulk(county_admin, waiting, op="assign", unit=str(edu.pk), responsible_name="钱局长")
    assert "已批量办理 2 件" in response.content.decode()
    assert set(
        Item.objects.filter(code__startswith="WT-W").values_list("status", "unit", "responsible_name")
    ) == {("已交办", edu.pk, "钱局长")}
    html = _bulk(county_admin, waiting, op="extend", note="延期").content.decode()
    assert "问题整改没有“批准延期”操作" in html


def test_the_bulk_form_is_for_supervisors_only(applied, county_leader, village_cadre, township_cadre):
    page = _client(county_leader).get(reverse("ledger:inbox")).content.decode()
    assert 'data-testid="bulk-form"' in page and f'name="items" value="{applied[0].pk}"' in page
    listing = _client(county_leader).get(reverse("ledger:list", args=["problem"])).content.decode()
    assert 'form="bulk-form"' in listing
    for user in (village_cadre, township_cadre):
        assert 'data-testid="bulk-form"' not in _client(user).get(reverse("ledger:inbox")).content.decode()
        before = _snapshot()
        assert (
            _client(user).post(reverse("ledger:bulk"), {"op": "accept", "items": [applied[0].pk]}).status_code
            == 404
        )
        assert _snapshot() == before


def test_the_inbox_is_paged_overdue_first(admin, village_region, unit, county_leader, monkeypatch):
    """A supervisor with more closings waiting than a page gets them 50 at a time, earliest deadline first,
    with the total; page 2 continues where page 1 stopped."""
    from jingzhun.ledger import views

    monkeypatch.setattr(views, "PAGE_SIZE", 3)
    today = date.today()
    for n in range(5):
        item = new_item(
            admin,
            "problem",
            f"WT-P{n}",
            village_region,
            unit,
            assigned_on=today - timedelta(days=30),
            deadline=today - timedelta(days=n),
        )
        Item.objects.filter(pk=item.pk).update(status="申请销号")
    client = _client(county_leader)
    first = client.get(reverse("ledger:inbox")).content.decode()
    second = client.get(reverse("ledger:inbox"), {"page": 2}).content.decode()
    assert "5 件" in first and "第 1 / 2 页" in first
    order = [c for c in ("WT-P4", "WT-P3", "WT-P2") if c in first]
    assert order == ["WT-P4", "WT-P3", "WT-P2"] and first.index("WT-P4") < first.index("WT-P2")
    assert "WT-P1" in second and "WT-P0" in second and "WT-P4" not in second


def test_bulk_extension_of_petitions_all_or_nothing(county_leader, admin, village_region, unit, handler):
    """批量批准延期: every petition gets the days; one that was already extended once refuses the batch by
    name and no petition's 时限 moves."""
    today = date.today()
    petitions = []
    for n in range(3):
        item = new_item(
            admin,
            "petition",
            f"XF-E{n}",
            village_region,
            unit,
            responsible=handler.user,
            assigned_on=today - timedelta(days=20),
        )
        item_move(actor=handler, item=item, action="accept_case", on=today - timedelta(days=19))
        item_move(actor=handler, item=item, action="start", on=today - timedelta(days=18))
        petitions.append(item)
    leader = actor_for(county_leader)
    item_move(actor=leader, item=petitions[2], action="extend", note="外调", extension_days=10)
    item_move(actor=handler, item=petitions[2], action="resume")
    before = _snapshot(), list(Item.objects.order_by("code").values_list("code", "due_on"))
    html = _bulk(
        county_leader, petitions, op="extend", note="需补充调查", extension_days="30"
    ).content.decode()
    assert "XF-E2" in html and "只能延期一次" in html and "全部未执行" in html
    assert (_snapshot(), list(Item.objects.order_by("code").values_list("code", "due_on"))) == before
    due = dict(before[1])
    response = _bulk(county_leader, petitions[:2], op="extend", note="需补充调查", extension_days="30")
    assert "已批量办理 2 件" in response.content.decode()
    for item in petitions[:2]:
        item.refresh_from_db()
        assert (item.status, item.due_on) == ("延期", due[item.code] + timedelta(days=30))
