"""The assessment (评估) as lower pages see it, as a seam: the year pages show by default, and the
household list's 评估 column and 达标/未达标/未达标项 filters. The verdicts belong to `standards`
(higher); the household list (registry) and the region pages (regions) are lower, so `standards`
registers its provider here in `AppConfig.ready()` and the pages ask `assessments()`.

With none registered the pages still work: this year by default, no verdict column, no filter."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol


@dataclass(frozen=True)
class VerdictScope:
    """The year and standard whose verdicts the list shows; `standard` None = nothing assessed."""

    year: int
    standard: Any = None
    rule_names: dict[str, str] = field(default_factory=dict)  # household rule code → name, in order


class AssessmentView(Protocol):
    def default_year(self) -> int: ...

    def verdict_scope(self, year: int | None = None) -> VerdictScope: ...

    def verdict_filter_q(
        self, scope: VerdictScope, *, passed: bool | None, failing: str, for_count: bool = False
    ) -> Any: ...

    def verdicts_for(self, scope: VerdictScope, household_ids: list[int]) -> dict[int, dict[str, Any]]: ...

    def version(self) -> Any: ...


class _Nothing:
    """No assessment module: nothing assessed, nothing to filter on."""

    def default_year(self) -> int:
        return date.today().year

    def verdict_scope(self, year: int | None = None) -> VerdictScope:
        return VerdictScope(year=year or self.default_year())

    def verdict_filter_q(
        self, scope: VerdictScope, *, passed: bool | None, failing: str, for_count: bool = False
    ) -> Any:
        from django.db.models import Q

        return None if passed is None and not failing else Q(pk__in=[])

    def verdicts_for(self, scope: VerdictScope, household_ids: list[int]) -> dict[int, dict[str, Any]]:
        return {}

    def version(self) -> Any:
        return None


_VIEW: list[Any] = []


def register_assessments(view: AssessmentView) -> None:
    _VIEW[:] = [view]


def assessments() -> AssessmentView:
    return _VIEW[0] if _VIEW else _Nothing()
