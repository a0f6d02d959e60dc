"""Lifecycle events (动态调整): 标注脱贫, 返贫, 清退, 注销, 拆户, 并户, and identification steps."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction

from jingzhun.accounts.access import Actor
from jingzhun.core import audit
from jingzhun.core.errors import ValidationFailed
from jingzhun.core.exit_gate import ExitRefused, exit_gate
from jingzhun.lib.pinyin import initials
from jingzhun.registry import enums, fields
from jingzhun.registry.models import Household, HouseholdEvent, IdentificationRecord, IncomeRecord, Member
from jingzhun.registry.services.common import (
    after_change,
    audit_household,
    audit_member,
    bump_version,
    check_version,
    household_snapshot,
    lock_household_first,
    member_snapshot,
    refresh_head,
    refresh_member_count,
)


def _locked(household: Household, version: Any = None) -> Household:
    """The household row locked for the event; `version` (the one the caller read, as the API sends it)
    refuses an event based on a state someone else has changed since (no lost update)."""
    locked = lock_household_first(household.pk)
    # then its members, before any audit row takes the chain lock: 注销, 拆户 and 并户 save member after
    # member with an audit row between them (lock order: common.lock_household_first)
    list(
        Member.objects.select_for_update()
        .filter(household=locked)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    check_version(locked, version)
    if locked.registry_status != enums.RegistryStatus.ACTIVE:
        raise ValidationFailed({"__all__": f"该户{locked.registry_status}，不能再办理动态调整"})
    return locked


def _finish(
    actor: Actor,
    household: Household,
    before: dict[str, Any],
    kind: str,
    when: date,
    reason: str,
    **extra: Any,
) -> HouseholdEvent:
    bump_version(household)
    household.save()
    event = HouseholdEvent.objects.create(
        household=household,
        kind=kind,
        occurred_on=when,
        reason=reason,
        actor=actor.user,
        actor_name=str(actor.user or "系统"),
        **extra,
    )
    audit_household(
        actor,
        f"household.event.{enums.EventKind(kind).name.lower()}",
        household,
        before=before,
        after=household_snapshot(household),
        note=reason,
    )
    after_change(household.pk)
    return event


def _year(value: Any, field_name: str) -> int:
    try:
        year = fields.parse_year(value)
    except fields.FieldError as exc:
        raise ValidationFailed({field_name: str(exc)}) from exc
    if year is None:
        raise ValidationFailed({field_name: "年度不能为空"})
    return year


@transaction.atomic
def mark_exited(
    *,
    actor: Actor,
    household: Household,
    exit_year: Any,
    occurred_on: date | None = None,
    reason: str = "",
    override: bool = False,
    override_reason: str = "",
    version: Any = None,
) -> HouseholdEvent:
    """标注脱贫: status 已脱贫 with the exit year — only when the exit check passes (the standard of the
    exit year met, "一评议一公示一公告" recorded, standards.exit_rules). A failing household is refused
    with every failing item named; where the county allows it (JINGZHUN_EXIT_OVERRIDE) a county
    administrator may let it through with a written reason (`override`), which is audited and put on the
    疑似错退 board."""
    exit_guard = exit_gate()

    household = _locked(household, version)
    if household.exit_status == enums.ExitStatus.EXITED:
        raise ValidationFailed({"__all__": "该户已经是已脱贫状态"})
    year = _year(exit_year, "exit_year")
    if year > date.today().year:
        raise ValidationFailed({"exit_year": f"脱贫年度 {year} 晚于今年"})
    # a national 2016–2019 list leaves 识别年度 unknown (docs/national-list.md): nothing to compare then
    if household.identified_year is not None and year < household.identified_year:
        raise ValidationFailed({"exit_year": f"脱贫年度 {year} 早于识别年度 {household.identified_year}"})
    decision = exit_guard.household_exit_check(household, year=year)
    detail: dict[str, Any] = {"exit_year": year}
    if not decision.allowed:
        if not override:
            raise ExitRefused(decision.message("标注脱贫"), decision)
        refusal = exit_guard.override_refusal(actor, override_reason)
        if refusal is not None:
            raise ExitRefused(f"{refusal}。{decision.message('标注脱贫')}", decision)
        detail["override"] = {"reason": override_reason.strip(), "problems": decision.texts}
    before = household_snapshot(household)
    household.exit_status = enums.ExitStatus.EXITED
    household.exit_year = year
    event = _finish(
        actor,
        household,
        before,
        enums.EventKind.MARKED_EXITED,
        occurred_on or date.today(),
        reason,
        detail=detail,
    )
    if not decision.allowed:
        exit_guard.exception_record(
            actor=actor,
            level=exit_guard.ExitLevel.HOUSEHOLD,
            year=year,
            source=exit_guard.ExitSource.OVERRIDE,
            decision=decision,
            village_code=household.village_id,
            household=household,
            reason=override_reason,
        )
    return event


@transaction.atomic
def mark_returned(
    *, actor: Actor, household: Household, occurred_on: date | None = None, reason: str, version: Any = None
) -> HouseholdEvent:
    """返贫: an exited household falls back into poverty."""
    household = _locked(household, version)
    if household.exit_status != enums.ExitStatus.EXITED:
        raise ValidationFailed({"__all__": "只有已脱贫户才能标注返贫"})
    if not reason.strip():
        raise ValidationFailed({"reason": "请填写返贫原因"})
    before = household_snapshot(household)
    household.exit_status = enums.ExitStatus.RETURNED
    household.no_longer_enjoying = False
    return _finish(actor, household, before, enums.EventKind.RETURNED, occurred_on or date.today(), reason)


@transaction.atomic
def household_purge(
    *, actor: Actor, household: Household, reason: str, occurred_on: date | None = None, version: Any = None
) -> HouseholdEvent:
    """清退 (错评): the household was wrongly included; it leaves the register, its rows stay."""
    return _leave_register(
        actor, household, enums.RegistryStatus.PURGED, enums.EventKind.PURGE, reason, occurred_on, version
    )


@transaction.atomic
def household_cancel(
    *, actor: Actor, household: Household, reason: str, occurred_on: date | None = None, version: Any = None
) -> HouseholdEvent:
    """注销: the household no longer exists (e.g. all members died or moved away)."""
    return _leave_register(
        actor, household, enums.RegistryStatus.CANCELLED, enums.EventKind.CANCEL, reason, occurred_on, version
    )


def _leave_register(
    actor: Actor,
    household: Household,
    status: str,
    kind: str,
    reason: str,
    occurred_on: date | None,
    version: Any = None,
) -> HouseholdEvent:
    household = _locked(household, version)
    if not reason.strip():
        raise ValidationFailed({"reason": "请填写原因"})
    before = household_snapshot(household)
    household.registry_status = status
    when = occurred_on or date.today()
    # Members leave with the household so that they may be registered elsewhere later.
    for member in household.members.filter(is_active=True):
        m_before = member_snapshot(member)
        member.is_active = False
        member.removed_reason = kind
        member.removed_on = when
        bump_version(member)
        member.save()
        audit_member(
            actor,
            "member.remove",
            member,
            household=household,
            before=m_before,
            after=member_snapshot(member),
            note=kind,
        )
    return _finish(actor, household, before, kind, when, reason)


@transaction.atomic
def household_split(
    *,
    actor: Actor,
    household: Household,
    member_ids: list[int],
    new_code: str,
    new_head_id: int,
    occurred_on: date | None = None,
    reason: str = "",
    version: Any = None,
) -> Household:
    """拆户: move some members into a new household that inherits the registry attributes."""
    household = _locked(household, version)
    new_code = fields.text(new_code)
    if not new_code:
        raise ValidationFailed({"new_code": "请填写新户编号"})
    if Household.objects.filter(code=new_code).exists():
        raise ValidationFailed({"new_code": f"户编号 {new_code} 已存在"})
    moving = list(household.members.filter(is_active=True, pk__in=member_ids))
    if not moving or len(moving) != len(set(member_ids)):
        raise ValidationFailed({"member_ids": "请选择本户的在册成员"})
    staying = household.members.filter(is_active=True).exclude(pk__in=member_ids)
    if not staying.exists():
        raise ValidationFailed({"member_ids": "拆户后原户至少保留一名成员"})
    if not staying.filter(relation="户主").exists():
        raise ValidationFailed({"member_ids": "原户主须留在原户；如需户主迁出，请先变更户主"})
    if new_head_id not in {m.pk for m in moving}:
        raise ValidationFailed({"new_head_id": "新户户主须是拆出的成员之一"})
    when = occurred_on or date.today()
    before = household_snapshot(household)
    copy_fields = (
        "village_id",
        "group_name",
        "identification_standard",
        "attribute",
        "main_cause",
        "other_causes",
        "identified_year",
        "exit_status",
        "exit_year",
        "planned_exit_year",
        "food_secure",
        "clothing_secure",
        "water_safe",
        "housing_safety",
        "relocation",
    )
    head = next(m for m in moving if m.pk == new_head_id)
    try:
        with transaction.atomic():
            new = Household.objects.create(
                code=new_code,
                head_name=head.name,
                head_id_number=head.id_number,
                head_initials=initials(head.name),
                **{f: getattr(household, f) for f in copy_fields},
            )
    except IntegrityError as exc:
        raise ValidationFailed({"new_code": f"户编号 {new_code} 已存在"}) from exc
    for member in moving:
        m_before = member_snapshot(member)
        member.household = new
        member.relation = (
            enums.Relation.HEAD
            if member.pk == new_head_id
            else (member.relation if member.relation != enums.Relation.HEAD else enums.Relation.OTHER)
        )
        bump_version(member)
        member.save()
        audit_member(
            actor,
            "member.move",
            member,
            household=new,
            before={**m_before, "household": household.code},
            after={**member_snapshot(member), "household": new.code},
            note="拆户",
        )
    refresh_member_count(new)
    bump_version(new)
    new.save()
    latest = IncomeRecord.objects.filter(household=household).order_by("-year").first()
    if latest is not None:
        # The new household starts with no income of its own; it must be recorded (H-INCOME stays unknown).
        income_note = f"原户最近收入年度 {latest.year}，新户收入需重新登记"
    else:
        income_note = ""
    HouseholdEvent.objects.create(
        household=new,
        kind=enums.EventKind.SPLIT,
        occurred_on=when,
        reason=reason,
        related_household=household,
        actor=actor.user,
        actor_name=str(actor.user or "系统"),
        detail={"from": household.code, "note": income_note},
    )
    audit_household(
        actor,
        "household.register",
        new,
        after=household_snapshot(new),
        note=f"由 {household.code} 拆出",
    )
    refresh_member_count(household)
    _finish(
        actor,
        household,
        before,
        enums.EventKind.SPLIT,
        when,
        reason,
        related_household=new,
        detail={"to": new_code, "members": [m.pk for m in moving]},
    )
    after_change(new.pk)
    return new


@transaction.atomic
def household_merge(
    *,
    actor: Actor,
    household: Household,
    other: Household,
    occurred_on: date | None = None,
    reason: str = "",
    head_relation: str = enums.Relation.OTHER,
    version: Any = None,
) -> Household:
    """并户: all members of `other` join `household`; `other` is closed (注销) with the merge named."""
    household = _locked(household, version)
    other = _locked(other)
    if other.pk == household.pk:
        raise ValidationFailed({"other": "不能与本户合并"})
    if head_relation not in enums.Relation.values or head_relation == enums.Relation.HEAD:
        raise ValidationFailed({"head_relation": "请选择被并入户户主与本户户主的关系"})
    when = occurred_on or date.today()
    before = household_snapshot(household)
    other_before = household_snapshot(other)
    for member in other.members.filter(is_active=True):
        m_before = member_snapshot(member)
        member.household = household
        if member.relation == enums.Relation.HEAD:
            member.relation = head_relation
        bump_version(member)
        member.save()
        audit_member(
            actor,
            "member.move",
            member,
            household=household,
            before={**m_before, "household": other.code},
            after={**member_snapshot(member), "household": household.code},
            note="并户",
        )
    refresh_member_count(household)
    refresh_head(household)
    other.registry_status = enums.RegistryStatus.CANCELLED
    refresh_member_count(other)
    _finish(
        actor,
        other,
        other_before,
        enums.EventKind.MERGE,
        when,
        reason,
        related_household=household,
        detail={"into": household.code},
    )
    _finish(
        actor,
        household,
        before,
        enums.EventKind.MERGE,
        when,
        reason,
        related_household=other,
        detail={"from": other.code},
    )
    return household


@transaction.atomic
def identification_step_add(
    *,
    actor: Actor,
    household: Household,
    step: str,
    occurred_on: Any,
    performed_by: str,
    note: str = "",
    evidence: Any = None,
    ends_on: Any = None,
) -> IdentificationRecord:
    """One step of "两评议两公示一比对一公告" (identification) or "一评议一公示一公告" (exit) with its date,
    actor and optional evidence. A 公示 also carries its last day (`ends_on`, required for 退出公示) so
    that the exit check can count its days."""
    errors: dict[str, str] = {}
    if step not in enums.IdentificationStep.values:
        errors["step"] = f"程序应为：{'、'.join(enums.IdentificationStep.values)}"
    try:
        when = fields.parse_date(occurred_on)
    except fields.FieldError as exc:
        errors["occurred_on"] = str(exc)
        when = None
    if when is None and "occurred_on" not in errors:
        errors["occurred_on"] = "请填写日期"
    elif when and when > date.today():
        errors["occurred_on"] = "日期不能晚于今天"
    try:
        last_day = fields.parse_date(ends_on)
    except fields.FieldError as exc:
        errors["ends_on"] = str(exc)
        last_day = None
    if step not in enums.NOTICE_STEPS:
        last_day = None  # only a 公示 has a period
    elif last_day is None and step == enums.IdentificationStep.EXIT_NOTICE and "ends_on" not in errors:
        errors["ends_on"] = "请填写公示截止日期"
    elif last_day and when and last_day < when:
        errors["ends_on"] = "公示截止日期不能早于公示开始日期"
    if not fields.text(performed_by):
        errors["performed_by"] = "请填写经办人或单位"
    if errors or when is None:
        raise ValidationFailed(errors)
    record = IdentificationRecord.objects.create(
        household=household,
        step=step,
        occurred_on=when,
        ends_on=last_day,
        performed_by=fields.text(performed_by)[:100],
        note=fields.text(note)[:500],
        evidence=evidence or "",
    )
    audit.record(
        actor=actor.user,
        action="household.identification_step",
        object_type="identification",
        object_id=record.pk,
        object_label=step,
        household_id=household.pk,
        after={
            "step": step,
            "occurred_on": when.isoformat() if when else None,
            "ends_on": last_day.isoformat() if last_day else None,
            "performed_by": record.performed_by,
            "note": record.note,
        },
    )
    return record


def member_of(household: Household, member_id: int) -> Member:
    return household.members.get(pk=member_id)
