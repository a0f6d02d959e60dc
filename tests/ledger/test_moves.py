"""The one status-change service: every allowed move of every kind and every other move refused; the
actor's permission, four eyes, evidence, the clock's extension and pause, nothing half-written."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from jingzhun.accounts.access import actor_for
from jingzhun.core.errors import ValidationFailed
from jingzhun.core.models import AuditEntry
from jingzhun.ledger import kinds
from jingzhun.ledger.bulk import bulk_apply
from jingzhun.ledger.models import Item, Step
from jingzhun.ledger.services import item_move, item_note, item_pause, item_resume
from tests.conftest import _persona
from tests.ledger.conftest import D0, new_item, png_upload

pytestmark = pytest.mark.django_db

MOVABLE = [k for k in kinds.ORDER if kinds.KINDS[k].moves]


def _force(item: Item, status: str) -> Item:
    closed = date.today() if kinds.get(item.kind).is_closed(status) else None
    Item.objects.filter(pk=item.pk).update(status=status, closed_on=closed)
    item.refresh_from_db()
    return item


@pytest.mark.parametrize("kind", MOVABLE)
def test_every_allowed_move_works_and_every_other_is_refused(kind, admin, village_region, unit, handler):
    spec = kinds.get(kind)
    actions = sorted({m.action for m in spec.moves})
    n = 0
    for state in spec.states:
        for action in actions:
            n += 1
            item = _force(
                new_item(admin, kind, f"{kind}-{n}", village_region, unit, responsible=handler.user), state
            )
            move = spec.move(state, action)
            kwargs = dict(note="已按要求办理", evidence="现场核查照片已存档", extension_days=10)
            if move is None:
                with pytest.raises(ValidationFailed) as info:
                    item_move(actor=admin, item=item, action=action, **kwargs)
                assert "不能执行该操作" in str(info.value), (state, action)
                assert Item.objects.get(pk=item.pk).status == state
            else:
                moved = item_move(actor=admin, item=item, action=action, **kwargs)
                assert moved.status == move.target, (state, action)
                assert moved.steps.last().action == action


def test_it_refuses_an_unknown_action(problem, admin):
    with pytest.raises(ValidationFailed, match="不能执行该操作"):
        item_move(actor=admin, item=problem, action="teleport")


def test_it_checks_the_permission_of_each_move(problem, handler, leader):
    with pytest.raises(ValidationFailed, match="没有“开始整改”的权限"):
        item_move(actor=leader, item=problem, action="start")
    item_move(actor=handler, item=problem, action="start")
    item_move(actor=handler, item=problem, action="apply_close", note="已整改", attachments=[png_upload()])
    with pytest.raises(ValidationFailed, match="没有“验收销号”的权限"):
        item_move(actor=handler, item=problem, action="accept", note="验收", evidence="见照片")


def test_four_eyes_the_handler_never_accepts_their_own_closing(admin, village_region, unit, leader):
    item = new_item(admin, "problem", "WT-4E", village_region, unit)
    item_move(actor=admin, item=item, action="start")
    item_move(actor=admin, item=item, action="apply_close", note="已整改", evidence="照片存档")
    with pytest.raises(ValidationFailed, match="四眼原则"):
        item_move(actor=admin, item=item, action="accept", note="验收通过", evidence="复核")
    with pytest.raises(ValidationFailed, match="四眼原则"):
        item_move(actor=admin, item=item, action="send_back", note="退回")
    accepted = item_move(actor=leader, item=item, action="accept", note="验收通过", evidence="现场复核")
    assert accepted.status == "已销号" and accepted.closed_on == date.today()


def test_the_responsible_user_cannot_accept_even_with_the_permission(
    admin, county_admin, village_region, unit, leader
):
    item = new_item(admin, "problem", "WT-RESP", village_region, unit, responsible=county_admin)
    _force(item, "申请销号")
    with pytest.raises(ValidationFailed, match="四眼原则"):
        item_move(actor=admin, item=item, action="accept", note="验收", evidence="x")


def test_closing_needs_evidence(problem, handler):
    item_move(actor=handler, item=problem, action="start")
    with pytest.raises(ValidationFailed, match="须填写说明"):
        item_move(actor=handler, item=problem, action="apply_close", attachments=[png_upload()])
    with pytest.raises(ValidationFailed, match="须提供佐证"):
        item_move(actor=handler, item=problem, action="apply_close", note="已整改")
    from django.core.files.uploadedfile import SimpleUploadedFile

    text = SimpleUploadedFile("evil.pdf", b"#!/bin/sh\necho", content_type="application/pdf")
    with pytest.raises(ValidationFailed, match="不是图片或 PDF"):
        item_move(actor=handler, item=problem, action="apply_close", note="已整改", attachments=[text])
    pdf = SimpleUploadedFile("report.pdf", b"%PDF-1.4\n%%EOF", content_type="application/pdf")
    moved = item_move(actor=handler, item=problem, action="apply_close", note="已整改", attachments=[pdf])
    assert moved.status == "申请销号"
    assert moved.steps.last().attachments.get().kind == "pdf"


def test_evidence_text_is_enough_without_a_file(problem, handler):
    item_move(actor=handler, item=problem, action="start")
    moved = item_move(
        actor=handler, item=problem, action="apply_close", note="已整改", evidence="村委会书面证明"
    )
    assert moved.status == "申请销号"


def test_a_refused_move_writes_nothing(problem, handler):
    steps, audits = Step.objects.count(), AuditEntry.objects.count()
    with pytest.raises(ValidationFailed):
        item_move(actor=handler, item=problem, action="apply_close", note="x", evidence="y")
    assert (Step.objects.count(), AuditEntry.objects.count()) == (steps, audits)


def test_each_move_leaves_a_step_and_an_audit_row(problem, handler):
    item_move(actor=handler, item=problem, action="start", note="开始")
    step = problem.steps.last()
    assert (step.from_status, step.status, step.actor_id, step.note) == (
        "已交办",
        "整改中",
        handler.user.pk,
        "开始",
    )
    entry = AuditEntry.objects.filter(object_type="ledger_item", object_id=str(problem.pk)).first()
    assert (
        entry.action == "ledger.start"
        and entry.before["status"] == "已交办"
        and entry.after["status"] == "整改中"
    )


def test_out_of_scope_actor_cannot_move(problem, other_village_cadre):
    from jingzhun.accounts.access import actor_for

    with pytest.raises(ValidationFailed, match="不在您的管辖范围"):
        item_move(actor=actor_for(other_village_cadre), item=problem, action="start")


def test_deadline_before_assignment_is_refused(admin, village_region, unit):
    with pytest.raises(ValidationFailed, match="不能早于交办日期"):
        new_item(admin, "problem", "WT-EARLY", village_region, unit, deadline=D0 - timedelta(days=1))
    assert not Item.objects.filter(code="WT-EARLY").exists()


def test_petition_extension_once_at_most_30_days(petition, handler, leader):
    item_move(actor=handler, item=petition, action="accept_case", on=D0 + timedelta(days=5))
    petition.refresh_from_db()
    assert petition.due_on == D0 + timedelta(days=65)  # 60 days from acceptance
    item_move(actor=handler, item=petition, action="start", on=D0 + timedelta(days=6))
    with pytest.raises(ValidationFailed, match="不得超过 30 天"):
        item_move(actor=leader, item=petition, action="extend", note="需外调", extension_days=31)
    with pytest.raises(ValidationFailed, match="理由"):
        item_move(actor=leader, item=petition, action="extend", extension_days=30)
    moved = item_move(actor=leader, item=petition, action="extend", note="需外调取证", extension_days=30)
    assert moved.due_on == D0 + timedelta(days=95) and moved.status == "延期"
    item_move(actor=handler, item=petition, action="resume")
    with pytest.raises(ValidationFailed, match="只能延期一次"):
        item_move(actor=leader, item=petition, action="extend", note="再延", extension_days=5)


def test_pause_moves_the_deadline_by_the_paused_days(problem, leader, handler):
    item_pause(actor=leader, item=problem, reason="等待鉴定结果", on=date(2018, 3, 10))
    with pytest.raises(ValidationFailed, match="计时已暂停"):
        item_move(actor=handler, item=problem, action="start")
    resumed = item_resume(actor=leader, item=problem, on=date(2018, 3, 20))
    assert resumed.due_on == date(2018, 4, 10)
    assert resumed.deadline == date(2018, 3, 31)


def test_a_directive_cannot_be_paused(admin, village_region, unit):
    item = new_item(admin, "directive", "ZL-1", village_region, unit)
    with pytest.raises(ValidationFailed, match="不允许暂停计时"):
        item_pause(actor=admin, item=item, reason="x")


def test_reopen_keeps_the_history(problem, handler, leader):
    item_move(actor=handler, item=problem, action="start")
    item_move(actor=handler, item=problem, action="apply_close", note="已整改", evidence="证明")
    item_move(actor=leader, item=problem, action="accept", note="验收", evidence="复核")
    with pytest.raises(ValidationFailed, match="理由"):
        item_move(actor=leader, item=problem, action="reopen")
    reopened = item_move(actor=leader, item=problem, action="reopen", note="回访发现反弹")
    assert reopened.status == "整改中" and reopened.closed_on is None and reopened.reopen_count == 1
    assert [s.status for s in reopened.steps.all()] == ["已交办", "整改中", "申请销号", "已销号", "整改中"]


def test_notes_need_an_open_item_and_text(problem, handler):
    with pytest.raises(ValidationFailed, match="请填写进展"):
        item_note(actor=handler, item=problem, note=" ")
    step = item_note(actor=handler, item=problem, note="已完成管网铺设一半", attachments=[png_upload()])
    assert step.attachments.count() == 1 and step.status == "已交办"


def test_bulk_actions_are_all_or_nothing(admin, village_region, unit, leader):
    a = new_item(admin, "problem", "B-1", village_region, unit, status="待交办")
    b = new_item(admin, "problem", "B-2", village_region, unit)  # already 已交办: assign is refused
    with pytest.raises(ValidationFailed, match="B-2"):
        bulk_apply(actor=leader, items=[a, b], op="assign")
    assert Item.objects.get(pk=a.pk).status == "待交办"
    bulk_apply(actor=leader, items=[a], op="assign")
    assert Item.objects.get(pk=a.pk).status == "已交办"


def test_a_problem_from_a_petition_keeps_the_link(petition, admin, unit):
    from jingzhun.ledger.services import problem_from_petition

    problem = problem_from_petition(
        actor=admin,
        petition=petition,
        code="WT-XF-1",
        deadline=date(2018, 5, 1),
        unit=unit,
        responsible_name="李局长",
        on=date(2018, 3, 2),
    )
    assert problem.kind == "problem" and problem.source == "信访转办" and problem.origin_id == petition.pk
    assert list(petition.derived.values_list("code", flat=True)) == ["WT-XF-1"]
    assert AuditEntry.objects.filter(object_id=str(petition.pk), action="ledger.transfer").exists()


FOUR_EYES = [(k, m) for k in MOVABLE for m in kinds.KINDS[k].moves if m.four_eyes]


@pytest.mark.parametrize("kind, move", FOUR_EYES, ids=[f"{k}-{m.action}" for k, m in FOUR_EYES])
def test_four_eyes_on_every_move_that_needs_it(kind, move, admin, leader, village_region, unit, county_admin):
    """Every four-eyes move of every kind (验收销号、退回整改、批准延期、办结、确认完成、了结、结案): refused
    to the responsible user and to whoever made a handling move on the item, even holding both sides;
    anyone else on the supervising side may make it. A refusal writes nothing."""
    kwargs = dict(note="核查通过", evidence="现场核查记录", extension_days=10)
    spec = kinds.get(kind)
    handle = next(m for m in spec.moves if m.perm == kinds.HANDLE)
    # the admin handled it once (a handling move recorded), then the item reached the move's state
    handled = new_item(admin, kind, f"4E-H-{move.action}", village_region, unit, responsible=leader.user)
    _force(handled, handle.source)
    item_move(actor=admin, item=handled, action=handle.action, **kwargs)
    _force(handled, move.source)
    own = new_item(admin, kind, f"4E-R-{move.action}", village_region, unit, responsible=county_admin)
    _force(own, move.source)
    for item in (handled, own):
        steps = Step.objects.count()
        with pytest.raises(ValidationFailed, match="四眼原则"):
            item_move(actor=admin, item=item, action=move.action, **kwargs)
        assert Item.objects.get(pk=item.pk).status == move.source and Step.objects.count() == steps
    other = actor_for(_persona("jiwei-4e", "discipline", "430821000000"))  # both sides, cases too
    assert item_move(actor=other, item=own, action=move.action, **kwargs).status == move.target


@pytest.mark.parametrize(
    "kind, days", [("problem", 30), ("petition", 15), ("directive", 7), ("task", 90), ("case", 90)]
)
def test_an_item_without_a_deadline_gets_its_kinds_default(kind, days, admin, village_region, unit):
    """时限 from the kind's default when none is given (信访: the 15 days to accept or refuse)."""
    item = new_item(admin, kind, f"DL-{kind}", village_region, unit)
    assert (item.deadline, item.due_on) == (D0 + timedelta(days=days), D0 + timedelta(days=days))
    assert item.steps.get().due_on == item.due_on
