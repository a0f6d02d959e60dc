"""Households (户) and their members (成员): list, detail, create, update.

Reads go through registry.selectors (scoped by the Actor; another region's household is a 404) and writes
through the registry services, whose ValidationFailed becomes a 422 with field errors (see api.app).
The routes of `api_lifecycle` hang on these routers too; `registry.api` gathers them.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest
from ninja import Path, Query, Router, Status

from jingzhun.accounts.access import Actor
from jingzhun.accounts.roles import Perm
from jingzhun.api.context import expected_version, reader
from jingzhun.registry import api_present as present
from jingzhun.registry.api_schemas import (
    MAX_ID,
    ExitIn,
    HouseholdFilterIn,
    HouseholdIn,
    HouseholdOut,
    HouseholdPageOut,
    HouseholdPatch,
    MemberCreateIn,
    MemberOut,
    MemberPatch,
    StepIn,
    StepOut,
    dump,
)
from jingzhun.registry.selectors import (
    HouseholdFilter,
    filter_households,
    household_get,
    households_visible,
    member_get,
    page_households,
)
from jingzhun.registry.services.events import identification_step_add, mark_exited
from jingzhun.registry.services.households import household_register, household_update
from jingzhun.registry.services.members import member_add, member_update

HOUSEHOLDS_TAG = "户 households"
router = Router(tags=[HOUSEHOLDS_TAG])
members_router = Router(tags=["成员 members"])

HOUSEHOLD_ID = Path(..., ge=1, le=MAX_ID, description="户 id")
MEMBER_ID = Path(..., ge=1, le=MAX_ID, description="成员 id")


def _editor(request: HttpRequest) -> Actor:
    """Writing needs Perm.EDIT_REGISTRY over a region (a 帮扶责任人 only reads); otherwise the same 404
    as a missing household, so the answer does not tell what exists."""
    actor = reader(request)
    if not actor.can(Perm.EDIT_REGISTRY) or actor.paired_only:
        raise Http404
    return actor


@router.get("", response=HouseholdPageOut, summary="户列表（游标分页）")
def household_list(request: HttpRequest, filters: Query[HouseholdFilterIn]):
    """Households the caller may see, in id order; pass `next` back as `after` for the next page."""
    actor = reader(request)
    flt = HouseholdFilter(
        region=filters.region,
        exit_status=filters.exit_status or "",
        attribute=filters.attribute or "",
        main_cause=filters.main_cause or "",
        planned_exit_year=filters.planned_exit_year,
        q=filters.q,
    )
    rows, cursor = page_households(
        filter_households(households_visible(actor), flt, actor=actor),
        after=filters.after,
        size=filters.limit,
    )
    return {"items": [present.household_summary(h, actor) for h in rows], "next": cursor}


@router.get("/{household_id}", response=HouseholdOut, summary="户详情（成员、各年度收入）")
def household_detail(request: HttpRequest, household_id: int = HOUSEHOLD_ID):
    actor = reader(request)
    return present.household(household_get(actor, household_id), actor)


@router.post("", response={201: HouseholdOut}, summary="新识别建档（户、成员、当年收入）")
def household_create(request: HttpRequest, payload: HouseholdIn):
    actor = _editor(request)
    values = dump(payload)
    members = values.pop("members")
    reason = values.pop("reason")
    values.pop("occurred_on")
    created = household_register(
        actor=actor,
        household=values,
        members=members,
        occurred_on=payload.occurred_on,
        reason=reason,
        identified_now=True,
    )
    return Status(201, present.household(household_get(actor, created.pk), actor))


@router.patch("/{household_id}", response=HouseholdOut, summary="修改户信息（只改所传字段）")
def household_patch(request: HttpRequest, payload: HouseholdPatch, household_id: int = HOUSEHOLD_ID):
    actor = _editor(request)
    household = household_get(actor, household_id)
    changes = dump(payload, partial=True)
    version = expected_version(request, changes.pop("version", None))
    household_update(actor=actor, household=household, changes=changes, version=version)
    return present.household(household_get(actor, household_id), actor)


@router.post("/{household_id}/exit", response=HouseholdOut, summary="标注脱贫（核验脱贫标准与退出程序）")
def household_exit(request: HttpRequest, payload: ExitIn, household_id: int = HOUSEHOLD_ID):
    """The same service and exit check as the page: a failing household is a 422 `exit_refused` whose
    `fields` name every failing item (rule codes such as H-INCOME, EXIT-NOTICE-DAYS for the 公示)."""
    actor = _editor(request)
    household = household_get(actor, household_id)
    mark_exited(
        actor=actor,
        household=household,
        exit_year=payload.exit_year,
        occurred_on=payload.occurred_on,
        reason=payload.reason,
        override=payload.override,
        override_reason=payload.override_reason,
    )
    return present.household(household_get(actor, household_id), actor)


@router.post("/{household_id}/steps", response={201: StepOut}, summary="记录识别/退出程序的一步")
def household_step(request: HttpRequest, payload: StepIn, household_id: int = HOUSEHOLD_ID):
    actor = _editor(request)
    household = household_get(actor, household_id)
    record = identification_step_add(
        actor=actor,
        household=household,
        step=payload.step.value,
        occurred_on=payload.occurred_on,
        ends_on=payload.ends_on,
        performed_by=payload.performed_by,
        note=payload.note,
    )
    return Status(201, record)


@router.get("/{household_id}/members", response=list[MemberOut], summary="户的成员（含已减少的成员）")
def member_list(request: HttpRequest, household_id: int = HOUSEHOLD_ID):
    actor = reader(request)
    household = household_get(actor, household_id)
    return [present.member(m, actor) for m in household.members.order_by("-is_active", "id")]


@router.post("/{household_id}/members", response={201: MemberOut}, summary="添加成员（可记自然增加）")
def member_create(request: HttpRequest, payload: MemberCreateIn, household_id: int = HOUSEHOLD_ID):
    actor = _editor(request)
    household = household_get(actor, household_id)
    data = dump(payload)
    reason = data.pop("reason") or ""
    data.pop("occurred_on")
    member = member_add(
        actor=actor, household=household, data=data, reason=reason, occurred_on=payload.occurred_on
    )
    return Status(201, present.member(member, actor))


@members_router.get("/{member_id}", response=MemberOut, summary="成员详情")
def member_detail(request: HttpRequest, member_id: int = MEMBER_ID):
    actor = reader(request)
    return present.member(member_get(actor, member_id), actor)


@members_router.patch("/{member_id}", response=MemberOut, summary="修改成员（只改所传字段）")
def member_patch(request: HttpRequest, payload: MemberPatch, member_id: int = MEMBER_ID):
    actor = _editor(request)
    member = member_get(actor, member_id)
    changes = dump(payload, partial=True)
    version = expected_version(request, changes.pop("version", None))
    updated = member_update(actor=actor, member=member, changes=changes, version=version)
    return present.member(updated, actor)
