"""Help (帮扶) in the API: a household's visits (走访) and help measures (帮扶措施) — the same services,
permissions and scope as the pages (assistance/views.py): reading needs Perm.VIEW_ASSISTANCE, recording
Perm.VISIT, and the household must be in scope (a 帮扶责任人: paired with them); anything else is a 404.

A household's visits and measures are paths under /v1/households on a router of this app's own (tagged as
the households'), so the registry's routers know nothing of help.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Path, Router, Status

from jingzhun.accounts.access import Actor
from jingzhun.accounts.roles import Perm
from jingzhun.api.context import expected_version, reader
from jingzhun.api.shapes import MAX_ID
from jingzhun.assistance import selectors as sel
from jingzhun.assistance import services
from jingzhun.assistance.api_schemas import MeasureIn, MeasureOut, MeasurePatch, VisitIn, VisitOut
from jingzhun.assistance.models import HelpMeasure, Visit
from jingzhun.registry.api_households import HOUSEHOLD_ID, HOUSEHOLDS_TAG
from jingzhun.registry.selectors import household_get

households_router = Router(tags=[HOUSEHOLDS_TAG])
visits_router = Router(tags=["走访 visits"])
measures_router = Router(tags=["帮扶措施 measures"])

VISIT_ID = Path(..., ge=1, le=MAX_ID, description="走访 id")
MEASURE_ID = Path(..., ge=1, le=MAX_ID, description="措施 id")
VISITS_LISTED = 200


def _actor(request: HttpRequest, perm: str) -> Actor:
    actor = reader(request)
    actor.require(perm)  # missing permission: the same 404 as a missing object
    return actor


def _visit(v: Visit) -> dict[str, Any]:
    visitor = v.visitor
    return {
        "id": v.pk,
        "household_id": v.household_id,
        "visited_on": v.visited_on,
        "visitor_name": (getattr(visitor, "display_name", "") or str(visitor)) if visitor else "",
        "activities": v.activities,
        "problems": v.problems,
        "photo_count": v.photos.count(),
        "created_at": v.created_at,
    }


def _measure(m: HelpMeasure) -> dict[str, Any]:
    return {
        "id": m.pk,
        "household_id": m.household_id,
        "category": m.category,
        "content": m.content,
        "funds": m.funds,
        "started_on": m.started_on,
        "ended_on": m.ended_on,
        "expected_income_gain": m.expected_income_gain,
        "status": m.status,
        "version": m.version,
    }


@households_router.get(
    "/{household_id}/visits", response=list[VisitOut], summary="走访记录（新的在前，最多200条）"
)
def visit_list(request: HttpRequest, household_id: int = HOUSEHOLD_ID):
    actor = _actor(request, Perm.VIEW_ASSISTANCE)
    household = household_get(actor, household_id)
    return [_visit(v) for v in sel.household_visits(household, limit=VISITS_LISTED)]


@households_router.post("/{household_id}/visits", response={201: VisitOut}, summary="登记走访")
def visit_create(request: HttpRequest, payload: VisitIn, household_id: int = HOUSEHOLD_ID):
    actor = _actor(request, Perm.VISIT)
    household = household_get(actor, household_id)
    visit = services.visit_log(
        actor=actor,
        household=household,
        visited_on=payload.visited_on,
        activities=payload.activities,
        problems=payload.problems,
    )
    return Status(201, _visit(visit))


@visits_router.get("/{visit_id}", response=VisitOut, summary="走访详情")
def visit_detail(request: HttpRequest, visit_id: int = VISIT_ID):
    return _visit(sel.visit_get(reader(request), visit_id))


@households_router.get("/{household_id}/measures", response=list[MeasureOut], summary="帮扶措施")
def measure_list(request: HttpRequest, household_id: int = HOUSEHOLD_ID):
    actor = _actor(request, Perm.VIEW_ASSISTANCE)
    household = household_get(actor, household_id)
    return [_measure(m) for m in sel.household_measures(household)]


@households_router.post("/{household_id}/measures", response={201: MeasureOut}, summary="添加帮扶措施")
def measure_create(request: HttpRequest, payload: MeasureIn, household_id: int = HOUSEHOLD_ID):
    actor = _actor(request, Perm.VISIT)
    household = household_get(actor, household_id)
    measure = services.measure_add(actor=actor, household=household, data=payload.model_dump(mode="json"))
    return Status(201, _measure(measure))


@measures_router.get("/{measure_id}", response=MeasureOut, summary="帮扶措施详情")
def measure_detail(request: HttpRequest, measure_id: int = MEASURE_ID):
    return _measure(sel.measure_get(reader(request), measure_id))


@measures_router.patch("/{measure_id}", response=MeasureOut, summary="修改帮扶措施（只改所传字段）")
def measure_patch(request: HttpRequest, payload: MeasurePatch, measure_id: int = MEASURE_ID):
    actor = _actor(request, Perm.VISIT)
    measure = sel.measure_get(actor, measure_id)
    changes = payload.model_dump(mode="json", exclude_unset=True)
    version = expected_version(request, changes.pop("version", None))
    # the service checks the measure as a whole: the stored values, with the ones sent over them
    data = {f: getattr(measure, f) for f in services.MEASURE_FIELDS} | changes
    updated = services.measure_update(actor=actor, measure=measure, data=data, version=version)
    return _measure(updated)
