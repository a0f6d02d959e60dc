"""Writes for help and responsibility (帮扶). Keyword-only, atomic, each leaving audit rows.

Rows with dates are never overwritten: a new helper, leader, team leader or first secretary ends the
open row (ended_on = the new start) and starts a new one, so the history stays readable."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Model

from jingzhun.accounts.access import Actor
from jingzhun.accounts.roles import Perm
from jingzhun.assistance import models as m
from jingzhun.assistance.models import HelperPairing
from jingzhun.core import audit
from jingzhun.core.errors import ValidationFailed
from jingzhun.core.periods import current_q
from jingzhun.lib.thumbnails import make_thumbnail
from jingzhun.lib.uploads import IMAGE_KINDS, image_size_problem, sniff_file
from jingzhun.regions.models import Region
from jingzhun.registry.models import Household

PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_MAX_COUNT = 6
EARLIEST = date(2013, 1, 1)  # 精准扶贫 began in 2013; older dates are typos


def _in_scope(actor: Actor, household: Household) -> None:
    """Same 404 as a missing household when the actor may not reach it (defence in depth)."""
    from jingzhun.registry.selectors import household_get

    household_get(actor, household.pk)


def _date(value: Any, field: str, *, required: bool = True, not_future: bool = True) -> Any:
    if value in (None, ""):
        if required:
            raise ValidationFailed({field: "请填写日期"})
        return None
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip().replace("/", "-"))
        except ValueError as exc:
            raise ValidationFailed({field: "日期格式应为 YYYY-MM-DD"}) from exc
    if value < EARLIEST:
        raise ValidationFailed({field: "日期不能早于 2013 年"})
    if not_future and value > date.today():
        raise ValidationFailed({field: "日期不能晚于今天"})
    return value


def _money(value: Any, field: str, *, required: bool = False) -> Decimal | None:
    if value in (None, ""):
        if required:
            raise ValidationFailed({field: "请填写金额"})
        return None
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation as exc:
        raise ValidationFailed({field: "金额应为数字（元）"}) from exc
    if amount < 0 or amount >= Decimal("1e10"):
        raise ValidationFailed({field: "金额应在 0 到 99.99 亿元之间"})
    return amount.quantize(Decimal("0.01"))


def _record(
    actor: Actor,
    action: str,
    obj: Model,
    label: str,
    *,
    household_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    audit.record(
        actor=actor.user,
        action=action,
        object_type=obj._meta.model_name,
        object_id=obj.pk,
        object_label=label,
        household_id=household_id,
        before=before,
        after=after,
    )


# --- pairings (帮扶结对) ------------------------------------------------------------------------
def _audit_pairing(
    actor: Actor,
    action: str,
    pairing: HelperPairing,
    household: Household,
    *,
    after: dict[str, Any],
    before: dict[str, Any] | None = None,
) -> None:
    audit.record(
        actor=actor.user,
        action=action,
        object_type="pairing",
        object_id=pairing.pk,
        object_label=str(household),
        household_id=household.pk,
        before=before,
        after=after,
    )


def _pairing_end(actor: Actor, pairing: HelperPairing, household: Household, end: date) -> None:
    pairing.ended_on = end
    pairing.save(update_fields=["ended_on"])
    _audit_pairing(
        actor,
        "pairing.end",
        pairing,
        household,
        before={"helper": pairing.helper_id, "ended_on": None},
        after={"helper": pairing.helper_id, "ended_on": end.isoformat()},
    )


@transaction.atomic
def helper_assign(
    *, actor: Actor, household: Household, helper: Any, started_on: date | None = None
) -> HelperPairing:
    """Pair a helper with a household; an open pairing with someone else ends on the new start date."""
    start = started_on or date.today()
    current = HelperPairing.objects.select_for_update().current().filter(household=household).first()
    if current is not None:
        if current.helper_id == getattr(helper, "pk", None):
            return current
        if start < current.started_on:
            raise ValidationFailed({"started_on": "新结对的开始日期不能早于现有结对的开始日期"})
        _pairing_end(actor, current, household, start)
    pairing = HelperPairing.objects.create(helper=helper, household=household, started_on=start)
    _audit_pairing(
        actor,
        "pairing.start",
        pairing,
        household,
        after={"helper": pairing.helper_id, "helper_name": str(helper), "started_on": start.isoformat()},
    )
    return pairing


@transaction.atomic
def helper_unassign(
    *, actor: Actor, household: Household, ended_on: date | None = None
) -> HelperPairing | None:
    end = ended_on or date.today()
    current = HelperPairing.objects.select_for_update().current().filter(household=household).first()
    if current is None:
        return None
    _pairing_end(actor, current, household, end)
    return current


# --- units and links (帮扶单位, 联点, 联村) --------------------------------------------------------
@transaction.atomic
def unit_create(*, actor: Actor, name: str, affiliation: str) -> m.HelpUnit:
    name = (name or "").strip()
    if not name:
        raise ValidationFailed({"name": "请填写单位名称"})
    if affiliation not in m.Affiliation.values:
        raise ValidationFailed({"affiliation": "隶属应为 省直/市直/县直/乡镇/村级"})
    if m.HelpUnit.objects.filter(name=name).exists():
        raise ValidationFailed({"name": "该单位已存在"})
    unit = m.HelpUnit.objects.create(name=name, affiliation=affiliation)
    _record(actor, "unit.create", unit, name, after={"name": name, "affiliation": affiliation})
    return unit


def _region(code: str, level: str, field: str) -> Region:
    region = Region.objects.filter(code=code, level=level).first()
    if region is None:
        raise ValidationFailed({field: f"没有这个{'乡镇' if level == 'township' else '村'}：{code}"})
    return region


@transaction.atomic
def leader_link(
    *, actor: Actor, leader: Any, township_code: str, started_on: date | None = None
) -> m.LeaderLink:
    """联点: the township's open link (to another leader) ends; one leader per township at a time."""
    township = _region(township_code, "township", "township")
    start = started_on or date.today()
    for old in m.LeaderLink.objects.select_for_update().current().filter(township=township):
        if old.leader_id == leader.pk:
            return old
        old.ended_on = start
        old.save(update_fields=["ended_on"])
        _record(actor, "leader_link.end", old, str(old), after={"ended_on": start.isoformat()})
    link = m.LeaderLink.objects.create(leader=leader, township=township, started_on=start)
    _record(
        actor,
        "leader_link.start",
        link,
        str(link),
        after={"leader": str(leader), "township": township.code, "started_on": start.isoformat()},
    )
    return link


