"""Pages of 线索核查: the summary in the counties' words with precision per rule, the clue lists (by rule,
dataset, township, village, state), the clue page (departmental record beside the registry's, timeline,
the moves this actor may make, the proposed follow-up) and the county's four-eyes setting."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from jingzhun.accounts.access import Actor, actor_for
from jingzhun.accounts.roles import Perm
from jingzhun.core.forms import Back, Done, submit
from jingzhun.ledger import kinds, services
from jingzhun.ledger.present import move_forms
from jingzhun.ledger.selectors import region_find
from jingzhun.regions.models import Region, code_prefix
from jingzhun.rules.checks import ALL_CHECKS, DATASETS
from jingzhun.verification import followups, kind, present, selectors
from jingzhun.verification import services as verification_services

PAGE_SIZE = 50


def _actor(request: HttpRequest, perm: str = Perm.LEDGER_VIEW) -> Actor:
    actor = actor_for(request.user)
    actor.require(perm)
    return actor


def _year(request: HttpRequest) -> int | None:
    raw = request.GET.get("year", "").strip()
    return int(raw) if raw.isdigit() else None


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """汇总: the sentence, precision per rule, counts by dataset and by township."""
    actor = _actor(request)
    year = _year(request)
    query = selectors.clues_visible(actor)
    if year:
        query = query.filter(year=year)
    return render(
        request,
        "verification/home.html",
        {
            "summary": selectors.summary(actor, year),
            "rules": selectors.by_rule(actor, query),
            "datasets": selectors.by_dataset(actor),
            "townships": selectors.by_region(actor, query, "township"),
            "year": year,
            "four_eyes": kind.four_eyes_on(),
            "can_configure": actor.can(Perm.CLUE_CONFIGURE),
        },
    )


def _filter(request: HttpRequest) -> tuple[selectors.Filter, Region | None]:
    region = None
    code = request.GET.get("region", "").strip()
    if code:
        region = region_find(code)
    rule = request.GET.get("rule", "").strip()
    dataset = request.GET.get("dataset", "").strip()
    status = request.GET.get("status", "").strip()
    return (
        selectors.Filter(
            rule=rule if rule in ALL_CHECKS else "",
            dataset=dataset if dataset in DATASETS else "",
            region=code_prefix(region.code, region.level) if region is not None else "",
            status=status if status in kinds.get(kind.CODE).states else "",
            stale=request.GET.get("stale") == "1",
        ),
        region,
    )


@login_required
def clue_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    flt, region = _filter(request)
    query = flt.apply(selectors.clues_visible(actor))
    page = Paginator(
        query.select_related("item", "household", "member").order_by("item__code"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    level = "village" if region is not None and region.level in ("township", "village") else "township"
    return render(
        request,
        "verification/list.html",
        {
            "flt": flt,
            "region": region,
            "page": page,
            "rows": [
                {
                    "clue": c,
                    "rule_name": ALL_CHECKS[c.rule].name if c.rule in ALL_CHECKS else "",
                    "explanation": present.explanation(actor, c.explanation),
                }
                for c in page.object_list
            ],
            "total": page.paginator.count,
            "query_string": params.urlencode(),
            "rule_counts": selectors.by_rule(actor, query),
            "region_counts": selectors.by_region(actor, query, level),
            "rules": [(code, r.name) for code, r in ALL_CHECKS.items()],
            "datasets": DATASETS,
            "states": kinds.get(kind.CODE).states,
            "can_export": actor.can(Perm.EXPORT_REGISTRY),
        },
    )


@login_required
def clue_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    clue = selectors.clue_get(actor, pk)
    item = clue.item
    steps = list(item.steps.select_related("actor").prefetch_related("attachments"))
    can_apply = (
        item.status == kind.TRUE
        and clue.applied_at is None
        and bool(clue.followup)
        and actor.can(Perm.CLUE_APPLY)
        and actor.can(Perm.EDIT_REGISTRY)
    )
    return render(
        request,
        "verification/detail.html",
        {
            "clue": clue,
            "item": item,
            "rule": ALL_CHECKS.get(clue.rule),
            "explanation": present.explanation(actor, clue.explanation),
            "record_rows": present.record_rows(actor, clue),
            "registry_rows": present.registry_rows(actor, clue),
            "steps": steps,
            "forms": move_forms(actor, item),
            "overdue": item.status in kind.OPEN and item.due_on < date.today(),
            "can_apply": can_apply,
            "choices": followups.choices(clue) if can_apply else (),
        },
    )


@login_required
@require_POST
def clue_move(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    clue = selectors.clue_get(actor, pk)

    def move(post: QueryDict) -> Done:
        moved = services.item_move(
            actor=actor,
            item=clue.item,
            action=post.get("action", ""),
            note=post.get("note", ""),
            attachments=request.FILES.getlist("attachments"),
        )
        return Done(f"操作成功，当前状态：{moved.status}", "verification:clue", kwargs={"pk": clue.item_id})

    return submit(request, None, move, back=Back("verification:clue", kwargs={"pk": clue.item_id}))


@login_required
@require_POST
def clue_apply(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    clue = selectors.clue_get(actor, pk)

    def apply(post: QueryDict) -> Done:
        done = followups.followup_apply(
            actor=actor, clue=clue, option=post.get("option", ""), value=post.get("value", "")
        )
        return Done(done.applied_note, "verification:clue", kwargs={"pk": clue.item_id})

    return submit(request, None, apply, back=Back("verification:clue", kwargs={"pk": clue.item_id}))


@login_required
@require_POST
def settings_save(request: HttpRequest) -> HttpResponse:
    """县级设置: whether a checker's finding must be confirmed by someone else (四眼原则)."""
    actor = _actor(request, Perm.CLUE_CONFIGURE)
    on = request.POST.get("four_eyes") == "1"
    verification_services.clue_settings_save(actor=actor, four_eyes=on)
    messages.success(request, "已保存：核查结论" + ("须经乡镇或县级确认" if on else "由核查人直接办结"))
    return redirect("verification:home")
