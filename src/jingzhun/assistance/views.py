"""Pages of help and responsibility: overview with alerts and coverage, alert lists, visits, measures,
helper assignment, check-in and attendance, village responsibility, alert parameters."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from jingzhun.accounts.access import Actor, actor_for
from jingzhun.accounts.roles import Perm
from jingzhun.assistance import selectors as sel
from jingzhun.assistance import services
from jingzhun.assistance.forms import CheckInForm, HelperAssignForm, MeasureForm, SettingsForm, VisitForm
from jingzhun.assistance.rules import last_week_start, not_visited_since, week_start
from jingzhun.core.errors import ValidationFailed
from jingzhun.core.forms import Done, submit
from jingzhun.core.views import bad_request
from jingzhun.registry.selectors import household_get

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
    helper = get_user_model().objects.get(pk=pk)
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


# --- visits -------------------------------------------------------------------------------------
@login_required
def visit_create(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request, Perm.VISIT)
    household = household_get(actor, pk)
    form = VisitForm(request.POST or None, request.FILES or None)

    def save(data: dict[str, Any]) -> Done:
        services.visit_log(
            actor=actor,
            household=household,
            visited_on=data["visited_on"],
            activities=data["activities"],
            problems=data["problems"],
            photos=request.FILES.getlist("photos"),
        )
        return Done("走访记录已保存", "registry:household_detail", kwargs={"pk": household.pk})

    if (response := submit(request, form, save)) is not None:
        return response
    return render(request, "assistance/visit_form.html", {"form": form, "household": household})


@login_required
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visit = sel.visit_get(_actor(request), pk)
    return render(
        request,
        "assistance/visit_detail.html",
        {"visit": visit, "household": visit.household, "photos": list(visit.photos.all())},
    )


@login_required
def photo(request: HttpRequest, pk: int) -> FileResponse:
    return _photo_response(sel.photo_get(_actor(request), pk), thumb=False)


@login_required
def photo_thumb(request: HttpRequest, pk: int) -> FileResponse:
    """The thumbnail made on upload; the original when there is none (an image Pillow could not read)."""
    return _photo_response(sel.photo_get(_actor(request), pk), thumb=True)


def _photo_response(item: Any, *, thumb: bool) -> FileResponse:
    stored, kind = (item.thumbnail, "jpeg") if thumb and item.thumbnail else (item.file, item.kind)
    try:
        handle = stored.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type=f"image/{kind}")
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- measures -----------------------------------------------------------------------------------
@login_required
def measure_create(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request, Perm.VISIT)
    household = household_get(actor, pk)
    form = MeasureForm(request.POST or None, initial={"started_on": date.today().isoformat()})

    def save(data: dict[str, Any]) -> Done:
        services.measure_add(actor=actor, household=household, data=data)
        return Done("帮扶措施已保存", "registry:household_detail", kwargs={"pk": household.pk})

    if (response := submit(request, form, save)) is not None:
        return response
    return render(
        request, "assistance/form.html", {"form": form, "household": household, "title": "添加帮扶措施"}
    )


@login_required
def measure_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request, Perm.VISIT)
    measure = sel.measure_get(actor, pk)
    initial = {f: getattr(measure, f) for f in services.MEASURE_FIELDS}
    form = MeasureForm(request.POST or None, initial=initial)

    def save(data: dict[str, Any]) -> Done:
        services.measure_update(actor=actor, measure=measure, data=data)
        return Done("帮扶措施已更新", "registry:household_detail", kwargs={"pk": measure.household_id})

    if (response := submit(request, form, save)) is not None:
        return response
    return render(
        request,
        "assistance/form.html",
        {"form": form, "household": measure.household, "title": "修改帮扶措施"},
    )


# --- pairing ------------------------------------------------------------------------------------
@login_required
def helper_assign(request: HttpRequest, pk: int) -> HttpResponse:
    """结对/更换帮扶责任人: search a helper by name (GET ?q=), pick one, save (POST)."""
    actor = _actor(request, Perm.EDIT_ASSISTANCE)
    if actor.paired_only:
        raise Http404
    household = household_get(actor, pk)
    q = request.GET.get("q", request.POST.get("q", ""))[:40]
    form = HelperAssignForm(request.POST or None, initial={"started_on": date.today().isoformat()})

    def save(data: dict[str, Any]) -> Done:
        helper = (
            sel.helper_candidates(actor, household).filter(pk=data["helper"]).first()
            if data["helper"]
            else None
        )
        if helper is None:
            raise ValidationFailed({"helper": "请先按姓名查找并选择一名帮扶责任人"})
        started = services._date(data["started_on"] or date.today(), "started_on")
        services.helper_assign(actor=actor, household=household, helper=helper, started_on=started)
        return Done(f"已结对帮扶责任人 {helper}", "registry:household_detail", kwargs={"pk": household.pk})

    if (response := submit(request, form, save)) is not None:
        return response
    candidates = sel.helper_candidates(actor, household, q)
    rows = list(candidates[: sel.HELPER_SEARCH_LIMIT]) if q.strip() else []
    current = household.pairings.current().select_related("helper").first()
    return render(
        request,
        "assistance/helper_assign.html",
        {
            "form": form,
            "household": household,
            "title": "结对/更换帮扶责任人",
            "q": q,
            "rows": rows,
            "more": q.strip() and len(rows) == sel.HELPER_SEARCH_LIMIT,
            "current": current,
            "cfg": services.alert_settings(),
        },
    )


# --- attendance ---------------------------------------------------------------------------------
@login_required
def checkin(request: HttpRequest) -> HttpResponse:
    actor = _actor(request, Perm.CHECK_IN)
    village = services.stationed_village(request.user)
    form = CheckInForm(request.POST or None)

    def save(data: dict[str, Any]) -> Done:
        services.check_in(actor=actor, overnight=data["overnight"], note=data["note"])
        return Done("已签到", "assistance:checkin")

    if (response := submit(request, form, save)) is not None:
        return response
    cfg = services.alert_settings()
    start = week_start(date.today())
    from jingzhun.assistance.models import CheckIn
    from jingzhun.assistance.rules import five_days_four_nights

    rows = list(
        CheckIn.objects.filter(cadre_id=request.user.pk, day__gte=start - timedelta(days=7)).order_by("-day")
    )
    weeks = [
        five_days_four_nights(
            [(r.day, r.overnight) for r in rows],
            start=s,
            min_days=cfg.week_min_days,
            min_nights=cfg.week_min_nights,
        )
        for s in (start, start - timedelta(days=7))
    ]
    return render(
        request,
        "assistance/checkin.html",
        {"form": form, "village": village, "rows": rows, "weeks": weeks, "cfg": cfg},
    )


@login_required
def attendance(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    cfg = services.alert_settings()
    week = request.GET.get("week", "").strip()
    if week:
        try:
            start = week_start(date.fromisoformat(week))
        except ValueError:
            start = None
        # the page links the weeks before and after: both must be real dates (9999-12-31 has no next week)
        if start is None or not (WEEK_MIN <= start <= WEEK_MAX):
            return bad_request(
                request,
                f"周次日期无效：{week[:20]}（应为 {WEEK_MIN.year}–{WEEK_MAX.year} 年间的日期，如 2018-06-04）",
            )
    else:
        start = last_week_start(date.today())
    rows = sel.attendance_week(actor, start=start, min_days=cfg.week_min_days, min_nights=cfg.week_min_nights)
    return render(
        request,
        "assistance/attendance.html",
        {
            "rows": rows,
            "start": start,
            "end": start + timedelta(days=6),
            "cfg": cfg,
            "prev": start - timedelta(days=7),
            "next": start + timedelta(days=7),
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
