"""Pages of the ledgers (台账): a list per kind with filters and xlsx export, the item page with its
timeline and the moves this actor may make, the summary table, the overdue board and 我的待办."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from jingzhun.accounts.access import Actor, actor_for
from jingzhun.accounts.roles import Perm
from jingzhun.core.errors import ValidationFailed
from jingzhun.core.forms import Back, Done, submit
from jingzhun.ledger import kinds, present, reports, selectors, services
from jingzhun.ledger.models import Item
from jingzhun.ledger.present import display_item, export_xlsx, move_forms

PAGE_SIZE = 50


def _actor(request: HttpRequest, perm: str = Perm.LEDGER_VIEW) -> Actor:
    actor = actor_for(request.user)
    actor.require(perm)
    return actor


def _as_of(request: HttpRequest) -> date:
    try:
        return date.fromisoformat(request.GET.get("as_of", "").strip())
    except ValueError:
        return date.today()


def _kind(code: str, actor: Actor) -> kinds.Kind:
    # a kind with pages of its own (ledger_pages=False: 线索核查) has no list or export here
    if code not in kinds.ORDER or (code == "case" and not actor.can(Perm.LEDGER_CASES)):
        raise Http404
    return kinds.KINDS[code]


def _visible_kinds(actor: Actor) -> list[kinds.Kind]:
    return [kinds.KINDS[c] for c in kinds.ORDER if c != "case" or actor.can(Perm.LEDGER_CASES)]


def _bulk_context(actor: Actor) -> dict[str, Any]:
    if not actor.can(Perm.LEDGER_ASSIGN):
        return {"bulk": False}
    return {"bulk": True, "bulk_units": selectors.units()}


def _rows(actor: Actor, items: list[Item], as_of: date) -> list[dict[str, Any]]:
    """A page's rows as shown, each with the highest escalation rung it had reached by D."""
    rungs = selectors.rungs_of(items, as_of)
    return [{**display_item(actor, item, as_of), "rung": rungs.get(item.pk, "")} for item in items]


@login_required
def home(request: HttpRequest) -> HttpResponse:
    _actor(request)
    return redirect("ledger:list", kind="problem")


