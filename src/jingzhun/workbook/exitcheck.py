"""The exit check (standards.exit_guard) for what an import marks 已脱贫 or 已出列.

An import does not refuse the whole file for them (the workbook is the county's record of what already
happened): each household the file changes to 已脱贫, and each village it changes to 已出列, is checked
after its rows are written, inside the import's transaction, so the check reads the data as imported.
A failing one becomes a warning on its row (the failing items named, as on the page) and a row on the
疑似错退 board (`ExitException`, source 导入) — written in the same transaction as the import.

Households that arrive new and already 已脱贫 are the register's history, not a marking made here: their
standard is checked by the assessment that follows every import (the verdict-based 疑似错退 list), and no
procedure is asked of them (decisions.md §12).
"""

from __future__ import annotations

from typing import Any

from jingzhun.accounts.access import Actor
from jingzhun.regions.models import ExitState, Region
from jingzhun.registry import enums
from jingzhun.registry.models import Household
from jingzhun.workbook.columns import HOUSEHOLD_SHEET, VILLAGE_SHEET
from jingzhun.workbook.issues import ImportResult
from jingzhun.workbook.plan import HOUSEHOLD_COLUMNS, Plan
from jingzhun.workbook.validate import HH, VILLAGE_NAMES, Parsed

_EXIT_STATUS = [c for c, _ in HOUSEHOLD_COLUMNS].index("exit_status")


def marked_exited(parsed: Parsed, plan: Plan) -> list[tuple[str, int, int]]:
    """(户编号, row number, 脱贫年度) of the registered households this file changes to 已脱贫."""
    out = []
    for code, existing in plan.existing.items():
        number, values = parsed.households[code]
        if (
            values[HH["exit_status"]] == enums.ExitStatus.EXITED
            and existing.values[_EXIT_STATUS] != enums.ExitStatus.EXITED
        ):
            out.append((code, number, values[HH["exit_year"]]))
    return out


def villages_before(parsed: Parsed) -> dict[str, str]:
    """出列状态 of the file's villages before the import writes (to see which it changes to 已出列)."""
    codes = [values[0] for _, values in parsed.villages]
    return dict(Region.objects.filter(code__in=codes).values_list("code", "exit_state"))


def check_exits(
    *,
    parsed: Parsed,
    plan: Plan,
    villages_were: dict[str, str],
    actor: Actor,
    result: ImportResult,
    job_id: int | None,
) -> None:
    """Run inside the import's transaction, after its rows are written."""
    from jingzhun.standards import exit_guard

    marked = marked_exited(parsed, plan)
    households = Household.objects.in_bulk([code for code, _, _ in marked], field_name="code")
    for code, number, year in marked:
        household = households[code]
        decision = exit_guard.household_exit_check(household, year=year)
        if decision.allowed:
            continue
        result.warn(
            HOUSEHOLD_SHEET,
            number,
            "脱贫状态",
            "已脱贫",
            f"{decision.message('标注脱贫')}。已按文件导入，列入疑似错退，请入户核实",
        )
        exit_guard.exception_record(
            actor=actor,
            level=exit_guard.ExitLevel.HOUSEHOLD,
            year=year,
            source=exit_guard.ExitSource.IMPORT,
            decision=decision,
            village_code=household.village_id,
            household=household,
            import_job_id=job_id,
        )
    state_i = VILLAGE_NAMES.index("exit_state")
    year_i = VILLAGE_NAMES.index("exit_year")
    changed = [
        (number, values)
        for number, values in parsed.villages
        if values[state_i] == ExitState.EXITED and villages_were.get(values[0]) != ExitState.EXITED
    ]
    regions: dict[str, Any] = Region.objects.in_bulk([values[0] for _, values in changed])
    villages = [(regions[values[0]], int(values[year_i] or 0)) for _, values in changed]
    # one rule query per exit year for all the file's villages (inside the import's transaction the new
    # rows have no statistics yet, and a query per village would read every member each time)
    decisions = exit_guard.village_exit_checks(villages)
    for (number, _), (region, year), decision in zip(changed, villages, decisions, strict=True):
        if decision.allowed:
            continue
        result.warn(
            VILLAGE_SHEET,
            number,
            "出列状态",
            "已出列",
            f"{decision.message('标注出列')}。已按文件导入，列入疑似错退，请核实",
        )
        exit_guard.exception_record(
            actor=actor,
            level=exit_guard.ExitLevel.VILLAGE,
            year=year,
            source=exit_guard.ExitSource.IMPORT,
            decision=decision,
            village_code=region.code,
            import_job_id=job_id,
        )
