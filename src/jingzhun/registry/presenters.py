"""What a page shows of a household or member, masked for actors without Perm.VIEW_SENSITIVE."""

from __future__ import annotations

from typing import Any

from jingzhun.accounts.access import Actor
from jingzhun.lib.masking import mask_bank_account, mask_id_number, mask_phone

SENSITIVE = {
    "id_number": mask_id_number,
    "head_id_number": mask_id_number,
    "resident_id": mask_id_number,
    "phone": mask_phone,
    "bank_account": mask_bank_account,
    # the birth date is the ID's middle digits; health status is personal information (§11)
    "birth_date": lambda v: f"{v[:4]}年",
    "health": lambda v: "***",
}


def masker(actor: Actor):
    """A function (field name, value) → value as this actor may see it."""
    if actor.sees_sensitive:
        return lambda name, value: value

    def mask(name: str, value: Any) -> Any:
        fn = SENSITIVE.get(name)
        return fn(value) if fn and isinstance(value, str) else value

    return mask


def yes_no(value: bool | None) -> str:
    return "—" if value is None else ("是" if value else "否")