@transaction.atomic
def unit_village_link(
    *, actor: Actor, unit: m.HelpUnit, village_code: str, started_on: date | None = None
) -> m.UnitVillageLink:
    """联村: a village may have several units; linking the same unit twice returns the open link."""
    village = _region(village_code, "village", "village")
    existing = m.UnitVillageLink.objects.current().filter(unit=unit, village=village).first()
    if existing is not None:
        return existing
    start = started_on or date.today()
    link = m.UnitVillageLink.objects.create(unit=unit, village=village, started_on=start)
    _record(
        actor,
        "unit_link.start",
        link,
        str(link),
        after={"unit": unit.name, "village": village.code, "started_on": start.isoformat()},
    )
    return link


# --- work teams and first secretaries (驻村工作队, 第一书记) ---------------------------------------
@transaction.atomic
def work_team_create(
    *, actor: Actor, village_code: str, unit: m.HelpUnit | None = None, started_on: date | None = None
) -> m.WorkTeam:
    village = _region(village_code, "village", "village")
    if m.WorkTeam.objects.current().filter(village=village).exists():
        raise ValidationFailed({"village": "该村已有在驻工作队"})
    start = started_on or date.today()
    team = m.WorkTeam.objects.create(village=village, unit=unit, started_on=start)
    _record(
        actor,
        "work_team.create",
        team,
        str(team),
        after={"village": village.code, "unit": unit.name if unit else None, "started_on": start.isoformat()},
    )
    return team


