"""The household list: filters, search (name, ID number, 户编号, pinyin initials), keyset pages."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from jingzhun.accounts.access import actor_for
from jingzhun.accounts.roles import Perm
from jingzhun.regions.models import Region, code_range
from jingzhun.registry import enums
from jingzhun.registry.presenters import masker
from jingzhun.registry.selectors import (
    HouseholdFilter,
    filter_households,
    households_visible,
    page_households,
)

PAGE_SIZE = 50
FILTER_KEYS = ("region", "exit_status", "attribute", "main_cause", "planned_exit_year", "q")


def _filter_from(request: HttpRequest) -> HouseholdFilter:
    get = request.GET
    year = get.get("planned_exit_year", "")
    return HouseholdFilter(
        region=get.get("region", "").strip(),
        exit_status=get.get("exit_status", "") if get.get("exit_status") in enums.ExitStatus.values else "",
        attribute=get.get("attribute", "") if get.get("attribute") in enums.HouseholdAttribute.values else "",
        main_cause=get.get("main_cause", "") if get.get("main_cause") in enums.PovertyCause.values else "",
        planned_exit_year=int(year) if year.isdigit() and len(year) == 4 else None,
        q=get.get("q", "")[:40],
    )


def _region_options(actor) -> list[Region]:
    """Townships and villages the actor may filter by."""
    if not actor.prefixes:
        return []
    query = Region.objects.none()
    for prefix in actor.prefixes:
        low, high = code_range(prefix)
        query = query | Region.objects.filter(code__gte=low, code__lt=high, level__in=["township", "village"])
    return list(query.order_by("code"))


@login_required
def household_list(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    flt = _filter_from(request)
    after = request.GET.get("after", "")
    query = filter_households(households_visible(actor), flt, actor=actor)
    rows, next_after = page_households(query, after=int(after) if after.isdigit() else None, size=PAGE_SIZE)
    params = {k: request.GET.get(k, "") for k in FILTER_KEYS if request.GET.get(k)}
    mask = masker(actor)
    return render(
        request,
        "registry/household_list.html",
        {
            "rows": [(h, mask("head_id_number", h.head_id_number)) for h in rows],
            "flt": flt,
            "regions": _region_options(actor),
            "enums": enums,
            "next_url": f"?{urlencode({**params, 'after': next_after})}" if next_after else "",
            "first_url": f"?{urlencode(params)}" if after else "",
            "query_string": urlencode(params),
            "can_edit": actor.can(Perm.EDIT_REGISTRY) and not actor.paired_only,
            "can_export": actor.can(Perm.EXPORT_REGISTRY),
            "years": list(range(2014, 2031)),
        },
    )
