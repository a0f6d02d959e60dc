"""Pages of help and responsibility: overview with alerts and coverage, alert lists, a helper's households,
village responsibility, alert parameters. Per sub-domain beside it: views_responsibility (责任体系),
views_pairing (帮扶结对), views_visits (走访), views_measures (帮扶措施), views_attendance (驻村考勤)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from jingzhun.accounts.access import Actor, actor_for
from jingzhun.accounts.roles import Perm
from jingzhun.assistance import selectors as sel
from jingzhun.assistance import services
from jingzhun.assistance.forms import SettingsForm
from jingzhun.assistance.rules import last_week_start, not_visited_since
from jingzhun.core.forms import Done, submit

MAX_ID = 2**63 - 1  # the largest key SQLite and PostgreSQL bigint hold
WEEK_MIN, WEEK_MAX = date(2000, 1, 3), date(2099, 12, 28)  # 驻村考勤 weeks (Mondays) the page shows

ALERTS = {
    "no-helper": "未结对帮扶责任人的贫困户",
    "overloaded": "结对户数超过上限的帮扶责任人",
    "not-visited": "超期未走访的户",
    "villages": "缺驻村工作队或第一书记的贫困村",
    "attendance": "上周未达“五天四夜”的驻村干部",
}


# A 帮扶责任人's scope is their own households: of the county's alerts only "not visited" is about
# them; the others (households without a helper, overloaded helpers, villages, attendance) are not.
HELPER_ALERTS = ("not-visited",)


def alerts_for(actor: Actor) -> dict[str, str]:
    if actor.paired_only:
        return {k: v for k, v in ALERTS.items() if k in HELPER_ALERTS}
    return ALERTS


def _actor(request: HttpRequest, perm: str = Perm.VIEW_ASSISTANCE) -> Actor:
    actor = actor_for(request.user)
    actor.require(perm)
    return actor


def _count(actor: Actor, kind: str) -> int:
    cfg = services.alert_settings()
    today = date.today()
    if kind == "no-helper":
        return sel.poor_without_helper(actor).count()
    if kind == "overloaded":
        return len(sel.overloaded_helpers(actor, limit=cfg.max_households_per_helper))
    if kind == "not-visited":
        return sel.not_visited(actor, days=cfg.visit_interval_days, today=today).count()
    if kind == "villages":
        return len(sel.villages_without_team_or_secretary(actor))
    return len(
        sel.attendance_missed(
            actor, start=last_week_start(today), min_days=cfg.week_min_days, min_nights=cfg.week_min_nights
        )
    )


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The overview; each alert's count is loaded by its own request (htmx), so the page is quick and
    the counts arrive in parallel."""
    actor = _actor(request)
    return render(
        request,
        "assistance/home.html",
        {
            "alerts": list(alerts_for(actor).items()),
            "cfg": services.alert_settings(),
            "stationed": services.stationed_village(request.user) is not None,
        },
    )


@login_required
def alert_count(request: HttpRequest, kind: str) -> HttpResponse:
    actor = _actor(request)
    if kind not in alerts_for(actor):
        raise Http404
    return render(request, "assistance/_count.html", {"slug": kind, "count": _count(actor, kind)})


COVERAGE_SECONDS = 300


@login_required
def coverage(request: HttpRequest) -> HttpResponse:
    """Coverage aggregates every measure in scope (tens of thousands of rows), so it is computed at most
    every five minutes per scope and shows when it was computed."""
    actor = _actor(request)
    scope = f"u{actor.user.pk}" if actor.paired_only else ",".join(actor.prefixes)
    key = f"assistance:coverage:{scope}"
    cached = cache.get(key)
    if cached is None or request.GET.get("refresh"):
        cached = (*sel.measure_coverage(actor), timezone.now())
        cache.set(key, cached, COVERAGE_SECONDS)
    total, rows, computed_at = cached
    return render(
        request,
        "assistance/coverage.html",
        {"coverage": rows, "total": total, "title": "帮扶措施覆盖", "computed_at": computed_at},
    )


