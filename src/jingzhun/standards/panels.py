"""The exit-standard panels of `standards` on lower apps' pages (core.panels): the household checklist
(一超过、两不愁、三保障) on the household page and the village checklist (贫困村出列) on the village page.
Registered in StandardsConfig.ready(); the pages have already checked that the actor may see the object."""

from __future__ import annotations

from typing import Any

from jingzhun.accounts.access import actor_for
from jingzhun.core.panels import Panel
from jingzhun.lib import masking
from jingzhun.standards import selectors  # called through the module: tests replace a checklist


def household_panel(request: Any, household: Any) -> dict[str, Any]:
    checklist = selectors.household_checklist(household)
    if not actor_for(request.user).sees_sensitive:  # a rule's reasons name member values (健康状况为…)
        for rule in checklist["rules"]:
            rule["reasons"] = [masking.mask_text(r) for r in rule["reasons"]]
    return {"checklist": checklist}


def village_panel(request: Any, region: Any) -> dict[str, Any] | None:
    if not region.is_village:
        return None
    raw = request.GET.get("year")  # the year the village page shows (?year=, else the default year)
    return {
        "checklist": selectors.village_checklist(region, year=int(raw) if raw and raw.isdigit() else None)
    }


PANELS = (
    Panel(
        page="household",
        name="exit_checklist",
        template="standards/_household_checklist.html",
        context=household_panel,
        order=10,
    ),
    Panel(
        page="village",
        name="exit_checklist",
        template="standards/_village_checklist.html",
        context=village_panel,
        order=10,
    ),
)
