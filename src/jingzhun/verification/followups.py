"""Follow-ups (后续处置) of a confirmed clue: what it proposes, by rule, and applying it in one click.

A clue closed 属实 proposes one of (spec §3):
- `member_remove` — 自然减少 of the member (X-DEATH: 死亡, X-MOVED: 迁出);
- `review` — X-VEHICLE/X-HOUSE/X-BUSINESS/X-PAYROLL: a 问题整改 (source 数据比对) to review whether the household
  was wrongly included, or 清退 directly (`household_purge`) — the person applying chooses;
- `member_field` / `household_field` — a correction to the departmental value (X-DIBAO, X-DISABILITY,
  X-SCHOOL, X-INSURANCE, X-HOUSING, and the Q-* rules with an obvious field); the value may be changed
  before applying where the department does not say it (e.g. 健康状况 when 残联 does not list the person);
  `also` names a second field corrected with it when the rule flagged two (Q-PRESCHOOL-OLD: 在校生状况
  学前教育 and 文化程度 学龄前儿童; X-DIBAO: 低保 and 特困供养, both read from all of the member's current
  低保特困 records when proposing, so the member's one clue leaves no mismatch behind);
- `problem` — the other Q-* rules: a 问题整改 for the village to correct the data.

Nothing changes the registry by itself: `followup_apply` is called by a person with `verification.apply`
and `registry.edit` over the household, goes through the registry's own services (member_remove,
household_purge, member_update, household_update) or the ledger's item_create, runs once (the clue row
is locked and marked applied in the same transaction), links the clue to the event or item, adds a step
to the clue's timeline and an audit row.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from jingzhun.accounts.access import Actor
from jingzhun.accounts.roles import Perm
from jingzhun.core import audit
from jingzhun.core.errors import ValidationFailed
from jingzhun.ledger.models import Item, Step
from jingzhun.registry import enums
from jingzhun.registry.models import HouseholdEvent, Member
from jingzhun.verification.models import Clue

YES, NO = "是", "否"
BOOL_CHOICES = (YES, NO)
# field → (label, level, choices)
FIELDS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "dibao": ("低保", "member", BOOL_CHOICES),
    "tekun": ("特困供养", "member", BOOL_CHOICES),
    "medical_insurance": ("参加基本医疗保险", "member", BOOL_CHOICES),
    "health": ("健康状况", "member", tuple(enums.Health.values)),
    "school_status": ("在校生状况", "member", tuple(enums.SchoolStatus.values)),
    "education": ("文化程度", "member", tuple(enums.Education.values)),
    "labour_skill": ("劳动技能", "member", tuple(enums.LabourSkill.values)),
    "housing_safety": ("住房安全等级", "household", tuple(enums.HousingSafety.values)),
    "attribute": ("贫困户属性", "household", tuple(enums.HouseholdAttribute.values)),
}
REVIEW_RULES = ("X-VEHICLE", "X-HOUSE", "X-BUSINESS", "X-PAYROLL")


def _flag(value: Any) -> str:
    return YES if value else NO


def _field(name: str, value: str, why: str) -> dict[str, Any]:
    label, level, _ = FIELDS[name]
    return {
        "action": f"{level}_field",
        "field": name,
        "value": value,
        "label": f"更正{label}为“{value}”",
        "why": why,
    }


def propose(clue: Clue) -> dict[str, Any]:
    """The follow-up a clue confirmed 属实 proposes (plain data, stored on the clue)."""
    rule, record, member, household = clue.rule, clue.record or {}, clue.member, clue.household
    if rule in ("X-DEATH", "X-MOVED"):
        reason = enums.DecreaseReason.DEATH if rule == "X-DEATH" else enums.DecreaseReason.MOVED_OUT
        when = record.get("死亡日期") or record.get("迁出日期") or ""
        return {
            "action": "member_remove",
            "reason": str(reason),
            "on": when,
            "label": f"自然减少（{reason}）",
        }
    if rule in REVIEW_RULES:
        return {"action": "review", "label": "转问题整改，核实是否错评（或直接清退）"}
    if member is not None and rule == "X-DIBAO":
        return _dibao(clue, member, record)
    if member is not None and rule == "X-DISABILITY":
        value = "健康" if member.health == enums.Health.DISABLED else "残疾"
        return _field("health", value, "与残联名单一致")
    if member is not None and rule == "X-SCHOOL":
        state, stage = record.get("学籍状态", ""), record.get("学段", "")
        if state == "辍学" or member.school_status != enums.SchoolStatus.NOT_IN_SCHOOL:
            return _field("school_status", "非在校生", "与学籍一致（辍学）")
        value = stage if stage in enums.SchoolStatus.values else "小学"
        return _field("school_status", value, "与学籍一致（在读）")
    if member is not None and rule == "X-INSURANCE":
        return _field("medical_insurance", _flag(not member.medical_insurance), "与医保参保名单一致")
    if rule == "X-HOUSING" and record.get("鉴定等级") in enums.HousingSafety.values:
        return _field("housing_safety", record["鉴定等级"], "与危房鉴定一致")
    if member is not None and rule == "Q-CHILD-LABOUR":
        return _field("labour_skill", "无劳动力", "未满16周岁不计劳动力")
    if member is not None and rule == "Q-INFANT-SCHOOL":
        return _field("school_status", "学前教育", "5周岁以下不应为中小学在校生")
    if member is not None and rule == "Q-PRESCHOOL-OLD":
        # the rule flags 在校生状况 学前教育 or 文化程度 学龄前儿童 (or both): correct what it flagged
        preschool_child = member.education == enums.Education.PRESCHOOL_CHILD
        if member.school_status == enums.SchoolStatus.PRESCHOOL:
            plan = _field("school_status", "小学", "7周岁以上不应为学前")
            if preschool_child:
                plan["also"] = {"education": str(enums.Education.PRIMARY)}
                plan["label"] += f"、{FIELDS['education'][0]}为“{enums.Education.PRIMARY}”"
            return plan
        return _field("education", "小学", "7周岁以上不应为学龄前儿童")
    if rule in ("Q-DIBAO-ATTR", "Q-TEKUN-ATTR"):
        special = "低保贫困户" if rule == "Q-DIBAO-ATTR" else "特困供养贫困户"
        value = "一般贫困户" if household.attribute == special else special
        return _field("attribute", value, "与成员的低保/特困供养标识一致")
    return {"action": "problem", "label": "转问题整改，由村里核实更正数据"}


DIBAO_FIELDS = {"dibao": "低保", "tekun": "特困"}  # member field → 救助类别


def _dibao(clue: Clue, member: Member, record: dict[str, Any]) -> dict[str, Any]:
    """X-DIBAO's correction: both flags in line with all of the member's current 低保特困 records.

    The rule gives one clue per member (spec §2: one row per rule and member) that names both categories
    when both disagree (特困 = 是 with only a 低保 period, and 低保 = 否). Correcting only the category of
    the clue's record would leave the other mismatch behind for good: the next run's hit names the same
    record, whose clue is closed, so it is never raised again. So the proposal reads the member's records
    as the cross-check matches them and corrects every flag that disagrees — the clue's category first,
    the other as `also`."""
    from jingzhun.verification.crosscheck import member_assistance

    kind = record.get("救助类别", "")
    first = "tekun" if kind == "特困" or (not kind and member.tekun and not member.dibao) else "dibao"
    covered = member_assistance(clue.household_id, member.pk, clue.year)
    if covered is None:  # the roll is gone or the member left: the clue's own category, as raised
        return _field(first, _flag(not getattr(member, first)), "与民政低保特困名单一致")
    wrong = {
        f: _flag(covered[k]) for f, k in DIBAO_FIELDS.items() if (getattr(member, f) is True) != covered[k]
    }
    if not wrong:  # already in line since the run: confirm the clue's category as it stands
        return _field(first, _flag(covered[DIBAO_FIELDS[first]]), "与民政低保特困名单一致")
    main = first if first in wrong else next(iter(wrong))
    plan = _field(main, wrong.pop(main), "与民政低保特困名单一致")
    if wrong:
        plan["also"] = dict(wrong)
        plan["label"] += "".join(f"、{FIELDS[f][0]}为“{v}”" for f, v in wrong.items())
    return plan


def choices(clue: Clue) -> tuple[str, ...]:
    """The values a person may pick for a field correction (the proposed one first)."""
    field = clue.followup.get("field")
    if not field:
        return ()
    options = FIELDS[field][2]
    return (clue.followup["value"], *(o for o in options if o != clue.followup["value"]))


def _fail(message: str) -> ValidationFailed:
    return ValidationFailed({"__all__": message})


def _problem(actor: Actor, clue: Clue, code_suffix: str) -> Item:
    from jingzhun.ledger.services import item_create

    if not actor.can(Perm.LEDGER_ASSIGN):
        raise _fail("转问题整改需要交办权限（县级）")
    return item_create(
        actor=actor,
        kind="problem",
        code=f"WT-{clue.item.code}{code_suffix}",
        source="数据比对",
        assigned_on=date.today(),
        region=clue.household.village,
        household=clue.household,
        title=clue.item.title,
        description=f"线索 {clue.item.code} 核查属实：{clue.explanation}",
        responsible_name="村两委",
    )


@transaction.atomic
def followup_apply(*, actor: Actor, clue: Clue, option: str = "", value: str = "") -> Clue:
    """Apply the confirmed clue's follow-up once. `option` picks 清退 instead of review (`purge`); `value`
    a different value for a field correction (one of `choices`)."""
    from jingzhun.registry.services import events, households, members

    if not (actor.can(Perm.CLUE_APPLY) and actor.can(Perm.EDIT_REGISTRY)):
        raise _fail("您没有执行后续处置的权限")
    clue = (
        Clue.objects.select_for_update(of=("self",))
        .select_related("item", "household", "member")
        .get(pk=clue.pk)
    )
    if not actor.covers_code(clue.household.village_id) or actor.paired_only:
        raise _fail("该户不在您的管辖范围内")
    if clue.item.status != "属实" or not clue.followup:
        raise _fail("只有核查属实的线索才能执行后续处置")
    if clue.applied_at is not None:
        raise _fail(f"该线索的后续处置已于 {timezone.localtime(clue.applied_at):%Y-%m-%d} 执行，不能重复执行")
    plan, note = clue.followup, f"线索 {clue.item.code} 核查属实"
    event: HouseholdEvent | None = None
    item: Item | None = None
    action = plan["action"]
    if action == "member_remove":
        if clue.member is None:
            raise _fail("线索未指明成员")
        try:
            when = date.fromisoformat(str(plan.get("on") or "")[:10])
        except ValueError:
            when = date.today()
        when = min(when, date.today())
        member = members.member_remove(
            actor=actor, member=clue.member, reason=plan["reason"], occurred_on=when, note=note
        )
        event = HouseholdEvent.objects.filter(member=member).order_by("-id").first()
        done = f"已办理自然减少（{plan['reason']}）：{member.name}"
    elif action == "review" and option == "purge":
        event = events.household_purge(
            actor=actor, household=clue.household, reason=f"{note}：{clue.explanation}"
        )
        done = "已清退该户"
    elif action in ("review", "problem"):
        item = _problem(actor, clue, "")
        done = f"已转问题整改 {item.code}"
    elif action in ("member_field", "household_field"):
        field = plan["field"]
        chosen = value or plan["value"]
        if chosen not in FIELDS[field][2]:
            raise _fail(f"{FIELDS[field][0]}应为：{'、'.join(FIELDS[field][2])}")
        if action == "member_field":
            if clue.member_id is None:
                raise _fail("线索未指明成员")
            also = dict(plan.get("also") or {})  # a second field the same rule flagged (Q-PRESCHOOL-OLD)
            members.member_update(
                actor=actor,
                member=Member.objects.get(pk=clue.member_id),
                changes={field: chosen, **also},
            )
        else:
            also = {}
            households.household_update(actor=actor, household=clue.household, changes={field: chosen})
        done = "已更正" + "、".join(f"{FIELDS[f][0]}为“{v}”" for f, v in {field: chosen, **also}.items())
    else:
        raise _fail("未知的后续处置")
    clue.applied_at, clue.applied_by, clue.applied_note = timezone.now(), actor.user, done[:200]
    clue.applied_event, clue.applied_item = event, item
    clue.save(update_fields=["applied_at", "applied_by", "applied_note", "applied_event", "applied_item"])
    clue_item = clue.item
    Step.objects.create(
        item=clue_item,
        action="followup",
        label="执行后续处置",
        from_status=clue_item.status,
        status=clue_item.status,
        on=date.today(),
        actor=actor.user,
        actor_name=getattr(actor.user, "display_name", "") or str(actor.user or "系统"),
        note=done,
        due_on=clue_item.due_on,
        closed_on=clue_item.closed_on,
    )
    audit.record(
        actor=actor.user,
        action="clue.apply",
        object_type="ledger_item",
        object_id=clue_item.pk,
        object_label=f"线索核查 {clue_item.code}",
        household_id=clue.household_id,
        after={
            "followup": action,
            "option": option,
            "value": value,
            "event": event.pk if event else None,
            "problem": item.code if item else None,
        },
        note=done,
    )
    return clue
