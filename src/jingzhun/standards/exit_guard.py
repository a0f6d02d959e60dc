"""The exit guard (退出核验): facts from the database → `standards.exit_rules` → a decision; the override
(例外放行) policy; and the rows that put an unchecked exit on the 疑似错退 board.

Called by registry.services.events.mark_exited (page and API), region_pages.services.village_facts_update
(村出列) and the workbook import (warnings). One decision function, `exit_rules.household_may_exit`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings

from jingzhun.accounts.access import Actor
from jingzhun.accounts.roles import Perm
from jingzhun.core import audit
from jingzhun.engines.python.household import assess_household
from jingzhun.registry import enums
from jingzhun.registry.models import Household, HouseholdEvent, IdentificationRecord
from jingzhun.standards.exit_rules import (
    ExitDecision,
    StepFact,
    household_may_exit,
    village_may_exit,
)
from jingzhun.standards.loading import household_data, load_spec, standard_for_year
from jingzhun.standards.models import ExitException, ExitLevel, ExitSource
from jingzhun.standards.selectors import villages_assessment

EXIT_STEPS = (
    enums.IdentificationStep.EXIT_REVIEW,
    enums.IdentificationStep.EXIT_NOTICE,
    enums.IdentificationStep.EXIT_ANNOUNCEMENT,
)


def exit_steps(household: Household) -> list[StepFact]:
    """The exit steps recorded since the household last fell back (返贫): an earlier exit's 评议/公示/公告
    do not carry over to a new exit."""
    since = (
        HouseholdEvent.objects.filter(household=household, kind=enums.EventKind.RETURNED)
        .order_by("-occurred_on")
        .values_list("occurred_on", flat=True)
        .first()
    )
    rows = IdentificationRecord.objects.filter(household=household, step__in=EXIT_STEPS)
    if since is not None:
        rows = rows.filter(occurred_on__gt=since)
    return [StepFact(r.step, r.occurred_on, r.ends_on) for r in rows.only("step", "occurred_on", "ends_on")]


def household_exit_check(household: Household, *, year: int, check_procedure: bool = True) -> ExitDecision:
    """May `household` be marked 已脱贫 in `year`? Its data as stored now, the standard covering `year`."""
    standard = standard_for_year(year)
    if standard is None:
        return household_may_exit(
            result=None,
            steps=exit_steps(household),
            notice_days=7,
            no_standard=f"没有适用于{year}年的已发布脱贫标准，无法核验",
            check_procedure=check_procedure,
        )
    spec = load_spec(standard)
    result = assess_household(household_data(household, year=year), year=year, spec=spec)
    return household_may_exit(
        result=result,
        steps=exit_steps(household) if check_procedure else [],
        notice_days=spec.exit_notice_days,
        check_procedure=check_procedure,
    )


def village_exit_check(region: Any, *, year: int) -> ExitDecision:
    """May `region` (a poor village) be marked 已出列 in `year`? Its V-* rules, live from the registry."""
    return village_exit_checks([(region, year)])[0]


def village_exit_checks(villages: Sequence[tuple[Any, int]]) -> list[ExitDecision]:
    """`village_exit_check` of each (region, year) in `villages`, in that order: the villages of one year
    assessed by one rule query (`selectors.villages_assessment`), not one query each."""
    by_year: dict[int, list[Any]] = {}
    for region, year in villages:
        by_year.setdefault(year, []).append(region)
    decided: dict[tuple[str, int], ExitDecision] = {}
    for year, regions in by_year.items():
        standard = standard_for_year(year)
        if standard is None:
            refused = village_may_exit(
                result=None, no_standard=f"没有适用于{year}年的已发布出列标准，无法核验"
            )
            decided.update(((region.code, year), refused) for region in regions)
            continue
        assessed = villages_assessment(regions, year=year, spec=load_spec(standard))
        decided.update(
            ((region.code, year), village_may_exit(result=assessed[region.code][2])) for region in regions
        )
    return [decided[(region.code, year)] for region, year in villages]


def override_allowed() -> bool:
    """JINGZHUN_EXIT_OVERRIDE (default off, decisions.md §12): may a county role let a failing exit through?"""
    return bool(getattr(settings, "JINGZHUN_EXIT_OVERRIDE", False))


def override_refusal(actor: Actor, reason: str) -> str | None:
    """Why this actor may not override the exit check now, or None when they may."""
    if not override_allowed():
        return "本县未开启退出核验的例外放行，须先补齐未通过的核验项"
    county_scope = any(len(p) <= 6 for p in actor.prefixes)
    if not (actor.can(Perm.OVERRIDE_EXIT) and county_scope and actor.user is not None):
        return "只有县级管理员可以例外放行未通过核验的退出"
    if not reason.strip():
        return "例外放行须填写书面理由"
    return None


def exception_record(
    *,
    actor: Actor | None,
    level: str,
    year: int,
    source: str,
    decision: ExitDecision,
    village_code: str,
    household: Household | None = None,
    reason: str = "",
    import_job_id: int | None = None,
) -> ExitException:
    """Put an exit that did not pass the check on the 疑似错退 board, with its audit row."""
    user = actor.user if actor else None
    row = ExitException.objects.create(
        level=level,
        household=household,
        village_code=village_code,
        year=year,
        source=source,
        problems=decision.texts,
        reason=reason.strip()[:500],
        actor=user,
        actor_name=str(user or "系统")[:60],
        import_job_id=import_job_id,
    )
    audit.record(
        actor=user,
        action=f"standards.exit_exception.{source}",
        object_type="household" if household is not None else "region",
        object_id=household.pk if household is not None else village_code,
        object_label=str(household) if household is not None else village_code,
        household_id=household.pk if household is not None else None,
        after={"year": year, "problems": decision.texts, "codes": decision.codes, "reason": row.reason},
        note=row.reason,
    )
    return row


__all__ = [
    "ExitDecision",
    "ExitLevel",
    "ExitSource",
    "exception_record",
    "household_exit_check",
    "override_allowed",
    "override_refusal",
    "village_exit_check",
    "village_exit_checks",
]