@transaction.atomic
def team_member_add(
    *, actor: Actor, team: m.WorkTeam, cadre: Any, is_leader: bool = False, started_on: date | None = None
) -> m.WorkTeamMember:
    """Add a member; a new 队长 ends the old leader's row and keeps the old leader on as a member."""
    start = started_on or date.today()
    if team.ended_on is not None:
        raise ValidationFailed({"team": "该工作队已撤离"})
    current = m.WorkTeamMember.objects.select_for_update().current().filter(team=team, cadre=cadre).first()
    if current is not None and current.is_leader == is_leader:
        return current
    if current is not None:
        current.ended_on = start
        current.save(update_fields=["ended_on"])
    if is_leader:
        old = m.WorkTeamMember.objects.select_for_update().current().filter(team=team, is_leader=True).first()
        if old is not None:
            old.ended_on = start
            old.save(update_fields=["ended_on"])
            m.WorkTeamMember.objects.create(
                team=team, cadre_id=old.cadre_id, is_leader=False, started_on=start
            )
            _record(actor, "team_member.demote", old, str(old), after={"is_leader": False})
    member = m.WorkTeamMember.objects.create(team=team, cadre=cadre, is_leader=is_leader, started_on=start)
    _record(
        actor,
        "team_member.add",
        member,
        str(member),
        after={"team": team.pk, "cadre": str(cadre), "is_leader": is_leader, "started_on": start.isoformat()},
    )
    return member


@transaction.atomic
def team_member_end(
    *, actor: Actor, member: m.WorkTeamMember, ended_on: date | None = None
) -> m.WorkTeamMember:
    end = ended_on or date.today()
    if member.ended_on is None:
        member.ended_on = end
        member.save(update_fields=["ended_on"])
        _record(actor, "team_member.end", member, str(member), after={"ended_on": end.isoformat()})
    return member


@transaction.atomic
def first_secretary_appoint(
    *,
    actor: Actor,
    village_code: str,
    cadre: Any,
    unit: m.HelpUnit | None = None,
    started_on: date | None = None,
) -> m.FirstSecretary:
    village = _region(village_code, "village", "village")
    start = started_on or date.today()
    current = m.FirstSecretary.objects.select_for_update().current().filter(village=village).first()
    if current is not None:
        if current.cadre_id == cadre.pk:
            return current
        current.ended_on = start
        current.save(update_fields=["ended_on"])
        _record(actor, "first_secretary.end", current, str(current), after={"ended_on": start.isoformat()})
    post = m.FirstSecretary.objects.create(village=village, cadre=cadre, unit=unit, started_on=start)
    _record(
        actor,
        "first_secretary.start",
        post,
        str(post),
        after={"village": village.code, "cadre": str(cadre), "started_on": start.isoformat()},
    )
    return post


# --- visits (走访) ------------------------------------------------------------------------------
def _check_photos(photos: list[Any]) -> list[tuple[Any, str]]:
    if len(photos) > PHOTO_MAX_COUNT:
        raise ValidationFailed({"photos": f"每次走访最多上传 {PHOTO_MAX_COUNT} 张照片"})
    checked = []
    for photo in photos:
        if photo.size > PHOTO_MAX_BYTES:
            raise ValidationFailed({"photos": f"照片“{photo.name}”超过 {PHOTO_MAX_BYTES // 1024 // 1024} MB"})
        kind = sniff_file(photo)
        if kind not in IMAGE_KINDS:
            raise ValidationFailed({"photos": f"“{photo.name}”不是图片（只接受 JPEG、PNG、GIF、WebP）"})
        problem = image_size_problem(photo, kind)  # from the header, before anything decodes it
        if problem:
            raise ValidationFailed({"photos": f"照片“{photo.name}”：{problem}"})
        checked.append((photo, kind))
    return checked


