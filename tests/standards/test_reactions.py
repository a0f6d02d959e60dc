"""Jobs as the outbox (jobs.outbox): the registry's writes queue the standards' re-assessment as a job in
the write's own transaction; a failing re-assessment is a failed job, never a lost or a refused edit."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import transaction
from django.urls import reverse

from jingzhun.core.errors import ValidationFailed
from jingzhun.core.models import AuditEntry
from jingzhun.jobs import outbox, runner
from jingzhun.jobs.models import Job, JobStatus
from jingzhun.registry.models import Member
from jingzhun.registry.services.common import HOUSEHOLD_CHANGED, MEMBER_EDITABLE
from jingzhun.registry.services.members import member_update
from jingzhun.standards import services
from jingzhun.standards.jobs import REASSESS_HOUSEHOLD
from jingzhun.standards.models import HouseholdVerdict
from tests.factories import VILLAGE, household_row, member_row, register


def _reactions(household) -> list[Job]:
    return list(Job.objects.filter(kind=REASSESS_HOUSEHOLD, params__household_id=household.pk).order_by("id"))


def _child(household) -> Member:
    return Member.objects.get(household=household, name="张小明")


def test_standards_subscribes_to_the_registry_change_event():
    assert REASSESS_HOUSEHOLD in outbox.subscribers(HOUSEHOLD_CHANGED)


def test_a_committed_write_queues_exactly_one_reaction(standard, admin_actor):
    from jingzhun.registry.services.households import household_register

    # a household and its three members written in one transaction, outside any reactions_run()
    household = household_register(
        actor=admin_actor,
        household=household_row(None, VILLAGE),
        members=[
            member_row("张三", "户主", date(1970, 5, 1)),
            member_row("张小明", "之子", date(2006, 9, 1)),
        ],
    )
    [queued] = _reactions(household)
    assert queued.status == JobStatus.QUEUED and queued.created_by_id is None
    assert queued.params["household_id"] == household.pk
    runner.run_now(queued.pk)
    member_update(actor=admin_actor, member=_child(household), changes={"school_status": "非在校生"})
    first, second = _reactions(household)
    assert (first.status, second.status) == (JobStatus.SUCCEEDED, JobStatus.QUEUED)
    # a second write while the reaction still waits reuses it: one re-assessment reads both
    member_update(actor=admin_actor, member=_child(household), changes={"school_status": "初中"})
    assert [j.pk for j in _reactions(household)] == [first.pk, second.pk]


def test_a_rolled_back_write_queues_nothing(standard, admin_actor):
    household = register(admin_actor)
    Job.objects.all().delete()  # the registration's own reaction
    with pytest.raises(RuntimeError), transaction.atomic():
        member_update(actor=admin_actor, member=_child(household), changes={"school_status": "非在校生"})
        raise RuntimeError("the caller's transaction fails after the write")
    with pytest.raises(ValidationFailed):  # a write the service refuses
        member_update(actor=admin_actor, member=_child(household), changes={"school_status": "读博士"})
    assert not Job.objects.exists()
    assert _child(household).school_status == "初中"


def test_publishing_outside_the_write_transaction_is_refused(db):
    with pytest.raises(RuntimeError, match="outside the write's transaction"):
        outbox.publish(HOUSEHOLD_CHANGED, {"household_id": 1}, key="1")


def test_the_reaction_runs_when_the_write_committed_and_the_verdict_is_fresh(standard, admin_actor):
    household = register(admin_actor)
    services.assess(year=2018)
    with runner.reactions_run():
        member_update(actor=admin_actor, member=_child(household), changes={"school_status": "非在校生"})
        assert HouseholdVerdict.objects.get(household=household, year=2018).passed  # not yet: inside
    verdict = HouseholdVerdict.objects.get(household=household, year=2018)
    assert (verdict.passed, verdict.failed) == (False, "H-EDUCATION")
    assert _reactions(household)[-1].status == JobStatus.SUCCEEDED


def test_a_failing_reaction_is_a_failed_job_and_the_write_stays(standard, admin_actor, monkeypatch):
    household = register(admin_actor)
    services.assess(year=2018)

    def broken(household_id: int) -> None:
        raise RuntimeError("评估引擎出错")

    monkeypatch.setattr("jingzhun.standards.jobs.reassess_household", broken)
    with runner.reactions_run():
        member_update(actor=admin_actor, member=_child(household), changes={"school_status": "非在校生"})
    failed = _reactions(household)[-1]
    assert failed.status == JobStatus.FAILED and "评估引擎出错" in failed.error
    assert _child(household).school_status == "非在校生"  # the edit and its audit row stay
    assert AuditEntry.objects.filter(action="member.update", object_id=str(_child(household).pk)).exists()
    assert HouseholdVerdict.objects.get(household=household, year=2018).passed  # stale until retried

    monkeypatch.undo()
    runner.retry(failed)
    assert Job.objects.get(pk=failed.pk).status == JobStatus.QUEUED
    done = runner.run_now(failed.pk)
    assert done is not None and done.status == JobStatus.SUCCEEDED
    assert HouseholdVerdict.objects.get(household=household, year=2018).failed == "H-EDUCATION"
    with pytest.raises(runner.NotRetryable):
        runner.retry(done)


def _member_form(member: Member) -> dict[str, str]:
    data = {}
    for name in MEMBER_EDITABLE:
        value = getattr(member, name)
        if value is not None:
            data[name] = {True: "是", False: "否"}[value] if isinstance(value, bool) else str(value)
    data["version"] = str(member.version)
    return data


def test_the_household_list_shows_the_fresh_verdict_right_after_a_save(standard, client, county_admin):
    from jingzhun.accounts.access import actor_for

    household = register(actor_for(county_admin))
    services.assess(year=2018)
    client.force_login(county_admin)
    failing = reverse("registry:household_list") + "?failing=H-EDUCATION"
    assert household.code not in client.get(failing).content.decode()
    child = _child(household)
    response = client.post(
        reverse("registry:member_edit", args=[child.pk]), {**_member_form(child), "school_status": "非在校生"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert household.code in client.get(failing).content.decode()
    assert _reactions(household)[-1].status == JobStatus.SUCCEEDED


def _failed_reaction(admin_actor, monkeypatch) -> tuple[Job, object]:
    household = register(admin_actor)
    services.assess(year=2018)
    monkeypatch.setattr("jingzhun.standards.jobs.reassess_household", _broken)
    member_update(actor=admin_actor, member=_child(household), changes={"school_status": "非在校生"})
    job = _reactions(household)[-1]
    runner.run_now(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    return job, household


def _broken(household_id: int) -> None:
    raise RuntimeError("评估引擎出错")


def test_a_failed_reaction_is_on_its_job_page_and_retried_there(standard, client, county_admin, monkeypatch):
    from jingzhun.accounts.access import actor_for

    job, household = _failed_reaction(actor_for(county_admin), monkeypatch)
    client.force_login(county_admin)
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert 'data-testid="job-failed"' in page and "评估引擎出错" in page and 'data-testid="job-retry"' in page
    monkeypatch.undo()
    response = client.post(reverse("jobs:retry", args=[job.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=[job.pk])
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert HouseholdVerdict.objects.get(household=household, year=2018).failed == "H-EDUCATION"
    page = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert 'data-testid="job-retry"' not in page
    assert client.post(reverse("jobs:retry", args=[job.pk])).status_code == 302  # refused: not failed
    assert Job.objects.get(pk=job.pk).status == JobStatus.SUCCEEDED


def test_the_cli_lists_failed_reactions_and_retries_one(standard, admin_actor, monkeypatch, capsys):
    from jingzhun.cli import main

    job, household = _failed_reaction(admin_actor, monkeypatch)
    assert main(["jobs", "failed"]) == 0
    assert f"#{job.pk}\treassess_household" in capsys.readouterr().out
    monkeypatch.undo()
    assert main(["jobs", "retry", str(job.pk)]) == 0
    assert Job.objects.get(pk=job.pk).status == JobStatus.SUCCEEDED
    assert HouseholdVerdict.objects.get(household=household, year=2018).failed == "H-EDUCATION"
    assert main(["jobs", "retry", str(job.pk)]) == 1
