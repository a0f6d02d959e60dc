"""The household page's panel of open clues (core.panels), shown next to the exit checklist."""

from __future__ import annotations

from typing import Any

from jingzhun.accounts.access import actor_for
from jingzhun.accounts.roles import Perm
from jingzhun.core.panels import Panel, register_panel


def _context(request: Any, household: Any) -> dict[str, Any] | None:
    from jingzhun.verification.present import explanation
    from jingzhun.verification.selectors import household_open

    actor = actor_for(request.user)
    if not actor.can(Perm.LEDGER_VIEW):
        return None
    clues = household_open(actor, household)
    if not clues:
        return None
    return {
        "clues": [
            {"clue": c, "item": c.item, "explanation": explanation(actor, c.explanation)} for c in clues
        ]
    }


def register() -> None:
    register_panel(
        Panel(
            page="household",
            name="open_clues",
            template="verification/_household_panel.html",
            context=_context,
            order=20,
        )
    )