def _thumbnail_of(photo: Any) -> ContentFile | None:
    photo.seek(0)
    data = make_thumbnail(photo.read())
    photo.seek(0)
    if data is None:
        return None
    stem = (photo.name or "photo").rsplit("/", 1)[-1].rsplit(".", 1)[0][:60] or "photo"
    return ContentFile(data, name=f"{stem}.jpg")


@transaction.atomic
def visit_log(
    *,
    actor: Actor,
    household: Household,
    visited_on: Any,
    activities: str,
    problems: str = "",
    photos: list[Any] | None = None,
) -> m.Visit:
    """走访: what was done and what problems were found, with photos checked to be images."""
    actor.require(Perm.VISIT)
    _in_scope(actor, household)
    when = _date(visited_on, "visited_on")
    activities = (activities or "").strip()
    if not activities:
        raise ValidationFailed({"activities": "请填写帮扶工作内容"})
    if len(activities) > 2000 or len(problems or "") > 2000:
        raise ValidationFailed({"activities": "内容不超过 2000 字"})
    checked = _check_photos(list(photos or []))
    visit = m.Visit.objects.create(
        household=household,
        visitor=actor.user,
        visited_on=when,
        activities=activities,
        problems=(problems or "").strip(),
    )
    for photo, kind in checked:
        m.VisitPhoto.objects.create(
            visit=visit, file=photo, kind=kind, size=photo.size, thumbnail=_thumbnail_of(photo) or ""
        )
    _record(
        actor,
        "visit.create",
        visit,
        str(household),
        household_id=household.pk,
        after={
            "visited_on": when.isoformat() if when else None,
            "activities": activities[:200],
            "problems": visit.problems[:200],
            "photos": len(checked),
        },
    )
    return visit


# --- attendance (驻村考勤) ----------------------------------------------------------------------
def stationed_village(user: Any) -> Region | None:
    """The village a cadre is stationed in (open team membership or first-secretary post), if any."""
    member = (
        m.WorkTeamMember.objects.current()
        .filter(current_q("team__"), cadre=user)
        .select_related("team__village")
        .first()
    )
    if member is not None:
        return member.team.village
    post = m.FirstSecretary.objects.current().filter(cadre=user).select_related("village").first()
    return post.village if post is not None else None


@transaction.atomic
def check_in(*, actor: Actor, day: Any = None, overnight: bool = False, note: str = "") -> m.CheckIn:
    """One check-in per cadre per day; checking in again the same day can only add 住村 (never remove it)."""
    actor.require(Perm.CHECK_IN)
    village = stationed_village(actor.user)
    if village is None:
        raise ValidationFailed({"__all__": "您不是在驻的工作队员或第一书记，不能驻村签到"})
    when = _date(day or date.today(), "day")
    existing = m.CheckIn.objects.select_for_update().filter(cadre=actor.user, day=when).first()
    if existing is not None:
        if overnight and not existing.overnight:
            existing.overnight = True
            existing.save(update_fields=["overnight"])
            _record(
                actor,
                "checkin.overnight",
                existing,
                str(existing),
                before={"overnight": False},
                after={"overnight": True},
            )
        return existing
    row = m.CheckIn.objects.create(
        cadre=actor.user, village=village, day=when, overnight=overnight, note=(note or "").strip()[:200]
    )
    _record(
        actor,
        "checkin.create",
        row,
        str(row),
        after={"village": village.code, "day": when.isoformat() if when else None, "overnight": overnight},
    )
    return row


# --- help measures (帮扶措施) -------------------------------------------------------------------
MEASURE_FIELDS = ("category", "content", "funds", "started_on", "ended_on", "expected_income_gain", "status")


