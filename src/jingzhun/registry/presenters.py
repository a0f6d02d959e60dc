"""What a page shows of a household or member, masked for actors without Perm.VIEW_SENSITIVE.

The per-field policy lives in `jingzhun.lib.masking.POLICY`; this binds it to an Actor."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from jingzhun.accounts.access import Actor
from jingzhun.lib import masking

MEMBER_PERSONAL = ("id_number", "birth_date", "health", "not_in_school_reason")


def masker(actor: Actor) -> Callable[[str, Any], Any]:
    """A function (field name, value) → value as this actor may see it."""
    return masking.masker(actor.sees_sensitive)


def member_shown(member: Any, mask: Callable[[str, Any], Any]) -> dict[str, Any]:
    """The personal fields of a member as the page shows them (masked per the policy)."""
    shown = {name: mask(name, getattr(member, name)) for name in MEMBER_PERSONAL}
    if isinstance(shown["birth_date"], date):
        shown["birth_date"] = shown["birth_date"].isoformat()
    return shown


def yes_no(value: bool | None) -> str:
    return "—" if value is None else ("是" if value else "否")
