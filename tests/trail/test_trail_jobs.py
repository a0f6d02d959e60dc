"""The trail's background jobs (nightly audit verification, scheduled backup) and the 审计校验 page."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import reverse

from jingzhun.core import appendonly, audit, chain
from jingzhun.core.models import AuditEntry
from jingzhun.jobs import queue, runner
from jingzhun.jobs.models import JobStatus
from jingzhun.trail.jobs import BACKUP_KIND, VERIFY_KIND


def _write(n: int) -> None:
    with transaction.atomic():
        for i in range(n):
            audit.record(actor=None, action="test.job", object_type="t", object_id=i)


def _verify():
    return runner.run(queue.enqueue(kind=VERIFY_KIND, params={}))


def _rehash_all() -> None:
    """A forger who can drop the triggers rewrites the chain from the start."""
    with appendonly.suspended():
        prev = chain.GENESIS
        for item in AuditEntry.objects.order_by("id"):
            digest = chain.link(prev, audit.hashed_values(item))
            AuditEntry._base_manager.filter(pk=item.pk).update(prev_hash=prev, row_hash=digest)
            prev = digest


@pytest.mark.django_db
def test_the_nightly_job_verifies_and_the_next_run_checks_the_last_good_head():
    _write(3)
    first = _verify()
    assert first.status == JobStatus.SUCCEEDED and first.result["ok"] and first.result["count"] == 3
    with appendonly.suspended():
        AuditEntry._base_manager.filter(object_id="1").update(note="改")
    _rehash_all()
    second = _verify()
    assert second.result["ok"] is False
    assert second.result["anchor_job"] == first.pk
    assert second.result["broken_id"] == first.result["last_id"]
    third = _verify()  # still anchored to the last good run, not to the broken one
    assert third.result["anchor_job"] == first.pk and third.result["ok"] is False


@pytest.fixture
def page(client):
    def get(user):
        if user is not None:
            client.force_login(user)
        return client.get(reverse("trail:audit_verify"))

    return get


def test_the_page_shows_the_last_result_to_county_wide_audit_readers(page, county_admin, county_leader):
    _write(2)
    assert "尚未运行过审计校验" in page(county_leader).content.decode()
    _verify()
    for user in (county_admin, county_leader):
        body = page(user).content.decode()
        assert 'data-testid="audit-verify-ok"' in body and "校验通过" in body
        assert 'data-testid="nav-audit-verify"' in body


def test_the_page_shows_a_broken_chain_and_its_first_bad_entry(page, county_leader):
    _write(3)
    with appendonly.suspended():
        AuditEntry._base_manager.filter(object_id="2").update(object_label="改")
    bad = AuditEntry.objects.get(object_id="2", action="test.job")
    _verify()
    body = page(county_leader).content.decode()
    assert 'data-testid="audit-verify-broken"' in body and f"#{bad.pk}" in body


@pytest.mark.parametrize("who", ["township_cadre", "village_cadre", "helper_user", "other_village_cadre"])
def test_the_page_is_404_for_everyone_else(page, request, who, regions):
    _verify()
    user = request.getfixturevalue(who)
    response = page(user)
    assert response.status_code == 404
    assert 'data-testid="nav-audit-verify"' not in page(user).content.decode()


@pytest.mark.django_db
def test_the_page_sends_anonymous_visitors_to_login(page):
    response = page(None)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


@pytest.mark.django_db(transaction=True)  # a backup is taken outside any transaction, as the worker runs it
def test_the_backup_job_keeps_the_newest_n(tmp_path):
    _write(1)
    results = [
        runner.run(queue.enqueue(kind=BACKUP_KIND, params={"dir": str(tmp_path), "keep": 2}))
        for _ in range(3)
    ]
    assert all(job.status == JobStatus.SUCCEEDED for job in results), [j.error for j in results]
    kept = sorted(p.name for p in tmp_path.iterdir())
    assert kept == sorted(
        p.rsplit("/", 1)[-1] for p in (results[1].result["path"], results[2].result["path"])
    )
    assert results[2].result["removed"] == [results[0].result["path"].rsplit("/", 1)[-1]]
    (tmp_path / "notes.txt").write_text("不是备份")  # files it did not name are never removed
    runner.run(queue.enqueue(kind=BACKUP_KIND, params={"dir": str(tmp_path), "keep": 1}))
    assert (tmp_path / "notes.txt").exists() and len(list(tmp_path.iterdir())) == 2
