"""帮扶措施 (help measures) of a household: add and edit."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from jingzhun.accounts.roles import Perm
from jingzhun.assistance import selectors as sel
from jingzhun.assistance import services
from jingzhun.assistance.forms import MeasureForm
from jingzhun.assistance.views import _actor
from jingzhun.core.forms import Done, submit
from jingzhun.registry.selectors import household_get


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
