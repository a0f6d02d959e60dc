"""The import lock: a live holder refuses a second import of the same township; a dead one is taken over."""

from __future__ import annotations

import subprocess
import sys

import pytest
from django.utils import timezone

from jingzhun.registry.models import Household
from jingzhun.workbook.importer import import_path
from jingzhun.workbook.lock import ImportBusy, acquire, release
from jingzhun.workbook.models import ImportLock


@pytest.mark.django_db
def test_a_second_import_of_the_same_township_is_refused(golden, system_actor):
    held = acquire(["430821102"], holder="乡镇干部 王干事", source="a.xlsx")
    try:
        result = import_path(golden("valid_utf8"), actor=system_actor, lock_wait_seconds=0)
    finally:
        release(held)
    assert len(result.errors) == 1
    assert "另一个导入正在进行：乡镇干部 王干事" in result.errors[0].message
    assert not Household.objects.exists()
    assert import_path(golden("valid_utf8"), actor=system_actor).written


@pytest.mark.django_db
def test_imports_of_other_townships_do_not_wait(golden, system_actor):
    held = acquire(["430821105"], holder="别的乡镇")
    try:
        assert import_path(golden("valid_utf8"), actor=system_actor, lock_wait_seconds=0).written
    finally:
        release(held)


@pytest.mark.django_db
def test_a_lock_left_by_a_killed_process_is_taken_over(golden, system_actor):
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    pid = int(dead.stdout)
    now = timezone.now()
    import socket

    ImportLock.objects.create(
        key="430821102",
        holder="已被终止的导入",
        host=socket.gethostname(),
        pid=pid,
        token="x" * 32,
        acquired_at=now,
        heartbeat_at=now,
    )
    result = import_path(golden("valid_utf8"), actor=system_actor, lock_wait_seconds=0)
    assert result.written, result.errors
    assert not ImportLock.objects.exists()


@pytest.mark.django_db
def test_a_lock_with_an_old_heartbeat_is_stale(golden, system_actor):
    long_ago = timezone.now() - timezone.timedelta(days=1)
    ImportLock.objects.create(
        key="430821001",
        holder="另一台机器",
        host="elsewhere",
        pid=1,
        token="y" * 32,
        acquired_at=long_ago,
        heartbeat_at=long_ago,
    )
    assert import_path(golden("valid_utf8"), actor=system_actor, lock_wait_seconds=0).written


@pytest.mark.django_db
def test_acquire_waits_then_refuses(system_actor):
    held = acquire(["430821102"], holder="甲")
    try:
        with pytest.raises(ImportBusy, match="甲"):
            acquire(["430821102", "430821001"], holder="乙", wait_seconds=0.6)
        assert list(ImportLock.objects.values_list("key", flat=True)) == [
            "430821102"
        ]  # 乙 left nothing behind
    finally:
        release(held)
