"""A household's incomes by year, its lifecycle events (动态调整), its identification steps, and a member's
removal (自然减少) — the same services, scope and permissions as the pages (registry/views/events.py,
members.py); the routes hang on the households and members routers of `api_households`.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest
from ninja import Path, Query, Status

from jingzhun.api.context import expected_version, reader
from jingzhun.api.shapes import MAX_ID
from jingzhun.core.errors import ValidationFailed
from jingzhun.registry import api_present as present
from jingzhun.registry.api_households import HOUSEHOLD_ID, MEMBER_ID, _editor, members_router, router
from jingzhun.registry.api_schemas import HouseholdOut, IncomeOut, MemberOut, StepOut
from jingzhun.registry.api_schemas_lifecycle import EventIn, EventOut, IncomeIn, MemberRemoveIn
from jingzhun.registry.models import Household, IncomeRecord
from jingzhun.registry.selectors import household_get, member_get
from jingzhun.registry.services import events as event_services
from jingzhun.registry.services.households import income_delete, income_record
from jingzhun.registry.services.members import member_remove

YEAR = Path(..., ge=1980, le=2100, description="收入年度")


def _income(household: Household, year: int) -> IncomeRecord:
    record = household.incomes.filter(year=year).first()
    if record is None:
        raise Http404
    return record


# ---------------------------------------------------------------- incomes by year


@router.get("/{household_id}/incomes", response=list[IncomeOut], summary="各年度收入（新年度在前）")
def income_list(request: HttpRequest, household_id: int = HOUSEHOLD_ID):
    actor = reader(request)
    household = household_get(actor, household_id)
    return [present.income(r, household.member_count) for r in household.incomes.order_by("-year")]


@router.get("/{household_id}/incomes/{year}", response=IncomeOut, summary="某一年度的收入")
def income_detail(request: HttpRequest, household_id: int = HOUSEHOLD_ID, year: int = YEAR):
    actor = reader(request)
    household = household_get(actor, household_id)
    return present.income(_income(household, year), household.member_count)


@router.put(
    "/{household_id}/incomes/{year}",
    response={200: IncomeOut, 201: IncomeOut},
    summary="登记（201）或更正（200）某一年度的收入",
)
def income_put(request: HttpRequest, payload: IncomeIn, household_id: int = HOUSEHOLD_ID, year: int = YEAR):
    actor = _editor(request)
    household = household_get(actor, household_id)
    existed = household.incomes.filter(year=year).exists()
    amounts = payload.model_dump(mode="json", exclude={"version"})
    version = expected_version(request, payload.version)
    record = income_record(actor=actor, household=household, year=year, amounts=amounts, version=version)
    household.refresh_from_db(fields=["member_count"])
    return Status(200 if existed else 201, present.income(record, household.member_count))


@router.delete("/{household_id}/incomes/{year}", response={204: None}, summary="删除某一年度的收入（误录）")
def income_remove(
    request: HttpRequest,
    household_id: int = HOUSEHOLD_ID,
    year: int = YEAR,
    version: int | None = Query(None, ge=1, le=MAX_ID, description="所依据的版本（也可用 If-Match 头）"),
):
    actor = _editor(request)
    household = household_get(actor, household_id)
    _income(household, year)  # a year without a record is a 404, like a missing resource
    income_delete(actor=actor, household=household, year=year, version=expected_version(request, version))
    return Status(204, None)


# ---------------------------------------------------------------- member removal


@members_router.post(
    "/{member_id}/remove", response=MemberOut, summary="自然减少（死亡、婚出、迁出、判刑收监）"
)
def member_remove_op(request: HttpRequest, payload: MemberRemoveIn, member_id: int = MEMBER_ID):
    actor = _editor(request)
    member = member_get(actor, member_id)
    removed = member_remove(
        actor=actor,
        member=member,
        reason=payload.reason.value,
        occurred_on=payload.occurred_on,
        note=payload.note,
        version=expected_version(request, payload.version),
    )
    return present.member(removed, actor)


# ---------------------------------------------------------------- lifecycle events


def _event_out(e) -> dict:
    return {
        "id": e.pk,
        "kind": e.kind,
        "occurred_on": e.occurred_on,
        "reason": e.reason,
        "member_id": e.member_id,
        "related_household_id": e.related_household_id,
        "actor_name": e.actor_name,
        "created_at": e.created_at,
    }


@router.get("/{household_id}/events", response=list[EventOut], summary="动态调整事件（新的在前）")
def event_list(request: HttpRequest, household_id: int = HOUSEHOLD_ID):
    actor = reader(request)
    household = household_get(actor, household_id)
    return [_event_out(e) for e in household.events.order_by("-occurred_on", "-id")]


@router.post(
    "/{household_id}/events",
    response={200: HouseholdOut},
    summary="办理动态调整（返贫、清退、注销、拆户、并户）",
)
def event_create(request: HttpRequest, payload: EventIn, household_id: int = HOUSEHOLD_ID):
    """Answers the household after the event — for 拆户 the new household. The version checked is the
    household's (the one read before); an event based on an older state is a 409."""
    actor = _editor(request)
    household = household_get(actor, household_id)
    version = expected_version(request, payload.version)
    common = {"actor": actor, "household": household, "occurred_on": payload.occurred_on, "version": version}
    target = household.pk
    if payload.kind == "返贫":
        event_services.mark_returned(**common, reason=payload.reason)
    elif payload.kind == "清退":
        event_services.household_purge(**common, reason=payload.reason)
    elif payload.kind == "注销":
        event_services.household_cancel(**common, reason=payload.reason)
    elif payload.kind == "拆户":
        new = event_services.household_split(
            **common,
            member_ids=payload.member_ids,
            new_code=payload.new_code,
            new_head_id=payload.new_head_id or 0,
            reason=payload.reason,
        )
        target = new.pk
    else:  # 并户: the other household must be in the caller's scope too
        if payload.other_household_id is None:
            raise ValidationFailed({"other_household_id": "请填写被并入户的 id"})
        try:
            other = household_get(actor, payload.other_household_id)
        except Http404 as exc:
            raise ValidationFailed({"other_household_id": "该户不存在或不在您的管辖范围内"}) from exc
        event_services.household_merge(
            **common, other=other, reason=payload.reason, head_relation=payload.head_relation.value
        )
    return present.household(household_get(actor, target), actor)


# ---------------------------------------------------------------- identification steps


@router.get("/{household_id}/steps", response=list[StepOut], summary="识别/退出程序记录")
def step_list(request: HttpRequest, household_id: int = HOUSEHOLD_ID):
    actor = reader(request)
    household = household_get(actor, household_id)
    return list(household.identification_steps.order_by("occurred_on", "id"))
