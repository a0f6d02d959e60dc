"""Page panels (页面板块), as a seam: a lower app's page (the household page, the village page) shows
panels that higher apps register in their `AppConfig.ready()` — the exit checklist of `standards`, the
open clues of `verification` — without importing them. A panel's `context(request, obj)` returns the
template context, or None when the panel has nothing to show for this object or this user; the page
renders each returned panel's template in `order`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

PAGES = ("household", "village")


@dataclass(frozen=True)
class Panel:
    page: str  # one of PAGES
    name: str  # unique per page
    template: str
    context: Callable[[Any, Any], dict[str, Any] | None]  # (request, obj) → context or None
    order: int = 100


PANELS: dict[str, dict[str, Panel]] = {page: {} for page in PAGES}


def register_panel(panel: Panel) -> Panel:
    if panel.page not in PANELS:
        raise ValueError(f"unknown page {panel.page!r}; pages are {PAGES}")
    PANELS[panel.page][panel.name] = panel
    return panel


def panels_for(page: str, request: Any, obj: Any) -> list[tuple[str, dict[str, Any]]]:
    """(template, context) of each registered panel that has something to show, in order."""
    shown = []
    for panel in sorted(PANELS[page].values(), key=lambda p: (p.order, p.name)):
        ctx = panel.context(request, obj)
        if ctx is not None:
            shown.append((panel.template, ctx))
    return shown


def render_panels(page: str, request: Any, obj: Any) -> list[str]:
    """The HTML of each panel `panels_for` returns, for a page template to place with `{{ html }}`
    (each panel's template is rendered with its own context and the request, so `{% url %}` and
    `{% csrf_token %}` work inside it)."""
    from django.template.loader import render_to_string
    from django.utils.safestring import mark_safe

    return [
        mark_safe(render_to_string(template, ctx, request=request))  # noqa: S308 - our own templates
        for template, ctx in panels_for(page, request, obj)
    ]
