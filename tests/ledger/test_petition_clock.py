"""The legal clock of a petition through the one status-change service and the as-of reports (信访工作条例
2022): routed within 15 days of registration, handled within 60 days of acceptance, one extension of at
most 30 days approved by the supervising side (not a breach), 复查 then 复核 each requested within 30
days of the closing and answered within 30 days, after which the same facts are not accepted again; the
clock stopped while paused."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from jingzhun.core.errors import ValidationFailed
from jingzhun.ledger.models import Item
from jingzhun.ledger.reports import Filter, list_rows
from jingzhun.ledger.selectors import items_visible, system_actor
from jingzhun.ledger.services import item_move, item_pause, item_resume
from tests.ledger.conftest import D0

pytestmark = pytest.mark.django_db


def day(n: int) -> date:
    return D0 + timedelta(days=n)


def _as_of(item: Item, n: int) -> tuple[str, str, str]:
    """(时限, 是否逾期, 逾期天数) of the item in `jingzhun ledger list` as of D0 + n days."""
    (row,) = list_rows(items_visible(system_actor()).filter(pk=item.pk), Filter(), day(n))
    return row[7], row[9], row[10]


def test_from_registration_through_extension_to_review_and_second_review(petition, handler, leader):
    assert petition.due_on == day(15)  # 登记: accept or refuse within 15 days
    assert _as_of(petition, 15) == (day(15).isoformat(), "否", "0")
    assert _as_of(petition, 16)[1:] == ("是", "1")

    item_move(actor=handler, item=petition, action="accept_case", on=day(10))
    assert Item.objects.get(pk=petition.pk).due_on == day(70)  # 60 days from acceptance
    item_move(actor=handler, item=petition, action="start", on=day(11))
    with pytest.raises(ValidationFailed, match="没有“批准延期”的权限"):
        item_move(actor=handler, item=petition, action="extend", note="需外调", extension_days=30, on=day(60))
    item_move(actor=leader, item=petition, action="extend", note="需外调取证", extension_days=30, on=day(60))
    # the extension is not a breach: past the original 时限, inside the extended one
    assert _as_of(petition, 90) == (day(100).isoformat(), "否", "0")
    assert _as_of(petition, 101)[1:] == ("是", "1")
    # as of a day before the extension, the item had the original 时限 (history kept)
    assert _as_of(petition, 59)[0] == day(70).isoformat()
    item_move(actor=handler, item=petition, action="resume", on=day(61))
    item_move(
        actor=handler, item=petition, action="reply", note="已答复信访人", evidence="答复书", on=day(80)
    )
    item_move(actor=leader, item=petition, action="close", note="办结", evidence="回访记录", on=day(85))
    assert _as_of(petition, 200) == (day(100).isoformat(), "否", "0")  # closed in time stays not overdue

    with pytest.raises(ValidationFailed, match="30 日内"):
        item_move(actor=leader, item=petition, action="review", note="申请复查", on=day(85 + 31))
    reviewed = item_move(actor=leader, item=petition, action="review", note="申请复查", on=day(85 + 30))
    assert (reviewed.status, reviewed.due_on, reviewed.closed_on, reviewed.reopen_count) == (
        "办理中",
        day(145),  # answered within 30 days of the request
        None,
        1,
    )
    assert _as_of(petition, 146)[1:] == ("是", "1")
    item_move(
        actor=handler, item=petition, action="reply", note="复查意见", evidence="复查意见书", on=day(140)
    )
    item_move(actor=leader, item=petition, action="close", note="复查办结", evidence="回访", on=day(141))
    item_move(actor=leader, item=petition, action="review", note="申请复核", on=day(150))  # 复核
    item_move(
        actor=handler, item=petition, action="reply", note="复核意见", evidence="复核意见书", on=day(160)
    )
    item_move(actor=leader, item=petition, action="close", note="复核办结", evidence="回访", on=day(161))
    with pytest.raises(ValidationFailed, match="不能再次打开"):  # after 复核 the same facts are not accepted
        item_move(actor=leader, item=petition, action="review", note="再次申请", on=day(170))
    final = Item.objects.get(pk=petition.pk)
    assert (final.status, final.reopen_count, final.closed_on) == ("已办结", 2, day(161))
    assert final.reply == "复核意见"  # 答复意见: the latest reply, each one kept in the timeline
    assert list(final.steps.filter(action="reply").values_list("note", flat=True)) == [
        "已答复信访人",
        "复查意见",
        "复核意见",
    ]
    assert [s.status for s in final.steps.all()][-3:] == ["办理中", "已答复", "已办结"]


def test_the_unit_head_approves_the_extension_and_the_handler_cannot(petition, handler, admin):
    """延期 needs the supervising side's approval (the unit head) and a reason; four eyes: never the
    handler, even one who also holds the supervising permission."""
    item_move(actor=handler, item=petition, action="accept_case", on=day(1))
    item_move(actor=admin, item=petition, action="start", on=day(2))  # the admin now handled it
    with pytest.raises(ValidationFailed, match="四眼原则"):
        item_move(actor=admin, item=petition, action="extend", note="需外调", extension_days=10, on=day(3))
    assert Item.objects.get(pk=petition.pk).due_on == day(61)


def test_a_paused_petition_does_not_run_out_while_waiting_on_another_party(petition, leader, handler):
    item_pause(actor=leader, item=petition, reason="等待上级部门鉴定意见", on=day(5))
    # due day 15, paused since day 5: the clock stands still, not overdue however long the wait
    assert _as_of(petition, 40) == (day(15).isoformat(), "否", "0")
    resumed = item_resume(actor=leader, item=petition, on=day(25))
    assert resumed.due_on == day(35)  # 20 days paused, the limit moves by as much
    assert _as_of(petition, 35)[1:] == ("否", "0")
    assert _as_of(petition, 36)[1:] == ("是", "1")
    # as of a day in the pause, the pause is what the history shows
    assert _as_of(petition, 20) == (day(15).isoformat(), "否", "0")


def test_an_item_paused_once_overdue_keeps_its_overdue_days_and_no_more(petition, leader):
    item_pause(actor=leader, item=petition, reason="等待外调", on=day(18))
    assert _as_of(petition, 50)[1:] == ("是", "3")
