"""Shared pieces of the registry services."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from jingzhun.core import audit
from jingzhun.core.errors import EditConflict, ValidationFailed
from jingzhun.jobs import outbox
from jingzhun.registry.fields import MEMBER_COLUMNS
from jingzhun.registry.models import Household, Member

HOUSEHOLD_AUDIT_FIELDS = (
    "code",
    "village_id",
    "group_name",
    "head_name",
    "head_id_number",
    "phone",
    "identification_standard",
    "attribute",
    "main_cause",
    "other_causes",
    "identified_year",
    "exit_status",
    "no_longer_enjoying",
    "exit_year",
    "planned_exit_year",
    "food_secure",
    "clothing_secure",
    "water_safe",
    "housing_safety",
    "relocation",
    "bank_account",
    "registry_status",
    "member_count",
)
# 脱贫状态 changes only through lifecycle events (标注脱贫/返贫), never as a field edit.
HOUSEHOLD_EDITABLE = tuple(
    f
    for f in HOUSEHOLD_AUDIT_FIELDS
    if f not in {"code", "member_count", "registry_status", "exit_status", "exit_year", "no_longer_enjoying"}
)
# the member's data columns (registry.fields.MEMBER_COLUMNS) and its state in the register
MEMBER_AUDIT_FIELDS = (*MEMBER_COLUMNS, "is_active", "removed_reason", "removed_on")
MEMBER_EDITABLE = tuple(
    f for f in MEMBER_AUDIT_FIELDS if f not in {"is_active", "removed_reason", "removed_on"}
)
INCOME_AUDIT_FIELDS = ("year", "wage", "business", "property_income", "transfer", "business_expense")


def household_snapshot(household: Household) -> dict[str, Any]:
    return audit.snapshot(household, HOUSEHOLD_AUDIT_FIELDS)


def audit_household(
    actor: Any,
    action: str,
    household: Household,
    *,
    after: Mapping[str, Any],
    before: Mapping[str, Any] | None = None,
    note: str = "",
) -> Any:
    """The audit row of a change to the household itself: the household is both the subject and the
    household link (so the row shows on its page). Inside the caller's transaction, like audit.record."""
    return audit.record(
        actor=actor.user,
        action=action,
        object_type="household",
        object_id=household.pk,
        object_label=str(household),
        household_id=household.pk,
        before=before,
        after=after,
        note=note,
    )


def audit_member(
    actor: Any,
    action: str,
    member: Member,
    *,
    household: Household,
    after: Mapping[str, Any],
    before: Mapping[str, Any] | None = None,
    note: str = "",
) -> Any:
    """The audit row of a change to a member: the member is the subject, `household` the household link
    (the one it belongs to after the change)."""
    return audit.record(
        actor=actor.user,
        action=action,
        object_type="member",
        object_id=member.pk,
        object_label=member.name,
        household_id=household.pk,
        before=before,
        after=after,
        note=note,
    )


def audit_income(
    actor: Any,
    action: str,
    household: Household,
    *,
    pk: Any,
    year: Any,
    after: Mapping[str, Any] | None,
    before: Mapping[str, Any] | None = None,
) -> Any:
    """The audit row of a change to one year's incomes (subject: the income record `pk`)."""
    return audit.record(
        actor=actor.user,
        action=action,
        object_type="income",
        object_id=pk,
        object_label=f"{year}年收入",
        household_id=household.pk,
        before=before,
        after=after,
    )


def member_snapshot(member: Member) -> dict[str, Any]:
    return audit.snapshot(member, MEMBER_AUDIT_FIELDS)


def refresh_member_count(household: Household) -> None:
    household.member_count = household.members.filter(is_active=True).count()


def refresh_head(household: Household) -> None:
    """Keep the household's denormalised head fields equal to its 户主 member."""
    from jingzhun.lib.pinyin import initials

    head = household.members.filter(is_active=True, relation="户主").first()
    if head is not None:
        household.head_name = head.name
        household.head_id_number = head.id_number
        household.head_initials = initials(head.name)


def active_member_conflicts(
    resident_ids: list[str], *, exclude_household_id: int | None = None
) -> dict[str, Member]:
    """Active members elsewhere holding any of these resident IDs (a person belongs to one household)."""
    query = Member.objects.filter(resident_id__in=resident_ids, is_active=True).select_related("household")
    if exclude_household_id is not None:
        query = query.exclude(household_id=exclude_household_id)
    return {m.resident_id: m for m in query}


