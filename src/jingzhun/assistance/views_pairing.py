"""帮扶结对 (pairing): choosing a household's 帮扶责任人 by name."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from jingzhun.accounts.roles import Perm
from jingzhun.assistance import selectors as sel
from jingzhun.assistance import services
from jingzhun.assistance.forms import HelperAssignForm
from jingzhun.assistance.views import _actor
from jingzhun.core.errors import ValidationFailed
from jingzhun.core.forms import Done, submit
from jingzhun.registry.selectors import household_get


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
