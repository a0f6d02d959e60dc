"""The village facts form (村情), built from the 村 sheet's FieldSpecs."""

from __future__ import annotations

from typing import Any

from jingzhun.core.forms import form_class
from jingzhun.regions.fields import VILLAGE_FIELDS
from jingzhun.regions.models import VILLAGE_FACT_FIELDS, Region

VillageFactsForm = form_class(VILLAGE_FIELDS, "VillageFactsForm", exclude=("code",))


def initial_facts(region: Region) -> dict[str, Any]:
    initial: dict[str, Any] = {}
    for name in VILLAGE_FACT_FIELDS:
        value = getattr(region, name)
        if isinstance(value, bool):
            value = "是" if value else "否"
        initial[name] = "" if value is None else value
    return initial