# A person registered in a household the actor may not see: the answer must not say where or who
# (issue 15 #8), only that one person belongs to one household.
REGISTERED_ELSEWHERE = "此人已在其他地区登记为在册成员（一人只能属于一户），请联系其户籍所在地核实"


def conflict_message(actor: Any, conflict: Member, *, household: Household | None = None) -> str:
    """Why `conflict` (an active member holding the same resident ID) blocks the write, as `actor` may
    be told: the household number and the name only when that household is in the actor's scope."""
    if household is not None and conflict.household_id == household.pk:
        return f"此人已是本户的在册成员（{conflict.name}）"
    if not actor.covers_code(conflict.household.village_id):
        return REGISTERED_ELSEWHERE
    return f"此人已是 {conflict.household.code} 户的在册成员（{conflict.name}）"


def head_count_problem(household: Household) -> str | None:
    counts = household.members.aggregate(heads=Count("id", filter=Q(is_active=True, relation="户主")))
    if counts["heads"] != 1:
        return f"该户应有且只有一名户主，当前为{counts['heads']}名"
    return None


# The registry's change event (jobs.outbox): apps that keep derived data per household (standards: the
# stored verdicts) subscribe a job kind to it; services call `after_change(household_id)` inside their
# transaction when assessed data changed, which queues one reaction job per subscriber and household —
# only if the write commits.
HOUSEHOLD_CHANGED = "registry.household_changed"
# A registry import wrote households (workbook): params {"prefixes": the importer's scope}.
IMPORTED = "registry.imported"


def lock_household_first(household_id: int) -> Household:
    """Lock order of every registry write (PostgreSQL): the household row, then its member rows, then the
    audit chain (core.chain.lock_tail, taken by the first audit row and held until commit). A write that
    locked a member, appended an audit row and only then locked its household could deadlock with an
    edit of that household waiting for the chain; taking the household first makes them queue instead."""
    return Household.objects.select_for_update().get(pk=household_id)


def after_change(household_id: int) -> None:
    params = {"household_id": household_id, "label": f"户数据变更后的后续任务（户 #{household_id}）"}
    outbox.publish(HOUSEHOLD_CHANGED, params, key=str(household_id))


# --- no lost update (版本) -------------------------------------------------------------------------
# The object types of the audit trail (object_type) and the Chinese noun of each versioned model.
_VERSIONED = {
    "household": ("household", "户"),
    "member": ("member", "成员"),
    "incomerecord": ("income", "收入"),
}


def bump_version(obj: Any) -> None:
    """Every update of a household, member or income moves its version on (the caller saves it)."""
    obj.version = (obj.version or 0) + 1


def _last_change(object_type: str, pk: Any) -> str:
    """Who changed the object last, when, and which fields — names only, so nothing masked is shown."""
    from jingzhun.core.history import field_labels
    from jingzhun.core.models import AuditEntry

    entry = AuditEntry.objects.filter(object_type=object_type, object_id=str(pk)).order_by("-id").first()
    if entry is None:
        return "其他人已修改了该记录"
    who = entry.actor_name or (str(entry.actor) if entry.actor_id else "") or "系统"
    if entry.job_id:
        who = f"{who}（导入任务 #{entry.job_id}）"
    when = timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M")
    before, after = entry.before or {}, entry.after or {}
    labels = field_labels()
    changed = [labels.get(k, k) for k in after if before.get(k) != after.get(k)] if after else []
    what = f"，改动了：{'、'.join(changed)}" if changed else ""
    return f"{who} 于 {when} 修改了该记录{what}"


def check_version(obj: Any, expected: Any, *, object_type: str = "", noun: str = "") -> None:
    """Refuse the write when it was based on another version than the stored one (`expected` None: the
    caller did not say, as an older API client; pages always say). Call after `select_for_update`.
    Other contexts' versioned objects (a help measure) name their audit object type and noun."""
    if expected is None or expected == "":
        return
    try:
        expected_version = int(expected)
    except (TypeError, ValueError) as exc:
        raise ValidationFailed({"version": "版本号应为整数"}) from exc
    if expected_version == obj.version:
        return
    known_type, known_noun = _VERSIONED.get(obj._meta.model_name, (obj._meta.model_name, "记录"))
    object_type, noun = object_type or known_type, noun or known_noun
    raise EditConflict(
        {
            "__all__": f"保存冲突：您打开此{noun}之后，{_last_change(object_type, obj.pk)}。"
            "您的修改没有保存，请重新读取，核对最新内容后再修改。"
        },
        current_version=obj.version,
    )
