"""Template context of the trail: whether the menu shows 审计校验."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def audit_nav(request: HttpRequest) -> dict[str, Any]:
    from jingzhun.accounts.access import actor_for
    from jingzhun.trail.views import audit_reader

    return {"audit_reader": audit_reader(actor_for(getattr(request, "user", None)))}
