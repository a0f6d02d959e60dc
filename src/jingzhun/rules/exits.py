"""剩余贫困 and 出列 as rules (退出口径), defined once. Plain data and pure functions (no Django): the
village checklist applies them to live rows, the county reports render them as a database filter over
stored verdicts (standards.reports.remaining_q); a test holds the two to the same answers.

- **剩余贫困人口** of year Y: the people of households 未脱贫 or 返贫 — except a household planned to
  exit by Y (预脱贫年度 ≤ Y) that meets the household standard, which counts as out of poverty for Y.
- **A poor village 出列 by Y**: marked 已出列 in Y or before (a 出列年度 left empty counts), or planned
  to exit by Y (计划出列年度 ≤ Y) and meeting the village standard."""

from __future__ import annotations

from jingzhun.rules.terms import ExitStatus

# 脱贫状态 still counted as poor (未脱贫, 返贫); 已脱贫 is out.
POOR_STATUSES: tuple[str, ...] = (ExitStatus.NOT_EXITED.value, ExitStatus.RETURNED.value)
VILLAGE_EXITED = "已出列"  # 出列状态 (regions.models.ExitState.EXITED)


def planned_and_ready(planned_exit_year: int | None, passed: bool | None, year: int) -> bool:
    """Planned to exit by `year` (the plan year is filled in and ≤ year) and meeting the standard."""
    return planned_exit_year is not None and planned_exit_year <= year and passed is True


def remaining_poor(
    *, exit_status: str, planned_exit_year: int | None, passed: bool | None, year: int
) -> bool:
    """Whether a household's people count in 剩余贫困人口 of `year`."""
    return exit_status in POOR_STATUSES and not planned_and_ready(planned_exit_year, passed, year)


def village_exited(
    *, exit_state: str, exit_year: int | None, planned_exit_year: int | None, passed: bool | None, year: int
) -> bool:
    """Whether a poor village counts as 出列 by `year`."""
    if exit_state == VILLAGE_EXITED and (exit_year is None or exit_year <= year):
        return True
    return planned_and_ready(planned_exit_year, passed, year)
