"""批量操作 (bulk 交办 / 批准延期 / 验收) for supervisors, across kinds, all or nothing: the same `item_move`
per item in one transaction, so the first refusal rolls every item back and names itself."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from jingzhun.accounts.access import Actor
from jingzhun.accounts.roles import Perm
from jingzhun.core import audit
from jingzhun.core.errors import ValidationFailed
from jingzhun.ledger import kinds
from jingzhun.ledger.models import Item
from jingzhun.ledger.services import FIELDS, _fail, _record, item_move

# Bulk operations of the supervising side and the move each one is on each kind (a kind without the move
# refuses the item by name: e.g. 交办 only exists for problems still 待交办).
BULK_OPS = {
    "assign": ("交办", {"problem": "assign"}),
    "extend": ("批准延期", {"petition": "extend"}),
    "accept": ("验收", {"problem": "accept", "petition": "close", "task": "complete", "case": "conclude"}),
}


@transaction.atomic
def bulk_apply(
    *,
    actor: Actor,
    op: str,
    items: list[Item],
    note: str = "",
    evidence: str = "",
    extension_days: int = 0,
    unit: Any = None,
    responsible_name: str = "",
    on: date | None = None,
) -> list[Item]:
    """批量交办 / 延期 / 验收 for supervisors, across kinds: the same checks as one move per item (table,
    permission, scope, four eyes, evidence), all or nothing; the error names the first failing item and
    why. 交办 may set the responsible unit and person on every item at the same time."""
    actor.require(Perm.LEDGER_ASSIGN)
    if op not in BULK_OPS:
        raise _fail("请选择批量操作")
    label, actions = BULK_OPS[op]
    if not items:
        raise _fail(f"请先勾选要{label}的事项")
    done = []
    for item in items:
        try:
            action = actions.get(item.kind)
            if action is None:
                raise _fail(f"{kinds.LABELS.get(item.kind, item.kind)}没有“{label}”操作")
            moved = item_move(
                actor=actor,
                item=item,
                action=action,
                note=note,
                evidence=evidence,
                extension_days=extension_days,
                on=on,
            )
            if op == "assign" and (unit is not None or responsible_name.strip()):
                before = audit.snapshot(moved, FIELDS)
                if unit is not None:
                    moved.unit = unit
                if responsible_name.strip():
                    moved.responsible_name = responsible_name.strip()
                moved.save(update_fields=["unit", "responsible_name", "updated_at"])
                _record(actor, "ledger.reassign", moved, before=before, after=audit.snapshot(moved, FIELDS))
            done.append(moved)
        except ValidationFailed as exc:
            message = "；".join(exc.errors.values())
            raise _fail(f"{item.code}：{message}（全部未执行）", "items") from exc
    return done
