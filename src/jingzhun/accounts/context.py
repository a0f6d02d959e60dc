"""Template context: the acting user's roles and permissions, for menus."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from jingzhun.accounts.access import actor_for
from jingzhun.accounts.roles import Perm, RoleCode


def actor_context(request: HttpRequest) -> dict[str, Any]:
    actor = actor_for(getattr(request, "user", None))
    labels = dict(RoleCode.choices)
    return {
        "actor": actor,
        "actor_role_names": [labels.get(r, r) for r in actor.roles],
        "Perm": Perm,
    }
