"""Region pages: county → township → village, with registry counts."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from jingzhun.accounts.access import actor_for
from jingzhun.accounts.roles import Perm
from jingzhun.core.panels import render_panels
from jingzhun.region_pages.selectors import ancestors, home_region, region_get, region_overview


@login_required
def home(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    if actor.paired_only:  # a 帮扶责任人 starts from their own households (我的结对户)
        return redirect("assistance:helper_detail", pk=request.user.pk)
    region = home_region(actor)
    if region is not None:
        return redirect("regions:detail", code=region.code)
    return redirect("registry:household_list")


@login_required
def region_detail(request: HttpRequest, code: str) -> HttpResponse:
    actor = actor_for(request.user)
    region = region_get(actor, code)
    plan_year = request.GET.get("year")
    overview = region_overview(
        actor, region, plan_year=int(plan_year) if plan_year and plan_year.isdigit() else None
    )
    context = {
        "region": region,
        "can_edit_village": region.is_village and actor.can(Perm.EDIT_REGIONS),
        "breadcrumbs": [(r, actor.covers_code(r.code)) for r in ancestors(region) if r.level != "province"],
        **overview,
    }
    if region.is_village:
        context["audit_entries"] = village_history(region)
        # panels other apps registered for the village page (core.panels): the exit checklist, …
        context["panels"] = render_panels("village", request, region)
    return render(request, "regions/detail.html", context)


# The writes that change 村情: the edit page and the 村 sheet of an import (exports of the region's
# tables are audited under the same object but change nothing).
VILLAGE_FACT_ACTIONS = ("region.update", "import.update", "import.create")


def village_history(region) -> list:
    from jingzhun.core.history import present, subject_entries

    return present(subject_entries("region", region.code, VILLAGE_FACT_ACTIONS))


@login_required
def village_edit(request: HttpRequest, code: str) -> HttpResponse:
    from jingzhun.core.forms import Done, ExitRefusal, add_override_fields, submit
    from jingzhun.region_pages.services import village_facts_update
    from jingzhun.regions.forms import VillageFactsForm, initial_facts

    actor = actor_for(request.user)
    actor.require(Perm.EDIT_REGIONS)
    region = region_get(actor, code)
    if not region.is_village:
        raise Http404
    from jingzhun.core.exit_gate import exit_gate

    exit_guard = exit_gate()

    form = VillageFactsForm(request.POST or None, initial=initial_facts(region))
    if exit_guard.override_allowed():
        add_override_fields(form, "标注出列")
    refusal = ExitRefusal(form)

    def save(cleaned: dict[str, Any]) -> Done:
        data = dict(cleaned)
        override, reason = bool(data.pop("override", False)), data.pop("override_reason", "") or ""
        village_facts_update(
            actor=actor, region=region, changes=data, override=override, override_reason=reason
        )
        return Done("村情已保存", "regions:detail", kwargs={"code": region.code})

    if (response := submit(request, form, save, on_error=refusal)) is not None:
        return response
    context = {"form": form, "region": region, "refused": refusal.decision}
    return render(request, "regions/village_form.html", context)


@login_required
def villages_json(request: HttpRequest, code: str) -> JsonResponse:
    """The villages of a township in the user's scope, for the township → village picker. A township
    outside the scope gives the same empty answer as a missing one."""
    from jingzhun.regions.picker import villages_for

    actor = actor_for(request.user)
    if code[9:] != "000" or code[6:9] == "000":
        raise Http404
    allowed = actor.can(Perm.VIEW_REGISTRY) and not actor.paired_only
    villages = villages_for(actor, code) if allowed else []
    return JsonResponse({"villages": [{"code": v.code, "name": v.name} for v in villages]})
