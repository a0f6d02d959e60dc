"""The household list, like a spreadsheet: 共 N 户, numbered pages, sorting by the main columns,
filters (region, status, attribute, cause, plan year, 达标/未达标, failing indicator) and search (name,
ID number, 户编号, pinyin initials). One COUNT and one page query, each on an index (see
docs/benchmarks.md "Household list")."""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from jingzhun.accounts.access import actor_for
from jingzhun.accounts.roles import Perm
from jingzhun.core.assessments import assessments
from jingzhun.core.paging import make_pager
from jingzhun.regions.picker import RegionPicker
from jingzhun.registry import enums
from jingzhun.registry.models import Household
from jingzhun.registry.presenters import masker
from jingzhun.registry.selectors import HouseholdFilter, filter_households, households_visible

PAGE_SIZE = 50
FILTER_KEYS = (
    "region",
    "exit_status",
    "attribute",
    "main_cause",
    "planned_exit_year",
    "q",
    "assessed",
    "failing",
)
# Sortable columns → the ordering; each leads an index of the household table (hh_village_idx,
# hh_status_idx, hh_plan_idx, hh_initials_idx, the unique code), with id as the tie-breaker.
SORTS = {
    "code": ("code",),
    # 户主 sorts by pinyin (拼音首字母, hh_initials_idx), as WPS and Excel sort Chinese names, not by
    # code point; equal initials in registration order — a third column (head_name) would make SQLite
    # sort all 300k rows in a temporary B-tree (0.5 s a page, measured) instead of walking the index
    "head_name": ("head_initials", "id"),
    "village": ("village_id", "id"),
    "exit_status": ("exit_status", "id"),
    "planned_exit_year": ("planned_exit_year", "id"),
}
ASSESSED = {"达标": True, "未达标": False}


def _filter_from(request: HttpRequest) -> HouseholdFilter:
    get = request.GET
    year = get.get("planned_exit_year", "")
    return HouseholdFilter(
        # the township → village picker sends the village, or only the township (regions/picker.py)
        region=(get.get("region") or get.get("region_township") or "").strip(),
        exit_status=get.get("exit_status", "") if get.get("exit_status") in enums.ExitStatus.values else "",
        attribute=get.get("attribute", "") if get.get("attribute") in enums.HouseholdAttribute.values else "",
        main_cause=get.get("main_cause", "") if get.get("main_cause") in enums.PovertyCause.values else "",
        planned_exit_year=int(year) if year.isdigit() and len(year) == 4 else None,
        q=get.get("q", "")[:40],
    )


COUNT_SECONDS = 300


def counted(query: QuerySet[Household]) -> int:
    """COUNT once per list: paging through the same filters reuses the total. The key is the count's
    own SQL (scope and filters) plus the newest audit entry and assessment run, so any registry write
    (each leaves an audit row) or assessment counts afresh. A county-wide COUNT reads every household
    row (0.25 s at 300k on SQLite: 在册 is not in an index), a page of 50 rows a few milliseconds."""
    from jingzhun.core.history import last_entry_id

    try:
        sql, sql_params = query.query.sql_with_params()
    except EmptyResultSet:
        return 0  # an empty scope (.none(): the 三员 administrators) has no SQL to key on, and no rows
    version = (
        last_entry_id(),
        assessments().version(),
    )
    key = "registry:count:" + hashlib.sha256(repr((sql, sql_params, version)).encode()).hexdigest()
    total = cache.get(key)
    if total is None:
        total = query.count()
        cache.set(key, total, COUNT_SECONDS)
    return int(total)


def page_rows(query: QuerySet[Household], ordering: tuple[str, ...], pager: Any) -> list[Household]:
    """One page by OFFSET over an indexed order. Past the middle the order is reversed and the offset
    counted from the end, so the last page costs what the first does (OFFSET walks the rows it skips)."""
    if pager.offset <= pager.total // 2:
        return list(query.order_by(*ordering)[pager.offset : pager.offset + pager.size])
    from_end = max(0, pager.total - pager.offset - pager.size)
    size = min(pager.size, pager.total - pager.offset)
    reverse = tuple(f[1:] if f.startswith("-") else f"-{f}" for f in ordering)
    return list(reversed(query.order_by(*reverse)[from_end : from_end + size]))


def _ordering(raw: str) -> tuple[str, tuple[str, ...]]:
    key = raw.lstrip("-")
    if key not in SORTS:
        return "", ("id",)  # registration order
    fields = SORTS[key]
    return raw, tuple(f"-{f}" for f in fields) if raw.startswith("-") else fields


def _sort_links(current: str, params: dict[str, str]) -> dict[str, dict[str, str]]:
    """Per column: the URL that sorts by it (ascending, or descending when already ascending) and
    the arrow to show."""
    links = {}
    for key in SORTS:
        next_sort = f"-{key}" if current == key else key
        arrow = "▲" if current == key else "▼" if current == f"-{key}" else ""
        links[key] = {"url": "?" + urlencode({**params, "sort": next_sort}), "arrow": arrow}
    return links


@login_required
def household_list(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    flt = _filter_from(request)
    view = assessments()  # the verdicts `standards` registered (core.assessments)
    scope = view.verdict_scope()
    assessed = ASSESSED.get(request.GET.get("assessed", ""))
    failing = request.GET.get("failing", "")
    failing = failing if failing in scope.rule_names else ""
    query = count_query = filter_households(households_visible(actor), flt, actor=actor)
    verdict_q = view.verdict_filter_q(scope, passed=assessed, failing=failing)
    if verdict_q is not None:
        query = query.filter(verdict_q)
        count_query = count_query.filter(
            view.verdict_filter_q(scope, passed=assessed, failing=failing, for_count=True)
        )
    sort, ordering = _ordering(request.GET.get("sort", ""))
    params = {k: request.GET.get(k, "") for k in FILTER_KEYS if request.GET.get(k)}
    if flt.region:
        params["region"] = flt.region
    pager = make_pager(
        request.GET.get("page"), total=counted(count_query), size=PAGE_SIZE, params={**params, "sort": sort}
    )
    rows = page_rows(query.select_related("village"), ordering, pager)
    verdicts = view.verdicts_for(scope, [h.pk for h in rows])
    mask = masker(actor)
    context: dict[str, Any] = {
        "rows": [(h, mask("head_id_number", h.head_id_number), verdicts.get(h.pk)) for h in rows],
        "pager": pager,
        "sort": sort,
        "sort_links": _sort_links(sort, params),
        "flt": flt,
        "assessed": request.GET.get("assessed", "") if assessed is not None else "",
        "failing": failing,
        "scope": scope,
        "region_picker": RegionPicker(actor, higher=True).render("region", flt.region),
        "enums": enums,
        "query_string": urlencode({k: v for k, v in params.items() if k not in ("assessed", "failing")}),
        "can_edit": actor.can(Perm.EDIT_REGISTRY) and not actor.paired_only,
        "can_export": actor.can(Perm.EXPORT_REGISTRY),
        "years": list(range(2014, 2031)),
    }
    return render(request, "registry/household_list.html", context)