@login_required
def alert_list(request: HttpRequest, kind: str) -> HttpResponse:
    actor = _actor(request)
    if kind not in alerts_for(actor):
        raise Http404
    cfg = services.alert_settings()
    today = date.today()
    context: dict[str, Any] = {
        "kind": kind,
        "title": ALERTS[kind],
        "cfg": cfg,
        "can_export": actor.can(Perm.EXPORT_REGISTRY),  # the whole list as xlsx (xlsx_lists)
    }
    if kind in ("no-helper", "not-visited"):
        query = (
            sel.poor_without_helper(actor)
            if kind == "no-helper"
            else sel.not_visited(actor, days=cfg.visit_interval_days, today=today)
        )
        rows, next_after = sel.page_by_village(query, after=request.GET.get("after", ""))
        context.update(
            rows=sel.with_last_visit(rows),
            next_after=next_after,
            total=query.count(),
            since=not_visited_since(today, cfg.visit_interval_days),
        )
    elif kind == "overloaded":
        context["loads"] = sel.overloaded_helpers(actor, limit=cfg.max_households_per_helper)
    elif kind == "villages":
        context["gaps"] = sel.villages_without_team_or_secretary(actor)
    else:
        start = last_week_start(today)
        context.update(
            start=start,
            end=start + timedelta(days=6),
            attendance=sel.attendance_missed(
                actor, start=start, min_days=cfg.week_min_days, min_nights=cfg.week_min_nights
            ),
        )
    return render(request, "assistance/alert.html", context)


@login_required
def helper_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A helper's households (我的结对户 when it is one's own): last visit, days since, open measures and
    a 登记走访 button each. Another user's page needs households of theirs in the actor's scope."""
    actor = _actor(request)
    if pk > MAX_ID:  # a key no database holds (SQLite would overflow): missing, like any other
        raise Http404
    own = actor.user is not None and actor.user.pk == pk
    households = list(sel.helper_households(actor, pk).order_by("village_id", "id")[:200])
    if not households and not own:
        raise Http404
    helper = sel.user_get(pk)
    cfg = services.alert_settings()
    today = date.today()
    rows = sel.with_open_measures(sel.with_last_visit(households))
    for row in rows:
        last = row.last_visited_on  # type: ignore[attr-defined]
        row.days_since = (today - last).days if last else None  # type: ignore[attr-defined]
        row.overdue = last is None or row.days_since > cfg.visit_interval_days  # type: ignore[attr-defined]
    return render(
        request,
        "assistance/helper_detail.html",
        {
            "helper": helper,
            "own": own,
            "rows": rows,
            "cfg": cfg,
            "can_visit": actor.can(Perm.VISIT),
        },
    )


# --- responsibility of a village; parameters ----------------------------------------------------
@login_required
def village(request: HttpRequest, code: str) -> HttpResponse:
    actor = _actor(request)
    region = sel.villages_visible(actor).filter(code=code).select_related("parent").first()
    if region is None:
        raise Http404
    return render(
        request, "assistance/village.html", {"village": region, **sel.region_responsibility(region)}
    )


@login_required
def settings_edit(request: HttpRequest) -> HttpResponse:
    actor = _actor(request, Perm.CONFIGURE_ASSISTANCE)
    cfg = services.alert_settings()
    form = SettingsForm(request.POST or None, initial={f: getattr(cfg, f) for f in services.SETTING_FIELDS})

    def save(data: dict[str, Any]) -> Done:
        services.alert_settings_update(actor=actor, values=data)
        return Done("预警参数已保存", "assistance:home")

    if (response := submit(request, form, save)) is not None:
        return response
    return render(
        request,
        "assistance/form.html",
        {"form": form, "title": "帮扶预警参数（默认口径，可配置）", "back": "assistance:home"},
    )
