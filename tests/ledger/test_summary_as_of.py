"""The summary as of a past date D, computed set-based (unchanged items from their rows, items changed
after D from their last step on or before D), equals the definition computed item by item in Python:
state = the last step on or before D, an item exists from its first step, overdue by the clock."""

from __future__ import annotations

from datetime import date

import pytest

from jingzhun.ledger import clock, reports
from jingzhun.ledger.models import Item, Step
from jingzhun.ledger.selectors import items_visible
from jingzhun.ledger.services import item_move
from tests.ledger.conftest import new_item

pytestmark = pytest.mark.django_db

DATES = [
    date(2018, m, d)
    for m, d in ((2, 15), (3, 1), (3, 12), (3, 20), (3, 31), (4, 1), (4, 10), (5, 1), (6, 30))
]


def _by_hand(as_of: date, items=None) -> dict[str, dict[str, tuple[int, int, int, int]]]:
    out: dict[str, dict[str, list[int]]] = {}
    for item in Item.objects.all() if items is None else items:
        steps = [s for s in Step.objects.filter(item=item).order_by("on", "id") if s.on <= as_of]
        if not steps:
            continue  # did not exist yet on D
        last = steps[-1]
        closed = last.status in reports.CLOSED
        late = clock.is_overdue(last.due_on, as_of, last.closed_on if closed else None, last.paused_since)
        row = out.setdefault(item.kind, {}).setdefault(item.source, [0, 0, 0, 0])
        row[0] += 1
        row[1] += closed
        row[2] += late
        row[3] += closed and not late
    return {k: {s: tuple(v) for s, v in by.items()} for k, by in out.items()}  # type: ignore[misc]


@pytest.fixture
def history(admin, leader, handler, village_region, unit):
    def problem(code, assigned_on=date(2018, 3, 1), deadline=date(2018, 3, 31), **kw):
        return new_item(
            admin,
            "problem",
            code,
            village_region,
            unit,
            responsible=handler.user,
            assigned_on=assigned_on,
            deadline=deadline,
            **kw,
        )

    def moves(item, *plan):
        for actor, action, on in plan:
            item = item_move(actor=actor, item=item, action=action, note="办理", evidence="佐证", on=on)

    moves(
        problem("WT-LATE"),
        (handler, "start", date(2018, 3, 5)),
        (handler, "apply_close", date(2018, 3, 20)),
        (leader, "accept", date(2018, 4, 10)),
    )
    moves(
        problem("WT-ONTIME"),
        (handler, "start", date(2018, 3, 5)),
        (handler, "apply_close", date(2018, 3, 10)),
        (leader, "accept", date(2018, 3, 12)),
    )
    moves(
        problem("WT-SENTBACK"),
        (handler, "start", date(2018, 3, 2)),
        (handler, "apply_close", date(2018, 3, 25)),
        (leader, "send_back", date(2018, 4, 1)),
    )
    problem("WT-UNTOUCHED")
    problem("WT-LATER", assigned_on=date(2018, 5, 1), deadline=date(2018, 5, 20), source="省级督查")
    new_item(admin, "petition", "XF-OPEN", village_region, unit, assigned_on=date(2018, 3, 12))


@pytest.mark.parametrize("as_of", DATES)
def test_the_summary_as_of_a_past_date_is_the_state_of_the_last_step_by_then(history, admin, as_of):
    if as_of < date(2018, 5, 1):  # the past-date path: some items changed after D
        assert Step.objects.filter(on__gt=as_of).exists()
    assert reports.summary_counts(items_visible(admin), as_of) == _by_hand(as_of)


def test_the_summary_today_and_the_sentence_come_from_one_aggregate(history, admin):
    today = date.today()
    query = items_visible(admin)
    counts = reports.summary_counts(query, today)
    assert counts == _by_hand(today)
    assert reports.sentence(query, today, counts=counts) == reports.sentence(query, today)
    assert reports.sentence(query, today) == "县本级1件信访件中，已按时办结回复0件，1件正在办理中"


def test_the_overdue_board_counts_every_open_overdue_item_once(history, admin, unit, regions):
    """The board's two tables (by township and kind, by unit with the >30-day column) equal a count item by
    item: open, and late by the clock today (a paused item only when it was paused after its deadline)."""
    from django.test import Client
    from django.urls import reverse

    from jingzhun.assistance.models import Affiliation, HelpUnit
    from jingzhun.ledger.services import item_pause
    from jingzhun.regions.models import Region

    other_unit = HelpUnit.objects.create(name="县教育局", affiliation=Affiliation.COUNTY)
    elsewhere = Region.objects.filter(level="village", code__startswith="430821001").order_by("code").first()
    late = new_item(
        admin,
        "problem",
        "WT-ELSE",
        elsewhere,
        other_unit,
        assigned_on=date(2018, 6, 1),
        deadline=date(2018, 6, 30),
    )
    paused_in_time = new_item(
        admin,
        "problem",
        "WT-PAUSED",
        elsewhere,
        other_unit,
        assigned_on=date(2018, 6, 1),
        deadline=date(2018, 6, 30),
    )
    item_pause(
        actor=admin, item=paused_in_time, reason="等待鉴定", on=date(2018, 6, 15)
    )  # the clock stopped in time
    item_pause(actor=admin, item=Item.objects.get(pk=late.pk), reason="等待鉴定")  # paused after its deadline
    today = date.today()
    query = items_visible(admin)
    towns: dict[tuple[str, str], int] = {}
    units: dict[int | None, list[int]] = {}
    for item in Item.objects.all():
        if item.status in reports.CLOSED or not clock.is_overdue(item.due_on, today, None, item.paused_since):
            continue
        key = (item.region_id[:9] + "000", item.kind)
        towns[key] = towns.get(key, 0) + 1
        row = units.setdefault(item.unit_id, [0, 0])
        row[0] += 1
        row[1] += (today - item.due_on).days > 30
    got: dict[tuple[str, str], int] = {}
    for kind, region, n in reports.overdue_by_region(query, today):
        got[(region[:9] + "000", kind)] = got.get((region[:9] + "000", kind), 0) + n
    assert got == towns and len(towns) >= 3
    assert reports.overdue_by_unit(query, today) == {u: tuple(v) for u, v in units.items()}
    assert got[(elsewhere.code[:9] + "000", "problem")] == 1  # WT-ELSE, not WT-PAUSED
    client = Client()
    client.force_login(admin.user)
    page = client.get(reverse("ledger:overdue")).content.decode()
    assert "县教育局" in page and "县水利局" in page


