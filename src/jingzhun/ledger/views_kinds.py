"""Pages of the kind-specific parts: directive recipients (live: who has not signed), the task indicator
board (红黄绿), and the figures of a discipline case."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.views.decorators.http import require_POST

from jingzhun.accounts.access import actor_for
from jingzhun.accounts.roles import Perm
from jingzhun.core.errors import ValidationFailed
from jingzhun.core.forms import Back, Done, submit
from jingzhun.ledger import kinds, progress, selectors, workflows


@login_required
def recipients(request: HttpRequest, pk: int) -> HttpResponse:
    """The directive's recipients, polled by the item page (htmx) so unsigned posts show live."""
    actor = actor_for(request.user)
    actor.require(Perm.LEDGER_VIEW)
    item = selectors.item_get(actor, pk)
    if item.kind != "directive":
        raise Http404
    rows = list(item.recipients.select_related("post").order_by("post__name"))
    mine = set()
    if actor.user is not None:
        mine = set(actor.user.ledger_posts.values_list("pk", flat=True))
    actions = {s: (a, label) for (s, a), (_t, label) in kinds.RECIPIENT_MOVES.items()}
    return render(
        request,
        "ledger/_recipients.html",
        {
            "item": item,
            "rows": [(r, actions.get(r.status) if r.post_id in mine else None) for r in rows],
            "unsigned": sum(1 for r in rows if r.status == "待签收"),
        },
    )


@login_required
@require_POST
def recipient_move(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    actor.require(Perm.LEDGER_VIEW)
    recipient = selectors.recipient_get(actor, pk)
    detail = Back("ledger:detail", kwargs={"pk": recipient.item_id})

    def move(post: QueryDict) -> Done:
        workflows.recipient_move(
            actor=actor, recipient=recipient, action=post.get("action", ""), note=post.get("note", "")
        )
        return Done("已办理", detail.to, kwargs=detail.kwargs)

    return submit(request, None, move, back=detail)


@login_required
def task_board(request: HttpRequest) -> HttpResponse:
    """任务指标调度: each indicator's progress (computed where a source exists) and its light."""
    actor = actor_for(request.user)
    actor.require(Perm.LEDGER_VIEW)
    today = date.today()
    try:
        as_of = date.fromisoformat(request.GET.get("as_of", ""))
    except ValueError:
        as_of = today
    indicators = list(selectors.indicators_visible(actor).order_by("metric", "item__region_id"))
    computed = workflows.computed_progress(indicators)
    rows = []
    for ind in indicators:
        value = computed.get(ind.pk, ind.reported) if ind.source else ind.reported
        light = progress.light(
            value, ind.target, start=ind.item.assigned_on, deadline=ind.item.due_on, as_of=as_of
        )
        rows.append(
            {
                "ind": ind,
                "item": ind.item,
                "value": value,
                "light": light,
                "share": round(100 * value / ind.target) if ind.target else 0,
                "source": workflows.SOURCES.get(ind.source, "填报"),
            }
        )
    counts = {
        k: sum(1 for r in rows if r["light"] == k) for k in (progress.GREEN, progress.YELLOW, progress.RED)
    }
    return render(
        request,
        "ledger/task_board.html",
        {
            "rows": rows,
            "counts": counts,
            "as_of": as_of,
            "kinds": [kinds.KINDS[c] for c in kinds.ORDER if c != "case" or actor.can(Perm.LEDGER_CASES)],
        },
    )


@login_required
@require_POST
def indicator_report(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    actor.require(Perm.LEDGER_VIEW)
    item = selectors.item_get(actor, pk)
    detail = Back("ledger:detail", kwargs={"pk": item.pk})

    def report(post: QueryDict) -> Done:
        try:
            value = int(post.get("value", ""))
        except ValueError as exc:
            raise ValidationFailed({"value": "进度应为整数"}) from exc
        workflows.indicator_report(actor=actor, item=item, value=value, note=post.get("note", ""))
        return Done("已填报进度", detail.to, kwargs=detail.kwargs)

    return submit(request, None, report, back=detail)


@login_required
@require_POST
def case_figures(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    actor.require(Perm.LEDGER_CASES)
    item = selectors.item_get(actor, pk)
    detail = Back("ledger:detail", kwargs={"pk": item.pk})

    def save(post: QueryDict) -> Done:
        try:
            ints = {k: int(post.get(k) or 0) for k in ("party", "government", "judicial")}
        except ValueError as exc:
            raise ValidationFailed({"__all__": "人数应为整数"}) from exc
        workflows.case_figures(
            actor=actor, item=item, recovered=post.get("recovered"), returned=post.get("returned"), **ints
        )
        return Done("已保存", detail.to, kwargs=detail.kwargs)

    return submit(request, None, save, back=detail)
