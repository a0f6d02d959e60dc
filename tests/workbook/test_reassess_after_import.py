"""An import changes verdicts: its reaction job (jobs.outbox) re-assesses the current year, run by the CLI
import right after the import committed, so county pages stay true."""

from __future__ import annotations

import pytest

from jingzhun.registry.models import Household
from jingzhun.standards.defaults import ensure_defaults
from jingzhun.standards.models import HouseholdVerdict
from jingzhun.workbook.commands import run_import

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_assesses_the_imported_households(regions, golden):
    ensure_defaults()
    assert (
        run_import(path=golden("valid_utf8"), dry_run=False, username=None, errors_out=None, progress=None)
        == 0
    )
    imported = set(Household.objects.values_list("id", flat=True))
    assessed = set(HouseholdVerdict.objects.values_list("household_id", flat=True))
    assert imported and imported == assessed
    [reaction] = _reactions()  # the re-assessment was the import's reaction job, run by the command
    assert reaction.status == "succeeded" and reaction.result["year"]


def _reactions():
    from jingzhun.jobs.models import Job
    from jingzhun.standards.jobs import REASSESS_IMPORT

    return list(Job.objects.filter(kind=REASSESS_IMPORT).order_by("id"))


def test_an_import_queues_one_reassessment_in_its_transaction_and_a_refused_one_none(regions, golden):
    from jingzhun.jobs.models import JobStatus
    from jingzhun.workbook.commands import county_actor
    from jingzhun.workbook.importer import import_path

    ensure_defaults()
    actor = county_actor()
    assert not import_path(golden("duplicate_ids"), actor=actor).ok
    assert not import_path(golden("valid_utf8"), actor=actor, dry_run=True).written
    assert _reactions() == []  # nothing written, nothing to react to
    assert import_path(golden("valid_utf8"), actor=actor).written  # outside reactions_run: left queued
    [queued] = _reactions()
    assert queued.status == JobStatus.QUEUED and queued.params["prefixes"] == list(actor.prefixes)
    assert not HouseholdVerdict.objects.exists()


def test_a_failing_reassessment_leaves_the_import_written_and_its_job_failed(
    regions, golden, monkeypatch, capsys
):
    from jingzhun.jobs.models import JobStatus

    ensure_defaults()

    def broken(**kwargs):
        raise RuntimeError("评估引擎出错")

    monkeypatch.setattr("jingzhun.standards.jobs.reassess_imported", broken)
    code = run_import(path=golden("valid_utf8"), dry_run=False, username=None, errors_out=None, progress=None)
    assert code == 0 and Household.objects.exists()
    [failed] = _reactions()
    assert failed.status == JobStatus.FAILED and "评估引擎出错" in failed.error
    assert f"后续任务 #{failed.pk} 失败" in capsys.readouterr().err
