"""The one writer of stored verdicts (HouseholdVerdict, 户评估结果). Every write of the verdict table goes
through this module: a county run, a region run and the re-assessment of one household after an edit.
The engines decide (engines.sql renders the set-based INSERT … SELECT of its compiled rules, and the
SQLite parallel runner copies its scratch files; engines.python answers for one household); only this
module asks them to store, and a test (tests/standards/test_verdict_writer.py) fails on any other writer.

Each row says: (year, standard, household) → passed, failed and missing rule codes, people, net income in
cents, 疑似错退, and the household's village, 脱贫状态 and 预脱贫年度 at the time (for set-based reports)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from jingzhun.engines.python.household import HouseholdResult
from jingzhun.engines.sql import compiler, sqlite_parallel
from jingzhun.registry import enums
from jingzhun.registry.models import Household
from jingzhun.rules.spec import StandardSpec
from jingzhun.standards.models import HouseholdVerdict

CHUNK = 100_000
ProgressFn = Callable[..., Any]


def store_region(*, spec: StandardSpec, year: int, prefix: str) -> int:
    """The verdicts of one region subtree, in one transaction (set-based, the SQL engine)."""
    with transaction.atomic():
        return compiler.store_verdicts(spec=spec, year=year, scope=compiler.Scope.region(prefix))


def store_county(*, spec: StandardSpec, year: int, progress: ProgressFn | None) -> int:
    """Every household on the register. On SQLite outside a transaction, on every core
    (engines/sql/sqlite_parallel.py); otherwise in id chunks on this connection, each its own transaction."""
    bounds = Household.objects.aggregate(m=Max("id"))["m"] or 0
    total = Household.objects.filter(registry_status=enums.RegistryStatus.ACTIVE).count()
    if sqlite_parallel.available():
        return sqlite_parallel.store_county_verdicts(
            spec=spec, year=year, stamp=timezone.now(), low=0, high=bounds + 1, total=total, progress=progress
        )
    written = 0
    for low in range(0, bounds + 1, CHUNK):
        with transaction.atomic():
            written += compiler.store_verdicts(
                spec=spec, year=year, scope=compiler.Scope.id_range(low, low + CHUNK)
            )
        if progress:
            progress(written, total, f"已评估 {written} 户")
    with connection.cursor() as cursor:  # households removed from the register since the last run
        cursor.execute(
            f"DELETE FROM {compiler.VERDICT_TABLE} WHERE year = %s AND standard_id = %s AND household_id > %s",
            [year, spec.id, bounds],
        )
    return written


def store_household(*, household: Household, year: int, standard_id: int, result: HouseholdResult) -> None:
    """One household's verdict of (year, standard), from the Python engine's result (the page path)."""
    HouseholdVerdict.objects.update_or_create(
        year=year,
        standard_id=standard_id,
        household_id=household.pk,
        defaults={
            "village_code": household.village_id,
            "exit_status": household.exit_status,
            "planned_exit_year": household.planned_exit_year,
            "people": result.people,
            "net_income_cents": result.net_income_cents,
            "passed": result.passed,
            "failed": ";".join(result.failed_codes),
            "missing": ";".join(result.missing_codes),
            "suspected_wrong_exit": result.suspected_wrong_exit,
            "assessed_at": timezone.now(),
        },
    )


def remove_household(*, household_id: int, year: int, standard_id: int) -> None:
    """A household off the register (or gone) has no verdict of (year, standard)."""
    HouseholdVerdict.objects.filter(year=year, standard_id=standard_id, household_id=household_id).delete()