def _measure_values(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    if data.get("category") not in m.MeasureCategory.values:
        errors["category"] = "请选择措施类别"
    values["category"] = data.get("category")
    content = (data.get("content") or "").strip()
    if not content:
        errors["content"] = "请填写措施内容"
    values["content"] = content[:500]
    status = data.get("status") or m.MeasureStatus.ACTIVE
    if status not in m.MeasureStatus.values:
        errors["status"] = "状态应为 计划/实施中/已完成/已终止"
    values["status"] = status
    for name, required in (("funds", False), ("expected_income_gain", False)):
        try:
            values[name] = _money(data.get(name), name, required=required)
        except ValidationFailed as exc:
            errors.update(exc.errors)
    values["funds"] = values.get("funds") or Decimal("0.00")
    for name, required in (("started_on", True), ("ended_on", False)):
        try:
            values[name] = _date(data.get(name), name, required=required, not_future=False)
        except ValidationFailed as exc:
            errors.update(exc.errors)
    if values.get("started_on") and values.get("ended_on") and values["ended_on"] < values["started_on"]:
        errors["ended_on"] = "结束日期不能早于开始日期"
    if errors:
        raise ValidationFailed(errors)
    return values


@transaction.atomic
def measure_add(*, actor: Actor, household: Household, data: dict[str, Any]) -> m.HelpMeasure:
    actor.require(Perm.VISIT)
    _in_scope(actor, household)
    values = _measure_values(data)
    measure = m.HelpMeasure.objects.create(household=household, **values)
    _record(
        actor,
        "measure.create",
        measure,
        str(household),
        household_id=household.pk,
        after=audit.snapshot(measure, MEASURE_FIELDS),
    )
    return measure


@transaction.atomic
def measure_update(
    *, actor: Actor, measure: m.HelpMeasure, data: dict[str, Any], version: Any = None
) -> m.HelpMeasure:
    """`version`: the measure's version the caller read (the API's no-lost-update check)."""
    from jingzhun.registry.services.common import bump_version, check_version

    actor.require(Perm.VISIT)
    _in_scope(actor, measure.household)
    measure = m.HelpMeasure.objects.select_for_update().get(pk=measure.pk)
    check_version(measure, version, object_type="helpmeasure", noun="帮扶措施")
    audit.audited_update(
        measure,
        _measure_values(data),
        fields=MEASURE_FIELDS,
        actor=actor,
        action="measure.update",
        label=str(measure.household),
        household_id=measure.household_id,
        only_changed=True,
        on_change=bump_version,
    )
    return measure


# --- alert parameters ---------------------------------------------------------------------------
SETTING_FIELDS = ("max_households_per_helper", "visit_interval_days", "week_min_days", "week_min_nights")
SETTING_LIMITS = {
    "max_households_per_helper": (1, 100),
    "visit_interval_days": (1, 365),
    "week_min_days": (0, 7),
    "week_min_nights": (0, 7),
}


def alert_settings() -> m.AlertSettings:
    row = m.AlertSettings.objects.order_by("id").first()
    return row if row is not None else m.AlertSettings()


@transaction.atomic
def alert_settings_update(*, actor: Actor, values: dict[str, Any]) -> m.AlertSettings:
    actor.require(Perm.CONFIGURE_ASSISTANCE)
    row = m.AlertSettings.objects.select_for_update().order_by("id").first() or m.AlertSettings()
    errors, numbers = {}, {}
    for name in SETTING_FIELDS:
        low, high = SETTING_LIMITS[name]
        try:
            number = int(str(values.get(name, getattr(row, name))).strip())
        except ValueError:
            errors[name] = "应为整数"
            continue
        if not low <= number <= high:
            errors[name] = f"应在 {low} 到 {high} 之间"
            continue
        numbers[name] = number
    if errors:
        raise ValidationFailed(errors)
    audit.audited_update(
        row, numbers, fields=SETTING_FIELDS, actor=actor, action="assistance.settings", label="帮扶预警参数"
    )
    return row
