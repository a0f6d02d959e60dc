"""The clue list as xlsx (core.lists, served at /lists/clues.xlsx): every clue in the actor's scope, the
member's ID masked and the explanation's personal values hidden per the role; workbook.list_export checks
`registry.export`, audits the export and writes large lists in a background job."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from jingzhun.accounts.access import Actor
from jingzhun.accounts.roles import Perm
from jingzhun.core.lists import ListSpec, Mask, register_list
from jingzhun.lib import masking
from jingzhun.rules.checks import ALL_CHECKS

CHUNK = 2000
HEADERS = (
    "线索编号",
    "规则代码",
    "规则",
    "数据集",
    "行政区划代码",
    "户编号",
    "姓名",
    "证件号码",
    "匹配方式",
    "说明",
    "状态",
    "核查人",
    "核查日期",
    "最近一次比对仍命中",
    "后续处置",
)
TEXT = frozenset({"线索编号", "行政区划代码", "户编号", "证件号码"})


def _query(actor: Actor) -> Any:
    from jingzhun.verification.selectors import clues_visible

    return clues_visible(actor)


def _rows(actor: Actor, mask: Mask) -> Iterator[list[Any]]:
    query = _query(actor).select_related("item", "household", "member").order_by("id")
    last = 0
    while True:
        chunk = list(query.filter(id__gt=last)[:CHUNK])
        for c in chunk:
            person = c.member
            text = c.explanation if actor.sees_sensitive else masking.mask_text(c.explanation)
            yield [
                c.item.code,
                c.rule,
                ALL_CHECKS[c.rule].name if c.rule in ALL_CHECKS else "",
                c.dataset,
                c.village_code,
                c.household.code,
                person.name if person else c.household.head_name,
                mask("id_number", person.id_number if person else c.household.head_id_number),
                c.match,
                text,
                c.item.status,
                c.checker_name,
                c.checked_on,
                "是" if c.still_hit else "否",
                c.applied_note or c.followup.get("label", ""),
            ]
        if len(chunk) < CHUNK:
            return
        last = chunk[-1].id


def register() -> None:
    register_list(
        ListSpec(
            name="clues",
            title="线索核查清单",
            headers=HEADERS,
            rows=_rows,
            count=lambda actor: _query(actor).count(),
            perm=Perm.LEDGER_VIEW,
            text_headers=TEXT,
        )
    )
