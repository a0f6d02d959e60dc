"""Add, edit and remove household members (成员). Removing is a lifecycle event, never a delete."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction

from jingzhun.accounts.access import Actor
from jingzhun.core import audit
from jingzhun.core.errors import ValidationFailed
from jingzhun.registry import enums, fields, validation
from jingzhun.registry.models import Household, HouseholdEvent, Member
from jingzhun.registry.services.common import (
    MEMBER_AUDIT_FIELDS,
    MEMBER_EDITABLE,
    active_member_conflicts,
    after_change,
    audit_household,
    audit_member,
    bump_version,
    check_version,
    conflict_message,
    household_snapshot,
    lock_household_first,
    member_snapshot,
    refresh_head,
    refresh_member_count,
)


def _event(
    actor: Actor, household: Household, kind: str, when: date, reason: str, **extra: Any
) -> HouseholdEvent:
    return HouseholdEvent.objects.create(
        household=household,
        kind=kind,
        occurred_on=when,
        reason=reason,
        actor=actor.user,
        actor_name=str(actor.user or "系统"),
        **extra,
    )


def _clean_member(raw: Mapping[str, Any], *, current: Member | None = None) -> dict[str, Any]:
    """Clean a full member row, or (with `current`) a partial change checked against the whole member."""
    values, errors = fields.clean_row(fields.MEMBER_FIELDS[1:], raw, partial=current is not None)
    if errors:
        raise ValidationFailed(errors)
    merged = {f: getattr(current, f) for f in MEMBER_EDITABLE} if current else {}
    merged.update(values)
    if current is not None and "id_number" in values and "birth_date" not in values:
        merged["birth_date"] = None  # a new ID number brings its own birth date
    errors = validation.member_errors(merged)  # also fills resident_id, birth_date and gender from the ID
    if errors:
        raise ValidationFailed(errors)
    return {k: merged[k] for k in (*values, "resident_id", "birth_date", "gender")}


@transaction.atomic
def member_add(
    *,
    actor: Actor,
    household: Household,
    data: Mapping[str, Any],
    reason: str = "",
    occurred_on: date | None = None,
) -> Member:
    """自然增加 (出生/婚入/迁入) when `reason` is given; otherwise a correction of the record."""
    household = Household.objects.select_for_update().get(pk=household.pk)
    if household.registry_status != enums.RegistryStatus.ACTIVE:
        raise ValidationFailed({"__all__": "该户已清退或注销，不能添加成员"})
    if reason and reason not in enums.IncreaseReason.values:
        raise ValidationFailed({"reason": f"增加原因应为：{'、'.join(enums.IncreaseReason.values)}"})
    values = _clean_member(data)
    if (
        values["relation"] == enums.Relation.HEAD
        and household.members.filter(is_active=True, relation="户主").exists()
    ):
        raise ValidationFailed({"relation": "该户已有户主：每户只能有一名户主"})
    conflict = active_member_conflicts([values["resident_id"]]).get(values["resident_id"])
    if conflict is not None:
        raise ValidationFailed({"id_number": conflict_message(actor, conflict, household=household)})
    before = household_snapshot(household)
    try:
        with transaction.atomic():  # the unique constraint decides a race the check above cannot see
            member = Member.objects.create(household=household, **values)
    except IntegrityError as exc:
        raise ValidationFailed({"id_number": "此人已是其他户的在册成员"}) from exc
    refresh_member_count(household)
    bump_version(household)
    household.save(update_fields=["member_count", "version", "updated_at"])
    if reason:
        _event(
            actor,
            household,
            enums.EventKind.NATURAL_INCREASE,
            occurred_on or date.today(),
            reason,
            member=member,
        )
    audit_member(
        actor,
        "member.add",
        member,
        household=household,
        after=member_snapshot(member),
        note=reason,
    )
    audit_household(
        actor,
        "household.update",
        household,
        before=before,
        after=household_snapshot(household),
    )
    after_change(household.pk)
    return member


@transaction.atomic
def member_update(*, actor: Actor, member: Member, changes: Mapping[str, Any], version: Any = None) -> Member:
    """Edit a member; `version`: the version the edit was based on (another change since: EditConflict)."""
    lock_household_first(member.household_id)  # an edit of the head updates the household after its audit
    member = Member.objects.select_for_update().select_related("household").get(pk=member.pk)
    check_version(member, version)
    if not member.is_active:
        raise ValidationFailed({"__all__": "该成员已减少，不能修改"})
    unknown = set(changes) - set(MEMBER_EDITABLE)
    if unknown:
        raise ValidationFailed({name: "该字段不能在此修改" for name in unknown})
    values = _clean_member(changes, current=member)
    household = member.household
    if values.get("relation") == enums.Relation.HEAD and member.relation != enums.Relation.HEAD:
        if household.members.filter(is_active=True, relation="户主").exclude(pk=member.pk).exists():
            raise ValidationFailed({"relation": "该户已有户主：请先把原户主改为其他关系"})
    if member.relation == enums.Relation.HEAD and values.get("relation", "户主") != enums.Relation.HEAD:
        raise ValidationFailed({"relation": "不能直接取消户主：请先把另一名成员设为户主（变更户主）"})
    if "resident_id" in values and values["resident_id"] != member.resident_id:
        conflict = active_member_conflicts([values["resident_id"]]).get(values["resident_id"])
        if conflict is not None and conflict.pk != member.pk:
            raise ValidationFailed({"id_number": conflict_message(actor, conflict, household=household)})

    def save() -> None:
        try:
            with transaction.atomic():  # the unique constraint decides a race the check above cannot see
                member.save()
        except IntegrityError as exc:
            raise ValidationFailed({"id_number": "此人已是其他户的在册成员"}) from exc

    audit.audited_update(
        member,
        values,
        fields=MEMBER_AUDIT_FIELDS,
        actor=actor,
        action="member.update",
        label=lambda m: m.name,
        household_id=household.pk,
        object_type="member",
        on_change=bump_version,
        save=save,
    )
    if member.relation == enums.Relation.HEAD:
        hh_before = household_snapshot(household)
        refresh_head(household)
        hh_after = household_snapshot(household)
        if hh_before != hh_after:
            bump_version(household)
            household.save()
            audit_household(
                actor,
                "household.update",
                household,
                before=hh_before,
                after=hh_after,
            )
    after_change(household.pk)
    return member


@transaction.atomic
def head_change(
    *,
    actor: Actor,
    household: Household,
    new_head: Member,
    old_head_relation: str,
    new_head_relation_note: str = "",
) -> Household:
    """变更户主: the chosen member becomes 户主; the old head takes `old_head_relation`."""
    household = Household.objects.select_for_update().get(pk=household.pk)
    if old_head_relation not in enums.Relation.values or old_head_relation == enums.Relation.HEAD:
        raise ValidationFailed({"old_head_relation": "请选择原户主与新户主的关系"})
    new_head = Member.objects.select_for_update().get(pk=new_head.pk, household=household, is_active=True)
    old = household.members.filter(is_active=True, relation="户主").exclude(pk=new_head.pk).first()
    hh_before = household_snapshot(household)
    if old is not None:
        before = member_snapshot(old)
        old.relation = old_head_relation
        bump_version(old)
        old.save()
        audit_member(
            actor,
            "member.update",
            old,
            household=household,
            before=before,
            after=member_snapshot(old),
        )
    before = member_snapshot(new_head)
    new_head.relation = enums.Relation.HEAD
    bump_version(new_head)
    new_head.save()
    audit_member(
        actor,
        "member.update",
        new_head,
        household=household,
        before=before,
        after=member_snapshot(new_head),
        note=new_head_relation_note,
    )
    refresh_head(household)
    bump_version(household)
    household.save()
    audit_household(
        actor,
        "household.head_change",
        household,
        before=hh_before,
        after=household_snapshot(household),
    )
    after_change(household.pk)
    return household


@transaction.atomic
def member_remove(
    *,
    actor: Actor,
    member: Member,
    reason: str,
    occurred_on: date | None = None,
    note: str = "",
    version: Any = None,
) -> Member:
    """自然减少 (死亡/婚出/迁出/判刑收监): the member leaves the household; the row stays for history.
    `version` is the member's version the caller read (the API's no-lost-update check)."""
    lock_household_first(member.household_id)
    member = Member.objects.select_for_update().select_related("household").get(pk=member.pk)
    check_version(member, version)
    if reason not in enums.DecreaseReason.values:
        raise ValidationFailed({"reason": f"减少原因应为：{'、'.join(enums.DecreaseReason.values)}"})
    if not member.is_active:
        raise ValidationFailed({"__all__": "该成员已经减少"})
    household = member.household
    active = household.members.filter(is_active=True).count()
    if active <= 1:
        raise ValidationFailed({"__all__": "这是该户最后一名在册成员：请办理“注销”，而不是减少成员"})
    if member.relation == enums.Relation.HEAD and active > 1:
        raise ValidationFailed({"__all__": "户主不能直接减少：请先变更户主，再减少该成员"})
    when = occurred_on or date.today()
    before = member_snapshot(member)
    member.is_active = False
    member.removed_reason = reason
    member.removed_on = when
    bump_version(member)
    member.save()
    hh_before = household_snapshot(household)
    refresh_member_count(household)
    bump_version(household)
    household.save(update_fields=["member_count", "version", "updated_at"])
    _event(
        actor, household, enums.EventKind.NATURAL_DECREASE, when, reason, member=member, detail={"note": note}
    )
    audit_member(
        actor,
        "member.remove",
        member,
        household=household,
        before=before,
        after=member_snapshot(member),
        note=f"{reason} {note}".strip(),
    )
    audit_household(
        actor,
        "household.update",
        household,
        before=hh_before,
        after=household_snapshot(household),
    )
    after_change(household.pk)
    return member
