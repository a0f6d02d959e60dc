"""`{% assistance_section household %}`: visits and help measures on the household page."""

from __future__ import annotations

from typing import Any

from django import template

from jingzhun.accounts.roles import Perm
from jingzhun.assistance import selectors
from jingzhun.registry import enums

register = template.Library()


@register.inclusion_tag("assistance/_household_section.html", takes_context=True)
def assistance_section(context: dict[str, Any], household: Any) -> dict[str, Any]:
    actor = context.get("actor")
    perms: frozenset[str] = getattr(actor, "permissions", frozenset())
    if Perm.VIEW_ASSISTANCE not in perms:
        return {"show": False}
    active = household.registry_status == enums.RegistryStatus.ACTIVE
    return {
        "show": True,
        "household": household,
        "visits": selectors.household_visits(household),
        "measures": selectors.household_measures(household),
        "can_visit": Perm.VISIT in perms and active,
        "can_assign": Perm.EDIT_ASSISTANCE in perms and not getattr(actor, "paired_only", False) and active,
    }
