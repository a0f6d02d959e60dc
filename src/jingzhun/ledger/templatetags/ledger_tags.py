"""`{% ledger_inbox_count %}`: the number of items in the user's 我的待办, for the navigation."""

from __future__ import annotations

from typing import Any

from django import template

from jingzhun.accounts.roles import Perm

register = template.Library()


@register.simple_tag(takes_context=True)
def ledger_inbox_count(context: dict[str, Any]) -> int:
    actor = context.get("actor")
    if actor is None or not actor.can(Perm.LEDGER_VIEW):
        return 0
    if context.get("inbox_total") is not None:  # 我的待办 itself counted it for its pages
        return int(context["inbox_total"])
    from jingzhun.ledger.selectors import inbox_count

    return inbox_count(actor)


@register.filter
def pick(mapping: Any, key: str) -> Any:
    """`values|pick:"code"` — a dict entry by a name held in a variable (form values and errors)."""
    return mapping.get(key, "") if hasattr(mapping, "get") else ""
