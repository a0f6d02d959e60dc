"""The village facts form (村情), built from the 村 sheet's FieldSpecs."""

from __future__ import annotations

from typing import Any

from jingzhun.regions.models import VILLAGE_FACT_FIELDS, Region
from jingzhun.registry import fields
from jingzhun.registry.forms import form_class

VillageFactsForm = form_class(fields.VILLAGE_FIELDS, "VillageFactsForm", exclude=("code",))


def initial_facts(region: Region) -> dict[str, Any]:
    initial: dict[str, Any] = {}
    for name in VILLAGE_FACT_FIELDS:
        value = getattr(region, name)
        if isinstance(value, bool):
            value = "是" if value else "否"
        initial[name] = "" if value is None else value
    return initial
