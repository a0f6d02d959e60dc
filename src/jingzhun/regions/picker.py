"""The township → village picker (乡镇 → 村 两级选择): two small selects instead of one with 457
options. The township select is filled on the server; the village select is refilled from
`/regions/<township>/villages.json` by static/jingzhun/region-picker.js when the township changes
(no inline script: the CSP allows only script-src 'self'), and rendered filled for the current value,
so a page that comes back with errors keeps the choice."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from django import forms
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from jingzhun.regions.models import Region, code_range


class Scope(Protocol):
    """What the picker needs of the person choosing: the code prefixes they cover. `accounts.access.Actor`
    is one (the picker sits with the divisions, below `accounts`, so it names no account type)."""

    @property
    def prefixes(self) -> Sequence[str]: ...

    def covers_code(self, code: str) -> bool: ...


def _covered(actor: Scope, level: str) -> list[Region]:
    """Regions of `level` in the actor's scope, or containing it (a village cadre's township)."""
    out: dict[str, Region] = {}
    for prefix in actor.prefixes:
        if level == "township" and len(prefix) > 9:
            region = Region.objects.filter(code=prefix[:9] + "000").first()
            if region is not None:
                out[region.code] = region
            continue
        low, high = code_range(prefix)
        for region in Region.objects.filter(code__gte=low, code__lt=high, level=level).order_by("code"):
            out[region.code] = region
    return sorted(out.values(), key=lambda r: r.code)


def townships_for(actor: Scope) -> list[Region]:
    return _covered(actor, "township")


def villages_for(actor: Scope, township_code: str) -> list[Region]:
    """Villages of one township that the actor covers (all of them for a township or county role)."""
    if len(township_code) != 12 or not township_code.isdigit():
        return []
    low, high = code_range(township_code[:9])
    query = Region.objects.filter(code__gte=low, code__lt=high, level="village").order_by("code")
    return [v for v in query if actor.covers_code(v.code)]


def counties_for(actor: Scope) -> list[Region]:
    return _covered(actor, "county")


class RegionPicker(forms.Widget):
    """A form widget: the township select (`<name>_township`) and the village select (`<name>`).

    `higher=True` also accepts a township (village left empty) or the county (first option of the
    township select), for role grants and list filters; the submitted value is the narrowest chosen."""

    def __init__(self, actor: Scope, *, higher: bool = False, attrs: dict[str, Any] | None = None):
        super().__init__(attrs)
        self.actor = actor
        self.higher = higher

    def value_from_datadict(self, data: Any, files: Any, name: str) -> str:
        village = (data.get(name) or "").strip()
        if village or not self.higher:
            return village
        return (data.get(f"{name}_township") or "").strip()

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data and f"{name}_township" not in data

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        # the template autoescapes; render_to_string's result is already safe, mark_safe says so to mypy
        html = render_to_string(
            "regions/_picker.html", picker_context(self.actor, name, value, higher=self.higher)
        )
        return mark_safe(html)


def split_code(code: str) -> tuple[str, str]:
    """(value of the township select, value of the village select) for a region code: a county
    (`430821000000`) or a township fills only the first select, a village both."""
    if len(code) != 12 or not code.isdigit():
        return "", ""
    if code[9:] == "000":
        return code, ""
    return code[:9] + "000", code


def picker_context(actor: Scope, name: str, value: Any, *, higher: bool) -> dict[str, Any]:
    township, village = split_code(str(value or "").strip())
    townships = townships_for(actor)
    if not township and not higher and len(townships) == 1:
        township = townships[0].code  # a village or township cadre: their only township, chosen
    is_township = bool(township) and township[6:] != "000000"
    villages = villages_for(actor, township) if is_township else []
    if not village and not higher and len(villages) == 1:
        village = villages[0].code  # a village cadre: their own village
    return {
        "name": name,
        "higher": higher,
        "counties": counties_for(actor) if higher else [],
        "townships": townships,
        "villages": villages,
        "township": township,
        "village": village,
    }
