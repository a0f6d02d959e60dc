"""Two concurrent edits that deadlocked on PostgreSQL (issue 15, risk noted at the merge): the audit chain's
advisory lock is held from a service's first audit row until commit, so a service that locked a row after
its audit row could wait for an edit that itself waits for the chain.

  A: 注销 → locks the household, saves its first member and writes its audit row (chain lock), then saves
     the next member
  B: an edit of that next member → locks the member row, then its audit row waits for the chain
  A now waits for B's member row, B for A's chain lock: deadlock (PostgreSQL aborts one of them; this
  test fails so without the fix).

Every registry write now locks the household first, then its members, then the chain
(lock_household_first), so B queues behind A. Each edit runs in its own thread, on its own connection.
On SQLite a writer holds the database's write lock from BEGIN IMMEDIATE, so the two queue anyway.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections

from jingzhun.accounts.access import actor_for
from jingzhun.core import audit
from jingzhun.registry import enums
from jingzhun.registry.models import Household
from jingzhun.registry.services.events import household_cancel
from jingzhun.registry.services.members import member_update
from tests.factories import register

PAUSE = 1.5  # longer than PostgreSQL's deadlock_timeout (1 s), so a deadlock would be detected and raised


def _run_pair(first, second, pause_after_action: str):
    """Run `first` in a thread that pauses after its audit row `pause_after_action` (holding the chain
    lock), and `second` once `first` holds it. Return the errors each raised (None when it succeeded)."""
    holding = threading.Event()
    original = audit.record
    errors: dict[str, BaseException | None] = {}

    def record(**kwargs):
        item = original(**kwargs)
        if threading.current_thread().name == "first" and kwargs["action"] == pause_after_action:
            holding.set()
            time.sleep(PAUSE)  # the other edit starts meanwhile
        return item

    first_done = threading.Event()

    def run(name: str, fn, wait: bool) -> None:
        try:
            if wait:
                assert holding.wait(30)
                if connection.vendor == "sqlite":
                    # SQLite writers queue at BEGIN IMMEDIATE; the in-memory test database answers a
                    # second writer "table is locked" at once instead of waiting, so wait here for it
                    assert first_done.wait(30)
            fn()
            errors[name] = None
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors[name] = exc
        finally:
            if name == "first":
                first_done.set()
            connections.close_all()

    audit.record = record  # type: ignore[assignment]
    try:
        threads = [
            threading.Thread(target=run, args=("first", first, False), name="first"),
            threading.Thread(target=run, args=("second", second, True), name="second"),
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert not any(t.is_alive() for t in threads), "the two edits are still waiting for each other"
    finally:
        audit.record = original  # type: ignore[assignment]
    return errors


@pytest.mark.django_db(transaction=True)
def test_cancelling_a_household_while_a_member_is_edited_does_not_deadlock(county_admin):
    """注销 saves member after member with an audit row between them; an edit of the second member that
    started meanwhile waited for the chain while 注销 waited for that member's row."""
    admin = actor_for(county_admin)
    household = register(admin)
    spouse = household.members.get(relation="配偶")

    errors = _run_pair(
        lambda: household_cancel(actor=admin, household=household, reason="全户迁出"),
        lambda: member_update(actor=admin, member=spouse, changes={"work_months": 6}),
        pause_after_action="member.remove",
    )
    assert errors["first"] is None, errors
    # the edit queued behind 注销 and then found the member gone: a clear refusal, not a deadlock
    second = errors["second"]
    assert second is None or "已减少" in str(second), repr(second)
    assert Household.objects.get(pk=household.pk).registry_status == enums.RegistryStatus.CANCELLED
