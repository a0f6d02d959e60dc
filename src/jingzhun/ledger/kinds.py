"""Kinds of ledger item (台账类型) and their transition tables — plain data, no Django.

Every kind is a registration (`register(Kind(...))`), not a copy of the engine: a later ledger (data
clues, social-help needs, projects, return-to-poverty) adds its own states, moves and clock here.
A move not listed for the item's current state is refused; each move names the permission it needs:
`handle` (the responsible side: 整改、办理、申请销号) or `assign` (the supervising side: 交办、验收、退回、
批准延期). `four_eyes` moves may not be made by the person who made the item's last `handle` move nor by
its responsible user (the handler never accepts their own closing).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

HANDLE = "handle"
ASSIGN = "assign"
# A move's `perm` is HANDLE, ASSIGN, or the name of a permission (accounts.roles.Perm) of its own — a kind
# registered by another app may need a side that is neither (e.g. 线索核查's 确认 by township or county).


@dataclass(frozen=True)
class Move:
    """One allowed transition of a kind: `action` is the stable code, `label` the button text."""

    action: str
    source: str
    target: str
    label: str
    perm: str
    evidence: bool = False  # needs a note plus an attachment or a written evidence text (佐证)
    four_eyes: bool = False
    extension: bool = False  # 延期: approved extension of the deadline (days, reason)
    reopen: bool = False  # reopens a closed item, history kept


@dataclass(frozen=True)
class Kind:
    code: str
    label: str
    states: tuple[str, ...]
    initial: str
    closed: frozenset[str]
    moves: tuple[Move, ...]
    sources: tuple[str, ...] = ()  # 问题来源 / 来源层级, in report order
    default_days: int = 30  # default time limit (时限) from the assignment date
    pausable: bool = False  # the clock may stop while waiting on another party (暂停计时)
    max_extension_days: int = 0  # 0 = no extension move
    max_reopens: int = 0
    notes_allowed: bool = True  # progress notes (进展) on open items
    extra: dict[str, object] = field(default_factory=dict)
    # Seams for a kind registered by a higher app (数据核查's 线索核查), so it needs no copy of the engine:
    # - ledger_pages: listed in the ledger's own tabs, summary and `ledger list/summary` (the spec's
    #   table); a kind with pages of its own sets False;
    # - page: the URL name of the kind's own item page (ledger/items/<pk>/ redirects there);
    # - guard(actor, item, move, note) → a refusal message or None: the kind's own precondition, checked
    #   by `services.item_move` after the table, permission and scope (e.g. a county's four-eyes setting);
    # - after_move(actor, item, move, step): the kind's own bookkeeping, inside the move's transaction;
    # - inbox(actor) → a queryset of items or None: the kind's part of 我的待办 (items assigned to a place,
    #   not a person);
    # - mask_text(text) → text: the kind's texts (内容 and the notes of the steps) as shown to an actor
    #   without registry.view_sensitive, where the system wrote personal values into them (a clue's 说明
    #   names health and disability); None = shown as written.
    ledger_pages: bool = True
    page: str = ""
    guard: Callable[..., str | None] | None = None
    after_move: Callable[..., Any] | None = None
    inbox: Callable[[Any], Any] | None = None
    mask_text: Callable[[str], str] | None = None

    def moves_from(self, state: str) -> tuple[Move, ...]:
        return tuple(m for m in self.moves if m.source == state)

    def move(self, state: str, action: str) -> Move | None:
        for m in self.moves:
            if m.source == state and m.action == action:
                return m
        return None

    def is_closed(self, state: str) -> bool:
        return state in self.closed


PROBLEM_SOURCES = (
    "中央巡视",
    "国务院督查",
    "省级督查",
    "市县巡察",
    "审计",
    "纪检监察",
    "督查指导组",
    "数据比对",
    "抽样复核",
    "信访转办",
    "其他",
)
PETITION_LEVELS = ("中央交办", "省交办", "市交办", "县本级")

# 信访工作条例 (2022): route within 15 days, handle within 60 days of acceptance, one extension ≤ 30 days,
# 复查/复核 answered within 30 days.
PETITION_ROUTE_DAYS = 15
PETITION_HANDLE_DAYS = 60
PETITION_EXTENSION_DAYS = 30
PETITION_REVIEW_DAYS = 30

PROBLEM = Kind(
    code="problem",
    label="问题整改",
    states=("待交办", "已交办", "整改中", "申请销号", "退回整改", "已销号"),
    initial="已交办",
    closed=frozenset({"已销号"}),
    sources=PROBLEM_SOURCES,
    default_days=30,
    pausable=True,
    max_reopens=3,
    moves=(
        Move("assign", "待交办", "已交办", "交办", ASSIGN),
        Move("start", "已交办", "整改中", "开始整改", HANDLE),
        Move("apply_close", "整改中", "申请销号", "申请销号", HANDLE, evidence=True),
        Move("accept", "申请销号", "已销号", "验收销号", ASSIGN, evidence=True, four_eyes=True),
        Move("send_back", "申请销号", "退回整改", "退回整改", ASSIGN, four_eyes=True),
        Move("restart", "退回整改", "整改中", "重新整改", HANDLE),
        Move("reopen", "已销号", "整改中", "重新打开", ASSIGN, reopen=True),
    ),
)

PETITION = Kind(
    code="petition",
    label="信访",
    states=("登记", "已受理", "办理中", "延期", "已答复", "已办结", "不予受理"),
    initial="登记",
    closed=frozenset({"已办结", "不予受理"}),
    sources=PETITION_LEVELS,
    default_days=PETITION_ROUTE_DAYS,
    pausable=True,
    max_extension_days=PETITION_EXTENSION_DAYS,
    max_reopens=2,  # 复查, then 复核; after that the same facts are not accepted again
    moves=(
        Move("accept_case", "登记", "已受理", "受理", HANDLE),
        Move("refuse", "登记", "不予受理", "不予受理", HANDLE, evidence=True),
        Move("start", "已受理", "办理中", "开始办理", HANDLE),
        Move("extend", "办理中", "延期", "批准延期", ASSIGN, four_eyes=True, extension=True),
        Move("resume", "延期", "办理中", "继续办理", HANDLE),
        Move("reply", "办理中", "已答复", "答复", HANDLE, evidence=True),
        Move("close", "已答复", "已办结", "办结", ASSIGN, evidence=True, four_eyes=True),
        Move("review", "已办结", "办理中", "复查/复核", ASSIGN, reopen=True),
    ),
)

DIRECTIVE = Kind(
    code="directive",
    label="指令",
    states=("已下达", "已完成"),
    initial="已下达",
    closed=frozenset({"已完成"}),
    default_days=7,
    # 已下达 → 已完成 happens by itself when every recipient has reported (see RECIPIENT_MOVES).
    moves=(),
)

# Per recipient of a directive: 待签收 → 已签收 → 落实中 → 已反馈.
RECIPIENT_STATES = ("待签收", "已签收", "落实中", "已反馈")
RECIPIENT_MOVES = {
    ("待签收", "sign"): ("已签收", "签收"),
    ("已签收", "act"): ("落实中", "开始落实"),
    ("落实中", "report"): ("已反馈", "反馈"),
}

TASK = Kind(
    code="task",
    label="任务指标",
    states=("已分解", "推进中", "已完成", "未完成"),
    initial="已分解",
    closed=frozenset({"已完成", "未完成"}),
    default_days=90,
    moves=(
        Move("start", "已分解", "推进中", "开始推进", HANDLE),
        Move("complete", "推进中", "已完成", "确认完成", ASSIGN, evidence=True, four_eyes=True),
        Move("fail", "推进中", "未完成", "到期未完成", ASSIGN),
        Move("fail", "已分解", "未完成", "到期未完成", ASSIGN),
    ),
)

CASE = Kind(
    code="case",
    label="违纪案件",
    states=("线索受理", "初核", "立案", "审查调查", "审理", "结案", "了结"),
    initial="线索受理",
    closed=frozenset({"结案", "了结"}),
    default_days=90,
    moves=(
        Move("verify", "线索受理", "初核", "初步核实", HANDLE),
        Move("file", "初核", "立案", "立案", ASSIGN),
        Move("dismiss", "初核", "了结", "了结", ASSIGN, evidence=True, four_eyes=True),
        Move("investigate", "立案", "审查调查", "审查调查", HANDLE),
        Move("try", "审查调查", "审理", "移送审理", HANDLE),
        Move("conclude", "审理", "结案", "结案", ASSIGN, evidence=True, four_eyes=True),
    ),
)

KINDS: dict[str, Kind] = {}
# Report order of the spec's table (problem, petition, directive, task, case); kinds with their own pages
# (ledger_pages=False) are not in it.
ORDER: list[str] = []
# Every kind's closed states, kept up to date in place by `register` (reports and the escalation pass hold
# this same list, so a kind registered after they were imported still counts as closed there).
CLOSED_STATES: list[str] = []


def register(kind: Kind) -> Kind:
    if kind.code in KINDS:
        raise ValueError(f"kind {kind.code!r} already registered")
    states = set(kind.states)
    for m in kind.moves:
        if m.source not in states or m.target not in states:
            raise ValueError(f"{kind.code}: move {m.action} uses an unknown state")
    if kind.initial not in states or not kind.closed <= states:
        raise ValueError(f"{kind.code}: initial or closed state unknown")
    KINDS[kind.code] = kind
    if kind.ledger_pages:
        ORDER.append(kind.code)
    CLOSED_STATES[:] = sorted(set(CLOSED_STATES) | kind.closed)
    LABELS[kind.code] = kind.label
    BY_LABEL[kind.label] = kind.code
    return kind


LABELS: dict[str, str] = {}
BY_LABEL: dict[str, str] = {}


for _kind in (PROBLEM, PETITION, DIRECTIVE, TASK, CASE):
    register(_kind)


def get(code: str) -> Kind:
    try:
        return KINDS[code]
    except KeyError:
        raise KeyError(f"未知的台账类型：{code}") from None
