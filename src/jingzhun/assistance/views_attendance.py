"""驻村考勤 (attendance): a stationed cadre's check-in and the week's attendance in scope."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from jingzhun.accounts.roles import Perm
from jingzhun.assistance import selectors as sel
from jingzhun.assistance import services
from jingzhun.assistance.forms import CheckInForm
from jingzhun.assistance.rules import last_week_start, week_start
from jingzhun.assistance.views import WEEK_MAX, WEEK_MIN, _actor
from jingzhun.core.forms import Done, submit
from jingzhun.core.views import bad_request


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
    from jingzhun.assistance.rules import five_days_four_nights

    rows = sel.own_checkins(request.user.pk, start - timedelta(days=7))
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
