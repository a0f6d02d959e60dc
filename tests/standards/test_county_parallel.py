"""The whole-county run on SQLite's worker threads (standards/sqlite_parallel.py) writes exactly the verdicts
of the one-connection path, keeps newer verdicts written during the run, and drops households that left."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from jingzhun.demo.generate import generate_to_path
from jingzhun.engines.sql import sqlite_parallel
from jingzhun.registry.models import Household
from jingzhun.standards import services
from jingzhun.standards.defaults import ensure_defaults
from jingzhun.standards.loading import clear_cache
from jingzhun.standards.models import HouseholdVerdict
from jingzhun.workbook.commands import county_actor
from jingzhun.workbook.importer import import_path

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.sqlite_only,  # the worker-thread run is SQLite's; PostgreSQL runs one statement per chunk
]

FIELDS = (
    "household_id",
    "village_code",
    "exit_status",
    "planned_exit_year",
    "people",
    "net_income_cents",
    "passed",
    "failed",
    "missing",
    "suspected_wrong_exit",
)


def _verdicts() -> list[tuple]:
    return list(HouseholdVerdict.objects.filter(year=2018).order_by("household_id").values_list(*FIELDS))


@pytest.fixture
def county(regions, tmp_path):
    clear_cache()
    ensure_defaults()
    generate_to_path(str(tmp_path / "county"), households=400, seed=3, year=2018)
    result = import_path(str(tmp_path / "county"), actor=county_actor())
    assert result.ok and result.written
    return Household.objects.count()


def test_worker_threads_write_the_same_verdicts_as_one_connection(county, monkeypatch):
    monkeypatch.setattr(sqlite_parallel, "CHUNK", 37)  # many statements per worker, parts of unequal size
    monkeypatch.setattr(sqlite_parallel, "available", lambda: False)
    serial = services.assess(year=2018)
    expected = _verdicts()
    assert serial.households == county == len(expected)
    assert {v[6] for v in expected} == {True, False}  # both outcomes are present
    HouseholdVerdict.objects.all().delete()

    monkeypatch.undo()
    monkeypatch.setattr(sqlite_parallel, "CHUNK", 37)
    assert sqlite_parallel.available()
    calls: list[tuple[int, int]] = []
    parallel = services.assess(year=2018, progress=lambda done, total, _msg: calls.append((done, total)))
    assert parallel.households == county
    assert _verdicts() == expected
    assert calls[-1] == (county, county)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)

    again = services.assess(year=2018)  # a re-run rewrites in place
    assert again.households == county
    assert _verdicts() == expected


def test_a_newer_verdict_is_kept_and_households_that_left_are_dropped(county):
    assert sqlite_parallel.available()
    services.assess(year=2018)
    first, leaving = Household.objects.order_by("id")[:2]
    later = timezone.now() + timedelta(hours=1)
    # as if a cadre's edit re-assessed `first` while the run was going
    HouseholdVerdict.objects.filter(household=first).update(assessed_at=later, failed="EDITED")
    Household.objects.filter(pk=leaving.pk).update(registry_status="已注销")
    run = services.assess(year=2018)
    assert run.households == county - 1
    kept = HouseholdVerdict.objects.get(household=first, year=2018)
    assert (kept.failed, kept.assessed_at) == ("EDITED", later)
    assert not HouseholdVerdict.objects.filter(household=leaving).exists()


def test_a_failing_worker_raises_and_leaves_the_verdicts_as_they_were(county, monkeypatch):
    services.assess(year=2018)
    before = _verdicts()

    def broken(*args, **kwargs):
        return [("INSERT INTO scratch.v SELECT * FROM no_such_table", [])]

    monkeypatch.setattr(sqlite_parallel, "_statements", broken)
    with pytest.raises(Exception, match="no_such_table"):
        services.assess(year=2018)
    assert _verdicts() == before