@pytest.fixture
def changed_after(admin, leader, handler, village_region, unit, regions):
    """Items whose state on D = 2018-04-15 is undone or moved by a step after D: closed on D itself and
    reopened after it; a petition late on D whose extension came after D; a problem late on D paused and
    resumed after D; a petition closed before D and sent to 复查 after D; and one elsewhere (out of the
    village cadre's scope) that changed after D as well."""
    from jingzhun.ledger.services import item_pause, item_resume
    from jingzhun.regions.models import Region

    def moves(item, *plan):
        for actor, action, on, *extra in plan:
            days = extra[0] if extra else 0
            item = item_move(
                actor=actor,
                item=item,
                action=action,
                note="办理",
                evidence="佐证",
                on=on,
                extension_days=days,
            )
        return item

    def problem(code, region=village_region):
        return new_item(
            admin,
            "problem",
            code,
            region,
            unit,
            responsible=handler.user,
            assigned_on=date(2018, 3, 1),
            deadline=date(2018, 3, 31),
        )

    moves(
        problem("WT-REOPENED"),
        (handler, "start", date(2018, 3, 5)),
        (handler, "apply_close", date(2018, 4, 10)),
        (leader, "accept", date(2018, 4, 15)),  # on D itself: closed late on D
        (leader, "reopen", date(2018, 4, 20)),
    )
    moves(
        new_item(admin, "petition", "XF-EXTENDED", village_region, unit, assigned_on=date(2018, 1, 10)),
        (handler, "accept_case", date(2018, 1, 12)),  # due 60 days later: 2018-03-13
        (handler, "start", date(2018, 1, 15)),
        (leader, "extend", date(2018, 4, 20), 30),  # after D: on D it was late and not extended
    )
    paused = moves(problem("WT-PAUSED-AFTER"), (handler, "start", date(2018, 3, 5)))
    item_pause(actor=admin, item=paused, reason="等待鉴定", on=date(2018, 4, 20))
    item_resume(actor=admin, item=Item.objects.get(pk=paused.pk), on=date(2018, 4, 25))
    moves(
        new_item(admin, "petition", "XF-REVIEWED", village_region, unit, assigned_on=date(2018, 3, 1)),
        (handler, "accept_case", date(2018, 3, 2)),
        (handler, "start", date(2018, 3, 3)),
        (handler, "reply", date(2018, 3, 20)),
        (leader, "close", date(2018, 3, 25)),
        (leader, "review", date(2018, 4, 16)),  # the day after D
    )
    elsewhere = Region.objects.filter(level="village", code__startswith="430821001").order_by("code").first()
    moves(
        problem("WT-ELSEWHERE", elsewhere),
        (admin, "start", date(2018, 3, 5)),
        (admin, "apply_close", date(2018, 4, 18)),
    )


@pytest.mark.parametrize(
    "as_of", [date(2018, 4, 14), date(2018, 4, 15), date(2018, 4, 16), date(2018, 4, 19)]
)
@pytest.mark.parametrize("who", ["admin", "handler"])
def test_items_reopened_extended_or_paused_after_the_date_count_as_they_were_on_it(
    changed_after, request, who, as_of
):
    """Steps after D (reopen, extension, pause and resume, 复查) do not change D's figures; the state is
    the last step on or before D (a step on D counts), within the caller's scope."""
    actor = request.getfixturevalue(who)
    query = items_visible(actor)
    assert Step.objects.filter(on__gt=as_of).exists()
    got = reports.summary_counts(query, as_of)
    assert got == _by_hand(as_of, query)
    assert reports.summary_counts(query.filter(kind="petition"), as_of) == {
        k: v for k, v in _by_hand(as_of, query).items() if k == "petition"
    }
    if as_of == date(2018, 4, 15):
        problems = got["problem"]["市县巡察"]
        # WT-REOPENED closed late on D; WT-PAUSED-AFTER open and late; (admin only) WT-ELSEWHERE late
        assert problems[:3] == ((3, 1, 3) if who == "admin" else (2, 1, 2))
        assert got["petition"]["县本级"] == (2, 1, 1, 1)  # XF-EXTENDED late; XF-REVIEWED closed in time