@login_required
def item_list(request: HttpRequest, kind: str) -> HttpResponse:
    actor = _actor(request)
    spec = _kind(kind, actor)
    as_of = _as_of(request)
    flt = reports.Filter(
        kind=kind,
        status=request.GET.get("status", "").strip(),
        overdue=request.GET.get("overdue") == "1",
        region=request.GET.get("region", "").strip(),
        source=request.GET.get("source", "").strip(),
        unit=request.GET.get("unit", "").strip(),
    )
    if flt.region and selectors.region_find(flt.region) is None:
        flt = reports.Filter(**{**flt.__dict__, "region": ""})
    query = reports.filtered(selectors.items_visible(actor, kind=kind), flt, as_of).select_related(
        "unit", "region"
    )
    if request.GET.get("export") == "xlsx":
        return export_xlsx(actor, query.order_by("code"), as_of, f"{spec.label}台账.xlsx")
    page = Paginator(query.order_by("code"), PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    townships = selectors.county_townships()
    scoped = selectors.ledger_actor(actor)
    return render(
        request,
        "ledger/list.html",
        {
            "spec": spec,
            "kinds": _visible_kinds(actor),
            "flt": flt,
            "as_of": as_of,
            "page": page,
            "rows": _rows(actor, list(page.object_list), as_of),
            "query_string": params.urlencode(),
            "townships": [
                t for t in townships if scoped.covers_code(t.code) or scoped.covers_code(t.code[:6])
            ],
            # Every unit, not the distinct units of the items in scope: that was a scan of the kind's
            # items on every page view, for a filter menu.
            "units": selectors.unit_names(),
            **_bulk_context(actor),
            "can_create": bool(selectors.issuing_posts(actor))
            if kind == "directive"
            else actor.can(Perm.LEDGER_ASSIGN),
        },
    )


@login_required
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    item = selectors.item_get(actor, pk)
    if kinds.get(item.kind).page:  # a kind with a page of its own (线索核查)
        return redirect(kinds.get(item.kind).page, pk=item.pk)
    steps = list(item.steps.select_related("actor").prefetch_related("attachments"))
    return render(
        request,
        "ledger/detail.html",
        {
            "item": item,
            "shown": display_item(actor, item, date.today()),
            "spec": kinds.get(item.kind),
            "steps": steps,
            "escalations": list(item.escalations.order_by("id")),
            "forms": move_forms(actor, item),
            "can_note": actor.can(Perm.LEDGER_HANDLE) and not kinds.get(item.kind).is_closed(item.status),
            "can_pause": actor.can(Perm.LEDGER_ASSIGN)
            and kinds.get(item.kind).pausable
            and not kinds.get(item.kind).is_closed(item.status),
            "derived": list(selectors.items_visible(actor).filter(origin=item)),
            "indicator": getattr(item, "indicator", None) if item.kind == "task" else None,
            "can_report": actor.can(Perm.LEDGER_HANDLE),
            "case_fields": _case_fields(item),
            "can_transfer": item.kind == "petition" and actor.can(Perm.LEDGER_ASSIGN),
            "units_all": selectors.units()
            if item.kind == "petition" and actor.can(Perm.LEDGER_ASSIGN)
            else [],
            "today": date.today(),
        },
    )


def _case_fields(item: Item) -> list[tuple[str, str, Any]]:
    if item.kind != "case":
        return []
    d = selectors.case_detail(item)
    return [
        ("party", "党纪处分（人）", d.party_discipline),
        ("government", "政务处分（人）", d.government_discipline),
        ("judicial", "移送司法（人）", d.judicial),
        ("recovered", "追缴金额（元）", d.recovered),
        ("returned", "退还群众（元）", d.returned),
    ]


@login_required
@require_POST
def item_move(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    item = selectors.item_get(actor, pk)
    detail = Back("ledger:detail", kwargs={"pk": item.pk})

    def move(post: QueryDict) -> Done:
        action, note = post.get("action", ""), post.get("note", "")
        files = request.FILES.getlist("attachments")
        if action == "note":
            services.item_note(actor=actor, item=item, note=note, attachments=files)
            return Done("已记录进展", detail.to, kwargs=detail.kwargs)
        if action == "pause":
            services.item_pause(actor=actor, item=item, reason=note)
            return Done("已暂停计时", detail.to, kwargs=detail.kwargs)
        if action == "resume":
            services.item_resume(actor=actor, item=item)
            return Done("已恢复计时", detail.to, kwargs=detail.kwargs)
        try:
            days = int(post.get("extension_days") or 0)
        except ValueError:
            days = -1
        moved = services.item_move(
            actor=actor,
            item=item,
            action=action,
            note=note,
            evidence=post.get("evidence", ""),
            attachments=files,
            extension_days=days,
            reply=post.get("reply", ""),
        )
        return Done(f"操作成功，当前状态：{moved.status}", detail.to, kwargs=detail.kwargs)

    return submit(request, None, move, back=detail)


@login_required
@require_POST
def transfer(request: HttpRequest, pk: int) -> HttpResponse:
    """信访转办: a problem from this petition, keeping the link."""
    actor = _actor(request, Perm.LEDGER_ASSIGN)
    petition = selectors.item_get(actor, pk)

    def transfer(post: QueryDict) -> Done:
        try:
            deadline = date.fromisoformat(post.get("deadline", "").strip())
        except ValueError as exc:
            raise ValidationFailed({"deadline": "请填写整改时限（YYYY-MM-DD）"}) from exc
        problem = services.problem_from_petition(
            actor=actor,
            petition=petition,
            code=post.get("code", ""),
            deadline=deadline,
            unit=selectors.unit_get(post.get("unit")),
            responsible_name=post.get("responsible_name", "").strip(),
        )
        return Done(f"已转办为问题 {problem.code}", "ledger:detail", kwargs={"pk": problem.pk})

    return submit(request, None, transfer, back=Back("ledger:detail", kwargs={"pk": petition.pk}))


@login_required
def attachment(request: HttpRequest, pk: int) -> FileResponse:
    """A step's attachment in scope (the API's `attachments/{id}` serves the same response)."""
    return present.attachment_response(selectors.attachment_get(_actor(request), pk))


@login_required
def summary(request: HttpRequest) -> HttpResponse:
    """The summary table and the seed's sentence, computed fresh from the items (one aggregate)."""
    actor = _actor(request)
    as_of = _as_of(request)
    query = selectors.items_visible(actor)
    counts = reports.summary_counts(query, as_of)
    rows = reports.summary_rows(query, as_of, counts)
    if not actor.can(Perm.LEDGER_CASES):
        rows = [r for r in rows if r[0] != kinds.CASE.label]
    return render(
        request,
        "ledger/summary.html",
        {
            "rows": rows,
            "as_of": as_of,
            "sentence": reports.sentence(query, as_of, counts=counts),
            "kinds": _visible_kinds(actor),
        },
    )


@login_required
def overdue_board(request: HttpRequest) -> HttpResponse:
    """逾期看板: open overdue items (as of today) by township and by unit, computed fresh."""
    actor = _actor(request)
    today = date.today()
    columns = _visible_kinds(actor)
    names = selectors.township_names()
    units = selectors.unit_ids()
    query = selectors.items_visible(actor)
    by_township: dict[str, dict[str, Any]] = {}
    for kind, region, n in reports.overdue_by_region(query, today):
        code = region[:9] + "000"
        entry = by_township.setdefault(
            code, {"code": code, "name": names.get(code, "县本级"), "total": 0, "kinds": {}}
        )
        entry["total"] += n
        entry["kinds"][kind] = entry["kinds"].get(kind, 0) + n
    unit_rows: list[dict[str, Any]] = [
        {"unit__name": units.get(unit, "") if unit is not None else "", "total": total, "severe": severe}
        for unit, (total, severe) in reports.overdue_by_unit(query, today).items()
    ]
    townships = sorted(by_township.values(), key=lambda r: (-r["total"], r["code"]))
    for entry in townships:
        entry["cells"] = [entry["kinds"].get(k.code, 0) for k in columns]
    unit_rows.sort(key=lambda r: (-r["total"], r["unit__name"]))
    return render(
        request,
        "ledger/overdue.html",
        {"townships": townships, "units": unit_rows, "columns": columns, "today": today, "kinds": columns},
    )


@login_required
def my_inbox(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    today = date.today()
    try:
        number = max(int(request.GET.get("page") or 1), 1)
    except ValueError:
        number = 1
    items, total = selectors.inbox_page(actor, number, PAGE_SIZE)
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    return render(
        request,
        "ledger/inbox.html",
        {
            "total": total,
            "inbox_total": total,  # the navigation's count, already counted
            "number": number,
            "pages": pages,
            "previous": number - 1 if number > 1 else None,
            "next": number + 1 if number < pages else None,
            "rows": _rows(actor, items, today),
            **_bulk_context(actor),
            "kinds": _visible_kinds(actor),
            "today": today,
        },
    )
