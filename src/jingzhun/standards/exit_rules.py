"""May this household exit (标注脱贫)? May this village 出列? — pure functions over plain data.

The one place that decides. `standards.exit_guard` gathers the facts from the database and calls these;
the registry services (page, API) and the workbook import all go through it, so a household refused on
the page is the household an import warns about, with the same Chinese words.

A household may exit in year Y when
- it meets every household rule of the standard for Y (一超过、两不愁、三保障; 数据缺失 is not met), and
- the exit procedure "一评议一公示一公告" is recorded (domain.md §2): 退出评议 (村两委评议、驻村工作队核实、
  户确认), then 退出公示 lasting at least the standard's `exit_notice_days` (inclusive), then 退出公告
  after the notice period ended.
A village may 出列 in year Y when it meets every V-* rule for Y.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from jingzhun.engines.python.household import FAIL, UNKNOWN, HouseholdResult, RuleResult
from jingzhun.engines.python.village import VillageResult

EXIT_REVIEW = "退出评议"
EXIT_NOTICE = "退出公示"
EXIT_ANNOUNCEMENT = "退出公告"


@dataclass(frozen=True)
class StepFact:
    """One recorded step of the exit procedure (registry.IdentificationRecord as plain data)."""

    step: str
    occurred_on: date
    ends_on: date | None = None


@dataclass(frozen=True)
class ExitProblem:
    """One failing item: a stable code (a rule code, or EXIT-* for the procedure) and its Chinese text."""

    code: str
    text: str


@dataclass(frozen=True)
class ExitDecision:
    problems: tuple[ExitProblem, ...]

    @property
    def allowed(self) -> bool:
        return not self.problems

    @property
    def codes(self) -> list[str]:
        return [p.code for p in self.problems]

    @property
    def texts(self) -> list[str]:
        return [p.text for p in self.problems]

    def message(self, what: str) -> str:
        """ "不能标注脱贫：…；…" — every failing item named."""
        return f"不能{what}：" + "；".join(self.texts)


def _rule_problems(results: Sequence[RuleResult]) -> list[ExitProblem]:
    out = []
    for r in results:
        if r.status == FAIL:
            out.append(ExitProblem(r.code, f"{r.name}未达标（{'；'.join(r.reasons)}）"))
        elif r.status == UNKNOWN:
            out.append(ExitProblem(r.code, f"{r.name}数据缺失（{'；'.join(r.reasons)}）"))
    return out


def _latest(steps: Sequence[StepFact], name: str) -> StepFact | None:
    found = [s for s in steps if s.step == name]
    return max(found, key=lambda s: (s.occurred_on, s.ends_on or s.occurred_on)) if found else None


def notice_length(step: StepFact) -> int | None:
    """Days of a 公示, counting both the first and the last day (11月1日至11月7日 = 7天)."""
    if step.ends_on is None:
        return None
    return (step.ends_on - step.occurred_on).days + 1


def procedure_problems(steps: Sequence[StepFact], *, notice_days: int) -> list[ExitProblem]:
    """The exit procedure "一评议一公示一公告": each step present, in order, the 公示 long enough."""
    review = _latest(steps, EXIT_REVIEW)
    notice = _latest(steps, EXIT_NOTICE)
    announcement = _latest(steps, EXIT_ANNOUNCEMENT)
    out = []
    if review is None:
        out.append(ExitProblem("EXIT-REVIEW", "退出程序缺少“退出评议”（村两委评议、驻村工作队核实、户确认）"))
    if notice is None:
        out.append(ExitProblem("EXIT-NOTICE", f"退出程序缺少“退出公示”（公示不少于{notice_days}天）"))
    else:
        days = notice_length(notice)
        if days is None:
            out.append(ExitProblem("EXIT-NOTICE-DAYS", "退出公示未填写公示截止日期，无法核对公示天数"))
        elif days < notice_days:
            out.append(
                ExitProblem(
                    "EXIT-NOTICE-DAYS",
                    f"退出公示只有{days}天（{notice.occurred_on:%Y-%m-%d}至{notice.ends_on:%Y-%m-%d}），"
                    f"应不少于{notice_days}天",
                )
            )
        if review is not None and review.occurred_on > notice.occurred_on:
            out.append(
                ExitProblem(
                    "EXIT-REVIEW-ORDER",
                    f"退出评议（{review.occurred_on:%Y-%m-%d}）应在退出公示（{notice.occurred_on:%Y-%m-%d}）之前",
                )
            )
    if announcement is None:
        out.append(ExitProblem("EXIT-ANNOUNCEMENT", "退出程序缺少“退出公告”"))
    elif notice is not None and notice.ends_on is not None and announcement.occurred_on <= notice.ends_on:
        out.append(
            ExitProblem(
                "EXIT-ANNOUNCEMENT-ORDER",
                f"退出公告（{announcement.occurred_on:%Y-%m-%d}）应在公示期满（{notice.ends_on:%Y-%m-%d}）之后",
            )
        )
    return out


def household_may_exit(
    *,
    result: HouseholdResult | None,
    steps: Sequence[StepFact],
    notice_days: int,
    no_standard: str = "",
    check_procedure: bool = True,
) -> ExitDecision:
    """The decision for 标注脱贫. `result` is the household's assessment for the exit year (None when no
    published standard covers that year: `no_standard` says so and the exit is refused). The procedure
    is not checked for a household that arrives already 已脱贫 in an import (`check_procedure=False`):
    its exit happened before the register existed and left no steps here."""
    problems: list[ExitProblem] = []
    if result is None:
        problems.append(ExitProblem("STANDARD", no_standard or "没有适用的已发布标准，无法核验脱贫标准"))
    else:
        problems.extend(_rule_problems(result.results))
    if check_procedure:
        problems.extend(procedure_problems(steps, notice_days=notice_days))
    return ExitDecision(tuple(problems))


def village_may_exit(*, result: VillageResult | None, no_standard: str = "") -> ExitDecision:
    """The decision for 出列: a poor village meeting every V-* rule of the exit year."""
    if result is None:
        return ExitDecision(
            (ExitProblem("STANDARD", no_standard or "没有适用的已发布标准，无法核验出列标准"),)
        )
    problems = _rule_problems(result.results)
    if not result.is_poor_village:
        problems.insert(0, ExitProblem("V-POOR", "非贫困村没有出列"))
    return ExitDecision(tuple(problems))
