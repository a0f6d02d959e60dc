"""The five responsibility alert lists (assistance.views.ALERTS) as xlsx (served by workbook.list_export; registered in apps.py).

Each reads the same selector as its page, with the same alert parameters (services.alert_settings), but
all rows, not one page: households in (village, id) keyset chunks, so a county-wide 超期未走访 list of
300k households streams in constant memory. Phones go through the role's masker.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from django.db.models import QuerySet

from jingzhun.accounts.access import Actor
from jingzhun.accounts.roles import Perm
from jingzhun.assistance import selectors as sel
from jingzhun.assistance import services
from jingzhun.assistance.rules import last_week_start
from jingzhun.core.lists import ListSpec, Mask, register_list
from jingzhun.registry.models import Household

CHUNK = 2000
HOUSEHOLD_HEADERS = (
    "户编号",
    "户主",
    "联系电话",
    "乡镇",
    "村",
    "行政区划代码",
    "脱贫状态",
    "帮扶责任人",
    "帮扶责任人手机号",
    "最近走访",
)
TEXT = frozenset({"户编号", "联系电话", "行政区划代码", "帮扶责任人手机号", "账号"})


def _household_rows(query: QuerySet[Household], mask: Mask) -> Iterator[list[Any]]:
    after = ""
    while True:
        rows, after = sel.page_by_village(query, after=after, size=CHUNK)
        for h in sel.with_last_visit(rows):
            helper = h.current_helper  # type: ignore[attr-defined]
            yield [
                h.code,
                h.head_name,
                mask("phone", h.phone),
                h.village.parent.name if h.village.parent else "",
                h.village.name,
                h.village_id,
                h.exit_status,
                str(helper) if helper else "未结对",
                mask("phone", helper.phone) if helper else "",
                h.last_visited_on or "从未走访",  # type: ignore[attr-defined]
            ]
        if not after:
            return


def _not_visited(actor: Actor) -> QuerySet[Household]:
    return sel.not_visited(actor, days=services.alert_settings().visit_interval_days, today=date.today())


def _overloaded(actor: Actor, mask: Mask) -> Iterator[list[Any]]:
    for load in sel.overloaded_helpers(actor, limit=services.alert_settings().max_households_per_helper):
        yield [str(load.helper), load.helper.username, mask("phone", load.helper.phone), load.households]


def _villages(actor: Actor, mask: Mask) -> Iterator[list[Any]]:
    for g in sel.villages_without_team_or_secretary(actor):
        yield [
            g.village.parent.name if g.village.parent else "",
            g.village.name,
            g.village.code,
            "有" if g.has_team else "缺",
            "有" if g.has_secretary else "缺",
        ]


def _attendance(actor: Actor, mask: Mask) -> Iterator[list[Any]]:
    cfg = services.alert_settings()
    start = last_week_start(date.today())
    for a in sel.attendance_missed(
        actor, start=start, min_days=cfg.week_min_days, min_nights=cfg.week_min_nights
    ):
        yield [
            f"{start.isoformat()} 至 {(start + timedelta(days=6)).isoformat()}",
            str(a.cadre),
            a.post,
            a.village.parent_name,
            a.village.name,
            a.village.code,
            a.result.days,
            a.result.nights,
            "；".join(a.result.reasons),
        ]


register_list(
    ListSpec(
        name="alert-no-helper",
        title="未结对帮扶责任人的贫困户",
        headers=HOUSEHOLD_HEADERS,
        rows=lambda actor, mask: _household_rows(sel.poor_without_helper(actor), mask),
        count=lambda actor: sel.poor_without_helper(actor).count(),
        perm=Perm.VIEW_ASSISTANCE,
        text_headers=TEXT,
    )
)
register_list(
    ListSpec(
        name="alert-not-visited",
        title="超期未走访的户",
        headers=HOUSEHOLD_HEADERS,
        rows=lambda actor, mask: _household_rows(_not_visited(actor), mask),
        count=lambda actor: _not_visited(actor).count(),
        perm=Perm.VIEW_ASSISTANCE,
        text_headers=TEXT,
    )
)
register_list(
    ListSpec(
        name="alert-overloaded",
        title="结对户数超过上限的帮扶责任人",
        headers=("帮扶责任人", "账号", "手机号", "结对户数"),
        rows=_overloaded,
        perm=Perm.VIEW_ASSISTANCE,
        text_headers=TEXT | {"手机号"},
    )
)
register_list(
    ListSpec(
        name="alert-villages",
        title="缺驻村工作队或第一书记的贫困村",
        headers=("乡镇", "贫困村", "行政区划代码", "驻村工作队", "第一书记"),
        rows=_villages,
        perm=Perm.VIEW_ASSISTANCE,
        text_headers=TEXT,
    )
)
register_list(
    ListSpec(
        name="alert-attendance",
        title="上周未达五天四夜的驻村干部",
        headers=("周", "干部", "职务", "乡镇", "村", "行政区划代码", "在村天数", "住村夜数", "原因"),
        rows=_attendance,
        perm=Perm.VIEW_ASSISTANCE,
        text_headers=TEXT,
    )
)
