"""Writes of the ledger engine. Keyword-only, atomic, each leaving its audit row in the same transaction.

`item_move` is the ONE status-change service: it checks the kind's transition table, the actor's
permission for that move, four eyes and evidence, then records the step, its attachments and the audit
row together. Notes (进展), pauses (暂停计时) and import updates are steps too, without a state change.

Closing evidence (decided): a closing move (申请销号, 验收销号, 答复, 办结, 结案 …) needs a note **and**
either at least one attachment (image or PDF) or a written evidence text (佐证说明) — a photo cannot be
taken of every rectification, but nothing closes on a bare "已整改".
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import transaction

from jingzhun.accounts.access import Actor
from jingzhun.accounts.roles import Perm
from jingzhun.core import audit
from jingzhun.core.errors import ValidationFailed
from jingzhun.ledger import clock, kinds
from jingzhun.ledger.models import Attachment, Item, Step
from jingzhun.lib.uploads import IMAGE_KINDS, sniff_file
from jingzhun.regions.models import Region, code_prefix

ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
ATTACHMENT_MAX_COUNT = 9
ATTACHMENT_KINDS = IMAGE_KINDS | {"pdf"}
PERM_OF = {kinds.HANDLE: Perm.LEDGER_HANDLE, kinds.ASSIGN: Perm.LEDGER_ASSIGN}
FIELDS = (
    "kind",
    "code",
    "source",
    "title",
    "description",
    "measures",
    "region_id",
    "household_id",
    "unit_id",
    "responsible_name",
    "responsible_id",
    "leader_name",
    "assigned_on",
    "deadline",
    "due_on",
    "status",
    "closed_on",
    "extension_days",
    "reply",
)


def move_perm(move: kinds.Move) -> str:
    """The permission a move needs: the handling or supervising side, or a permission named by the kind."""
    return PERM_OF.get(move.perm, move.perm)


def _fail(message: str, field: str = "__all__") -> ValidationFailed:
    return ValidationFailed({field: message})


def _name(actor: Actor) -> str:
    user = actor.user
    if user is None:
        return "系统"
    return getattr(user, "display_name", "") or user.username


def _record(
    actor: Actor, action: str, item: Item, *, before: Any = None, after: Any = None, note: str = ""
) -> None:
    audit.record(
        actor=actor.user,
        action=action,
        object_type="ledger_item",
        object_id=item.pk,
        object_label=f"{kinds.LABELS.get(item.kind, item.kind)} {item.code}",
        household_id=item.household_id,
        before=before,
        after=after,
        note=note,
    )


def check_attachments(files: list[Any]) -> list[tuple[Any, str]]:
    if len(files) > ATTACHMENT_MAX_COUNT:
        raise _fail(f"每次最多上传 {ATTACHMENT_MAX_COUNT} 个附件", "attachments")
    checked = []
    for upload in files:
        if upload.size > ATTACHMENT_MAX_BYTES:
            raise _fail(f"附件“{upload.name}”超过 {ATTACHMENT_MAX_BYTES // 1024 // 1024} MB", "attachments")
        kind = sniff_file(upload)
        if kind not in ATTACHMENT_KINDS:
            raise _fail(f"“{upload.name}”不是图片或 PDF（只接受 JPEG、PNG、GIF、WebP、PDF）", "attachments")
        checked.append((upload, kind))
    return checked


def _in_scope(actor: Actor, region_code: str) -> None:
    from jingzhun.ledger.selectors import ledger_actor

    if not ledger_actor(actor).covers_code(region_code):
        raise _fail(f"地区 {region_code} 不在您的管辖范围内", "region")


def _step(
    item: Item,
    *,
    action: str,
    label: str,
    from_status: str,
    actor: Actor,
    on: date,
    note: str = "",
    evidence: str = "",
    extension_days: int = 0,
) -> Step:
    return Step.objects.create(
        item=item,
        action=action,
        label=label,
        from_status=from_status,
        status=item.status,
        on=on,
        actor=actor.user,
        actor_name=_name(actor),
        note=note,
        evidence=evidence,
        due_on=item.due_on,
        closed_on=item.closed_on,
        paused_since=item.paused_since,
        extension_days=extension_days,
    )


def _save_attachments(step: Step, checked: list[tuple[Any, str]]) -> None:
    for upload, kind in checked:
        Attachment.objects.create(
            step=step, file=upload, name=str(upload.name)[:200], kind=kind, size=upload.size
        )


@transaction.atomic
def item_create(
    *,
    actor: Actor,
    kind: str,
    code: str,
    assigned_on: date,
    region: Region,
    description: str,
    source: str = "",
    deadline: date | None = None,
    title: str = "",
    household: Any = None,
    unit: Any = None,
    responsible_name: str = "",
    responsible: Any = None,
    leader_name: str = "",
    measures: str = "",
    petitioner_name: str = "",
    petitioner_phone: str = "",
    origin: Item | None = None,
    post: Any = None,
    status: str | None = None,
    attachments: list[Any] | None = None,
) -> Item:
    """交办/登记: a new item in the kind's initial state (or `status` for 待交办), with its first step
    (and the files that came with it, e.g. a directive's 附件)."""
    if not (kind == "directive" and post is not None and is_post_member(actor, post)):
        # A directive is issued by the members of its command post (乡镇指挥部 members are handlers, not
        # supervisors); everything else is 交办/登记 by the supervising side.
        actor.require(Perm.LEDGER_ASSIGN)
    spec = kinds.get(kind)
    if kind == "case" and not actor.can(Perm.LEDGER_CASES):
        raise _fail("只有纪委可以登记违纪案件")
    code = (code or "").strip()
    if not code:
        raise _fail("请填写编号", "code")
    if Item.objects.filter(kind=kind, code=code).exists():
        raise _fail(f"编号 {code} 已存在", "code")
    if spec.sources and source not in spec.sources:
        raise _fail(f"来源应为：{'、'.join(spec.sources)}", "source")
    if not (description or "").strip():
        raise _fail("请填写内容", "description")
    _in_scope(actor, region.code)
    if household is not None and not household.village_id.startswith(code_prefix(region.code, region.level)):
        raise _fail("涉及户不在涉及地区内", "household")
    if kind == "petition" and deadline is None:
        deadline = clock.petition_due(assigned_on)
    deadline = deadline or assigned_on + timedelta(days=spec.default_days)
    message = clock.check_deadline(assigned_on, deadline)
    if message:
        raise _fail(message, "deadline")
    checked = check_attachments(list(attachments or []))
    initial = status or spec.initial
    if initial not in (spec.initial, "待交办") or initial not in spec.states:
        raise _fail(f"新建事项的状态应为{spec.initial}", "status")
    item = Item.objects.create(
        kind=kind,
        code=code,
        source=source,
        title=title[:200],
        description=description.strip(),
        measures=measures,
        region=region,
        household=household,
        unit=unit,
        responsible_name=responsible_name,
        responsible=responsible,
        leader_name=leader_name,
        assigned_on=assigned_on,
        deadline=deadline,
        due_on=deadline,
        status=initial,
        petitioner_name=petitioner_name,
        petitioner_phone=petitioner_phone,
        origin=origin,
        post=post,
        created_by=actor.user,
    )
    label = "登记" if kind == "petition" else "下达" if kind == "directive" else "交办"
    step = _step(item, action="create", label=label, from_status="", actor=actor, on=assigned_on)
    _save_attachments(step, checked)
    _record(actor, "ledger.create", item, after=audit.snapshot(item, FIELDS))
    return item


def is_post_member(actor: Actor, post: Any) -> bool:
    return actor.user is not None and post.members.filter(pk=actor.user.pk).exists()


def _handler_ids(item: Item) -> set[int]:
    """Who counts as the handler for four eyes: the responsible user and whoever made a handle move."""
    spec = kinds.get(item.kind)
    handle_actions = {m.action for m in spec.moves if m.perm == kinds.HANDLE} | {"note"}
    ids = set(
        item.steps.filter(action__in=handle_actions, actor__isnull=False).values_list("actor_id", flat=True)
    )
    if item.responsible_id:
        ids.add(item.responsible_id)
    return ids


@transaction.atomic
def item_move(
    *,
    actor: Actor,
    item: Item,
    action: str,
    note: str = "",
    evidence: str = "",
    attachments: list[Any] | None = None,
    on: date | None = None,
    extension_days: int = 0,
    reply: str = "",
) -> Item:
    """The one status change: table, permission, four eyes, evidence, clock — one step, one audit row."""
    item = Item.objects.select_for_update().get(pk=item.pk)
    spec = kinds.get(item.kind)
    move = spec.move(item.status, action)
    if move is None:
        allowed = "、".join(m.label for m in spec.moves_from(item.status)) or "无"
        raise _fail(
            f"{spec.label}“{item.code}”当前状态为“{item.status}”，不能执行该操作（可执行：{allowed}）"
        )
    if not actor.can(move_perm(move)):
        raise _fail(f"您没有“{move.label}”的权限")
    if item.kind == "case" and not actor.can(Perm.LEDGER_CASES):
        raise _fail("只有纪委可以办理违纪案件")
    _in_scope(actor, item.region_id)
    if spec.guard is not None:
        refusal = spec.guard(actor, item, move, note)
        if refusal:
            raise _fail(refusal)
    if move.four_eyes:
        if actor.user is None:
            raise _fail(f"“{move.label}”须由验收人本人操作")
        if actor.user.pk in _handler_ids(item):
            raise _fail(f"“{move.label}”须由办理人以外的人验收（四眼原则），您不能验收自己办理的事项")
    on = on or date.today()
    if on > date.today():
        raise _fail("日期不能晚于今天", "on")
    last = item.steps.order_by("-on", "-id").values_list("on", flat=True).first()
    if last and on < last:
        raise _fail(f"日期不能早于上一步（{last.isoformat()}）", "on")
    note = (note or "").strip()
    evidence = (evidence or "").strip()
    checked = check_attachments(list(attachments or []))
    if move.evidence:
        if not note:
            raise _fail(f"“{move.label}”须填写说明", "note")
        if not checked and not evidence:
            raise _fail(f"“{move.label}”须提供佐证：上传图片或 PDF，或填写佐证说明", "evidence")
    if item.kind == "petition" and action == "reply":
        reply = (reply or note).strip()
    before = audit.snapshot(item, FIELDS)
    if move.extension:
        message = clock.check_extension(spec, extension_days, item.extension_days)
        if message:
            raise _fail(message, "extension_days")
        if not note:
            raise _fail("延期须写明理由（并告知信访人）", "note")
        item.extension_days = extension_days
        item.due_on = item.due_on + timedelta(days=extension_days)
    if move.reopen:
        if item.reopen_count >= spec.max_reopens:
            raise _fail(f"已重新打开 {item.reopen_count} 次，不能再次打开")
        if item.kind == "petition":
            if item.closed_on and (on - item.closed_on).days > kinds.PETITION_REVIEW_DAYS:
                raise _fail("复查/复核须在办结后 30 日内提出")
            item.due_on = clock.review_due(on)
        if not note:
            raise _fail("重新打开须写明理由", "note")
        item.reopen_count += 1
        item.closed_on = None
    if (
        item.kind == "petition"
        and action == "accept_case"
        and item.deadline == clock.petition_due(item.assigned_on)
    ):
        # Registered with the default routing limit: from acceptance the 60-day handling limit runs.
        item.due_on = clock.petition_due(item.assigned_on, on) + timedelta(days=item.extension_days)
    if item.paused_since is not None:
        raise _fail("计时已暂停，请先恢复计时再办理")
    previous = item.status
    item.status = move.target
    if spec.is_closed(move.target):
        item.closed_on = on
    if reply:
        item.reply = reply
    item.save()
    step = _step(
        item,
        action=action,
        label=move.label,
        from_status=previous,
        actor=actor,
        on=on,
        note=note,
        evidence=evidence,
        extension_days=extension_days if move.extension else 0,
    )
    _save_attachments(step, checked)
    if spec.after_move is not None:
        spec.after_move(actor, item, move, step)
    _record(
        actor,
        f"ledger.{action}",
        item,
        before=before,
        after=audit.snapshot(item, FIELDS),
        note=f"{previous} → {item.status}：{note}"[:500],
    )
    return item


@transaction.atomic
def item_note(
    *, actor: Actor, item: Item, note: str, attachments: list[Any] | None = None, on: date | None = None
) -> Step:
    """进展: a progress note with optional photos/PDF on an open item (the responsible side)."""
    actor.require(Perm.LEDGER_HANDLE)
    item = Item.objects.select_for_update().get(pk=item.pk)
    _in_scope(actor, item.region_id)
    if kinds.get(item.kind).is_closed(item.status):
        raise _fail("事项已办结，不能再记录进展")
    note = (note or "").strip()
    if not note:
        raise _fail("请填写进展情况", "note")
    checked = check_attachments(list(attachments or []))
    step = _step(
        item,
        action="note",
        label="进展",
        from_status=item.status,
        actor=actor,
        on=on or date.today(),
        note=note,
    )
    _save_attachments(step, checked)
    _record(actor, "ledger.note", item, note=note[:500], after={"attachments": len(checked)})
    return step


@transaction.atomic
def item_pause(*, actor: Actor, item: Item, reason: str, on: date | None = None) -> Item:
    """暂停计时 while waiting on another party (鉴定、外调 …), where the kind allows it; a supervisor's act."""
    actor.require(Perm.LEDGER_ASSIGN)
    item = Item.objects.select_for_update().get(pk=item.pk)
    _in_scope(actor, item.region_id)
    spec = kinds.get(item.kind)
    if not spec.pausable:
        raise _fail(f"{spec.label}不允许暂停计时")
    if spec.is_closed(item.status):
        raise _fail("事项已办结，不能暂停计时")
    if item.paused_since is not None:
        raise _fail("计时已经暂停")
    if not (reason or "").strip():
        raise _fail("请写明暂停计时的原因", "note")
    item.paused_since = on or date.today()
    item.save(update_fields=["paused_since", "updated_at"])
    _step(
        item,
        action="pause",
        label="暂停计时",
        from_status=item.status,
        actor=actor,
        on=item.paused_since,
        note=reason.strip(),
    )
    _record(actor, "ledger.pause", item, after={"paused_since": item.paused_since.isoformat()}, note=reason)
    return item


@transaction.atomic
def item_resume(*, actor: Actor, item: Item, on: date | None = None) -> Item:
    """恢复计时: the deadline moves by the paused days (pausing is not a breach)."""
    actor.require(Perm.LEDGER_ASSIGN)
    item = Item.objects.select_for_update().get(pk=item.pk)
    _in_scope(actor, item.region_id)
    if item.paused_since is None:
        raise _fail("计时未暂停")
    on = on or date.today()
    if on < item.paused_since:
        raise _fail("恢复日期不能早于暂停日期", "on")
    days = clock.paused_days([(item.paused_since, on)], on)
    before = {"due_on": item.due_on.isoformat()}
    item.due_on = item.due_on + timedelta(days=days)
    item.paused_since = None
    item.save(update_fields=["due_on", "paused_since", "updated_at"])
    _step(
        item,
        action="resume",
        label="恢复计时",
        from_status=item.status,
        actor=actor,
        on=on,
        note=f"暂停 {days} 天，时限顺延至 {item.due_on.isoformat()}",
    )
    _record(actor, "ledger.resume", item, before=before, after={"due_on": item.due_on.isoformat()})
    return item


@transaction.atomic
def problem_from_petition(
    *,
    actor: Actor,
    petition: Item,
    code: str,
    deadline: date,
    unit: Any,
    responsible_name: str,
    responsible: Any = None,
    on: date | None = None,
) -> Item:
    """信访转办: a problem created from a petition, keeping the link both ways (origin / derived)."""
    if petition.kind != "petition":
        raise _fail("只能从信访件转办问题")
    problem = item_create(
        actor=actor,
        kind="problem",
        code=code,
        source="信访转办",
        assigned_on=on or date.today(),
        deadline=deadline,
        region=petition.region,
        household=petition.household,
        description=petition.description,
        unit=unit,
        responsible_name=responsible_name,
        responsible=responsible,
        origin=petition,
    )
    _record(actor, "ledger.transfer", petition, after={"problem": problem.code})
    return problem
