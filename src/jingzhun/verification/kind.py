"""The ledger kind 线索核查 (clue): its states, transition table and clock, registered in the ledger engine.

States (spec/verification.md §3): 待核查 → 核查中 → 属实 | 不属实. The county decides whether a checker's
conclusion needs a second person (ClueSettings.four_eyes, 四眼原则), within the same four states:

- off: the checker (村干部/第一书记/工作队, or a township cadre) closes 核查中 → 属实 | 不属实 directly;
- on: the checker records the finding while the clue stays 核查中 (提交核查结论：属实/不属实), and someone
  else with `verification.confirm` (township cadre, county leader, 督查组, county admin) closes it — the
  engine's four-eyes check refuses anyone who made a handling move on the clue.

Every closing and every finding carries a note; photos are optional (the ledger's attachments).
Time limit: 15 days from the day the clue is raised (**ASSUMPTION**, the spec gives none; a county
changes it in this registration).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from jingzhun.accounts.roles import Perm
from jingzhun.ledger import kinds
from jingzhun.ledger.kinds import HANDLE, Kind, Move
from jingzhun.lib.masking import mask_text

CODE = "clue"
PENDING, CHECKING, TRUE, FALSE = "待核查", "核查中", "属实", "不属实"
OPEN = (PENDING, CHECKING)
CLUE_DAYS = 15  # ASSUMPTION: default time limit of a clue's field check
SOURCES = ("数据清洗", "部门比对")

# action → (finding it records, whether it closes, whether it is the confirming side)
REPORTS = {"report_true": TRUE, "report_false": FALSE}
CLOSES = {"close_true": TRUE, "close_false": FALSE}
CONFIRMS = {"confirm_true": TRUE, "confirm_false": FALSE}


def four_eyes_on() -> bool:
    from jingzhun.verification.models import ClueSettings

    row = ClueSettings.objects.order_by("id").first()
    return bool(row and row.four_eyes)


def _guard(actor: Any, item: Any, move: Move, note: str) -> str | None:
    """The county's four-eyes setting and the clue's own rules, checked by the engine's item_move."""
    action = move.action
    if action == "start":
        return None
    if not (note or "").strip():
        return f"“{move.label}”须填写核查情况"
    if action in CLOSES and four_eyes_on():
        return "本县要求核查结论经他人确认：请“提交核查结论”，由乡镇或县级确认后办结"
    if action in REPORTS and not four_eyes_on():
        return "本县未要求他人确认：请直接选择“核查属实”或“核查不属实”"
    if action in CONFIRMS and not item.clue.finding:
        return "核查人尚未提交核查结论，不能确认"
    return None


def _after_move(actor: Any, item: Any, move: Move, step: Any) -> None:
    """Keep the clue's finding, checker, confirmer and proposed follow-up in step with the move."""
    from jingzhun.verification import followups
    from jingzhun.verification.models import Clue

    clue = Clue.objects.select_for_update().get(item_id=item.pk)
    action = move.action
    if action in REPORTS or action in CLOSES:
        clue.finding = REPORTS.get(action) or CLOSES[action]
        clue.checker = actor.user
        clue.checker_name = step.actor_name
        clue.checked_on = step.on
        clue.check_note = step.note
    if action in CONFIRMS:
        clue.confirmer_name = step.actor_name
        clue.confirmed_on = step.on
    if kinds.get(CODE).is_closed(item.status):
        clue.conclusion = item.status
        clue.followup = followups.propose(clue) if item.status == TRUE else {}
    clue.save()


def _inbox(actor: Any) -> Any:
    """我的待办: open clues of the village for the village's people (村干部/第一书记/工作队, who hold
    village-level grants), and findings waiting for confirmation for those who may confirm them."""
    from jingzhun.ledger.selectors import items_visible

    if actor.user is None:
        return None
    parts = Q(pk__in=[])
    village_level = bool(actor.prefixes) and all(len(p) == 12 for p in actor.prefixes)
    if village_level and actor.can(Perm.LEDGER_HANDLE):
        parts |= Q(status__in=OPEN, clue__finding="")
    if actor.can(Perm.CLUE_CONFIRM):
        parts |= Q(status=CHECKING) & ~Q(clue__finding="") & ~Q(clue__checker=actor.user)
    return items_visible(actor, kind=CODE).filter(parts)


CLUE = Kind(
    code=CODE,
    label="线索核查",
    states=(PENDING, CHECKING, TRUE, FALSE),
    initial=PENDING,
    closed=frozenset({TRUE, FALSE}),
    sources=SOURCES,
    default_days=CLUE_DAYS,
    moves=(
        Move("start", PENDING, CHECKING, "开始核查", HANDLE),
        Move("close_true", CHECKING, TRUE, "核查属实", HANDLE),
        Move("close_false", CHECKING, FALSE, "核查不属实", HANDLE),
        Move("report_true", CHECKING, CHECKING, "提交结论：属实", HANDLE),
        Move("report_false", CHECKING, CHECKING, "提交结论：不属实", HANDLE),
        Move("confirm_true", CHECKING, TRUE, "确认属实", Perm.CLUE_CONFIRM, four_eyes=True),
        Move("confirm_false", CHECKING, FALSE, "确认不属实", Perm.CLUE_CONFIRM, four_eyes=True),
    ),
    ledger_pages=False,
    page="verification:clue",
    guard=_guard,
    after_move=_after_move,
    inbox=_inbox,
    mask_text=mask_text,  # the 说明 names health and disability (lib.masking)
)


def register() -> None:
    if CODE not in kinds.KINDS:
        kinds.register(CLUE)
