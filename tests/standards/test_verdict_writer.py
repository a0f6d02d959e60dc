"""One writer of verdicts (standards/verdicts.py) and 剩余贫困 / 出列 as rules (rules/exits.py)."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from jingzhun.rules import exits
from jingzhun.standards import reports
from jingzhun.standards.models import HouseholdVerdict

SRC = Path(__file__).resolve().parents[2] / "src" / "jingzhun"
# the writer, and the SQL engine's own statements that it calls (INSERT … SELECT of the compiled rules,
# the parallel runner's copy)
WRITERS = {"standards/verdicts.py", "engines/sql/compiler.py", "engines/sql/sqlite_parallel.py"}
ORM_WRITE = re.compile(
    r"HouseholdVerdict\.objects[^\n]*?\.(create|bulk_create|update|update_or_create|get_or_create|delete)\("
)
SQL_WRITE = re.compile(
    r"(INSERT INTO|DELETE FROM|UPDATE) \{?(compiler\.)?VERDICT_TABLE|standards_householdverdict", re.I
)


def test_only_the_writer_writes_verdicts():
    offenders = []
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC).as_posix()
        if "/migrations/" in rel or rel in WRITERS:
            continue
        text = path.read_text(encoding="utf-8")
        if ORM_WRITE.search(text) or SQL_WRITE.search(text):
            offenders.append(rel)
        for call in ("store_verdicts(", "store_county_verdicts("):
            if call in text:
                offenders.append(f"{rel} calls {call}")
    assert offenders == []


def test_the_writer_is_the_only_caller_of_the_engines_store_functions():
    text = (SRC / "standards" / "verdicts.py").read_text(encoding="utf-8")
    assert "compiler.store_verdicts(" in text and "sqlite_parallel.store_county_verdicts(" in text


YEAR = 2018
GRID = list(
    itertools.product(("未脱贫", "返贫", "已脱贫"), (None, YEAR - 1, YEAR, YEAR + 1), (True, False), (1, 2))
)


@pytest.mark.django_db
def test_remaining_q_over_stored_verdicts_agrees_with_the_rule():
    """reports.remaining_q (a filter over stored verdicts) answers what rules.exits.remaining_poor does,
    on every combination of 脱贫状态, 预脱贫年度 (empty, before, in, after the year) and 达标."""
    stamp = datetime(2018, 12, 1, tzinfo=UTC)
    HouseholdVerdict.objects.bulk_create(
        HouseholdVerdict(
            household_id=i + 1, year=YEAR, standard_id=1, village_code="430821102204", exit_status=status,
            planned_exit_year=planned, people=people, net_income_cents=None, passed=passed, failed="",
            missing="", suspected_wrong_exit=False, assessed_at=stamp,
        )
        for i, (status, planned, passed, people) in enumerate(GRID)
    )  # fmt: skip
    by_filter = set(
        HouseholdVerdict.objects.filter(reports.remaining_q(YEAR)).values_list("household_id", flat=True)
    )
    by_rule = {
        i + 1
        for i, (status, planned, passed, _) in enumerate(GRID)
        if exits.remaining_poor(exit_status=status, planned_exit_year=planned, passed=passed, year=YEAR)
    }
    assert by_filter == by_rule
    assert len(by_rule) == 24  # 2 poor statuses × 2 sizes × (8 − the 2 planned by the year and 达标)
    # and the sum the village pages show
    people = HouseholdVerdict.objects.filter(reports.remaining_q(YEAR)).values_list("people", flat=True)
    assert sum(people) == sum(GRID[i - 1][3] for i in by_rule)


@pytest.mark.parametrize(
    ("state", "exit_year", "planned", "passed", "expected"),
    [
        ("已出列", None, None, False, True),  # marked, no year: counts
        ("已出列", 2018, None, False, True),
        ("已出列", 2019, None, False, False),  # marked for a later year
        ("未出列", None, 2018, True, True),  # planned by the year and meeting the standard
        ("未出列", None, 2018, False, False),
        ("未出列", None, 2019, True, False),
        ("未出列", None, None, True, False),
        ("", None, None, True, False),
    ],
)
def test_village_exited(state, exit_year, planned, passed, expected):
    assert (
        exits.village_exited(
            exit_state=state, exit_year=exit_year, planned_exit_year=planned, passed=passed, year=2018
        )
        is expected
    )
