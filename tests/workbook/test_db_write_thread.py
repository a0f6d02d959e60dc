"""Writing while reading (`workbook.db_write_thread`): on PostgreSQL an import called outside a transaction stores
new households' members, incomes and events while it still reads the 成员 sheet, in one transaction that
commits only when the whole file and the registry checks passed. These tests run on both databases: on
SQLite the same imports take the one-transaction path, and must give the same registry."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

import pytest
from django.db import IntegrityError, connection

from jingzhun.core.models import AuditEntry
from jingzhun.core.verify import verify_database
from jingzhun.jobs.models import Job
from jingzhun.registry.models import Household, HouseholdEvent, IncomeRecord, Member
from jingzhun.workbook import db_write_thread, importer
from jingzhun.workbook.db_bulk import Table
from jingzhun.workbook.db_write_thread import WriteThread
from jingzhun.workbook.models import ImportLock
from tests.factories import member_row, register
from tests.workbook.conftest import messages

pytestmark = pytest.mark.django_db(transaction=True)

# The thread's tests use the audit table as any table: their rows are not links of the chain (core.chain),
# so they carry placeholder hashes (the columns are NOT NULL without a default: an insert must name them).
AUDIT = (
    "at",
    "actor_name",
    "action",
    "object_type",
    "object_id",
    "object_label",
    "note",
    "prev_hash",
    "row_hash",
)


@pytest.fixture
def threads(monkeypatch):
    """The write threads the importer starts; streamed rows go over in batches of two (the golden files
    are small), so they reach the database before the file's last rows are read."""

    monkeypatch.setattr(db_write_thread, "BATCH", 2)
    started: list[WriteThread] = []

    class Spy(WriteThread):
        def __init__(self) -> None:
            super().__init__()
            started.append(self)

    monkeypatch.setattr(importer, "WriteThread", Spy)
    return started


def _audit_row(n: int) -> tuple:
    from django.utils import timezone

    return (timezone.now(), "系统", "test.stream", "thing", str(n), f"第{n}个", "", "-", "-")


def _counts() -> tuple[int, ...]:
    return (
        Household.objects.count(),
        Member.objects.count(),
        IncomeRecord.objects.count(),
        HouseholdEvent.objects.count(),
        AuditEntry.objects.count(),
    )


def _edit(folder: str, name: str, old: str, new: str) -> None:
    path = Path(folder) / f"{name}.csv"
    text = path.read_text(encoding="utf-8-sig")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8-sig")


# --- the thread -----------------------------------------------------------------------------------


def test_jobs_and_streams_run_in_order_on_their_own_connection_and_commit_at_finish():
    thread = WriteThread()
    table = Table(AuditEntry, AUDIT)
    ran: list[str] = []
    thread.submit(lambda: ran.append(threading.current_thread().name))
    rows = thread.stream(table)
    for n in range(12_345):  # more than the queue holds in flight
        rows.add(_audit_row(n))
    thread.submit(lambda: ran.append(str(AuditEntry.objects.filter(action="test.stream").count())))
    thread.finish(commit=True)
    assert ran == ["jingzhun-import-writer", "12345"]  # the second job saw the streamed rows
    assert AuditEntry.objects.filter(action="test.stream").count() == 12_345


def test_finish_without_commit_rolls_everything_back():
    thread = WriteThread()
    rows = thread.stream(Table(AuditEntry, AUDIT))
    for n in range(7_000):
        rows.add(_audit_row(n))
    thread.finish(commit=False)
    assert not AuditEntry.objects.filter(action="test.stream").exists()
    assert not thread._thread.is_alive()


def test_a_failing_job_is_raised_at_finish_and_later_rows_are_dropped_without_waiting():
    thread = WriteThread()
    thread.submit(lambda: Table(AuditEntry, AUDIT).insert([_audit_row(1)]))

    def fail() -> None:
        raise RuntimeError("磁盘已满")

    thread.submit(fail)
    rows = thread.stream(Table(AuditEntry, AUDIT))
    assert thread.failed.wait(10)
    for n in range(100_000):  # twice what the queue could hold: must not block
        rows.add(_audit_row(n))
    with pytest.raises(RuntimeError, match="磁盘已满"):
        thread.finish(commit=True)
    assert not AuditEntry.objects.filter(action="test.stream").exists()  # the first job's row too


# --- the importer ---------------------------------------------------------------------------------


def test_an_import_outside_a_transaction_streams_on_postgresql_and_stores_the_file(
    golden, system_actor, threads
):
    job = Job.objects.create(kind="registry_import")
    result = importer.import_path(golden("valid_utf8"), actor=system_actor, job=job)
    assert result.ok and result.written, result.errors
    assert len(threads) == (1 if connection.vendor == "postgresql" else 0)
    assert (result.households_new, result.members_new) == (2, 4)
    first, second = Household.objects.order_by("code")
    assert (first.code, first.member_count, first.head_initials) == ("G0001", 3, "xgq")
    assert (second.code, second.member_count) == ("G0002", 1)
    assert list(first.members.order_by("id").values_list("name", flat=True)) == ["向国强", "李秀兰", "向小明"]
    assert first.members.get(name="向国强").birth_date == date(1968, 4, 12)
    assert str(first.incomes.get(year=2018).wage) == "12000.50"
    assert HouseholdEvent.objects.get(household=second).occurred_on == date(2015, 1, 1)
    created = AuditEntry.objects.filter(action="import.create", job_id=job.pk)
    assert sorted(created.values_list("household_id", flat=True)) == [first.pk, second.pk]
    assert created.get(household_id=first.pk).after["member_count"] == 3
    assert first.created_at == first.members.first().created_at == created.first().at  # one timestamp
    assert not ImportLock.objects.exists()
    assert not any(t._thread.is_alive() for t in threads)
    # the import's entries, written on the write thread's connection, extend the audit chain unbroken
    reimport = importer.import_path(golden("valid_utf8"), actor=system_actor)
    assert reimport.written
    verdict = verify_database()
    assert verdict.ok and verdict.count == AuditEntry.objects.count(), verdict.message


def test_an_error_found_after_rows_were_streamed_writes_nothing(golden, system_actor, threads):
    folder = golden("valid_utf8")
    _edit(
        folder, "成员", "田桂英,432428195511302127,户主,女", "田桂英,432428195511302127,户主,男"
    )  # last row
    before = _counts()
    result = importer.import_path(folder, actor=system_actor)
    assert not result.written and result.total_errors == 1, result.errors
    assert _counts() == before
    assert not ImportLock.objects.exists()
    assert not any(t._thread.is_alive() for t in threads)


def test_a_person_active_in_another_household_is_reported_and_nothing_is_written(
    golden, system_actor, admin_actor, threads
):
    """On PostgreSQL the streamed member may also break the one-active-household index (whether the COPY
    got that far first is a matter of timing): the report carries the registry check's own message."""
    register(
        admin_actor,
        code="H9",
        members=[member_row("李秀兰", "户主", date(1970, 9, 3), male=False, id_number="432428197009031420")],
    )
    before = _counts()
    result = importer.import_path(golden("valid_utf8"), actor=system_actor)
    assert not result.written
    assert any("已是 H9 户的在册成员" in m for m in messages(result)), messages(result)
    assert _counts() == before


def test_a_conflict_raised_on_the_write_thread_becomes_an_error(golden, system_actor, monkeypatch, threads):
    from jingzhun.workbook import db_writer

    def conflict(self, ids):
        raise IntegrityError('duplicate key value violates unique constraint "registry_household_code_key"')

    def conflict_sequential(self):
        raise IntegrityError("UNIQUE constraint failed: registry_household.code")

    monkeypatch.setattr(db_writer.Writer, "insert_households_with_ids", conflict)
    monkeypatch.setattr(db_writer.Writer, "insert_new", conflict_sequential)
    result = importer.import_path(golden("valid_utf8"), actor=system_actor)
    assert not result.written
    assert "未写入任何数据" in result.errors[0].message
    assert (
        not Household.objects.exists() and not Member.objects.exists() and not IncomeRecord.objects.exists()
    )


def test_a_reimport_with_new_and_changed_households_streams_only_the_new_ones(golden, system_actor, threads):
    folder = golden("valid_utf8")
    assert importer.import_path(folder, actor=system_actor).written
    _edit(folder, "户", "3组", "5组")
    with (Path(folder) / "户.csv").open("a", encoding="utf-8") as out:
        out.write(
            "G0003,430821102204,1组,向华,432428198001011235,,国家标准,一般贫困户,因病,,2016,未脱贫,,2019,2018,0,0,0,0,0,是,是,是,A,否\n"
        )
    with (Path(folder) / "成员.csv").open("a", encoding="utf-8") as out:
        out.write(
            "G0003,向华,432428198001011235,户主,男,汉族,,初中,非在校生,,健康,普通劳动力,,是,是,是,否,否\n"
        )
    job = Job.objects.create(kind="registry_import")
    result = importer.import_path(folder, actor=system_actor, job=job)
    assert result.written, result.errors
    assert (result.households_new, result.households_updated, result.households_unchanged) == (1, 1, 1)
    assert Household.objects.get(code="G0001").group_name == "5组"
    new = Household.objects.get(code="G0003")
    assert (new.member_count, new.members.get().name) == (1, "向华")
    assert AuditEntry.objects.filter(
        job_id=job.pk, action="import.update", household_id=Household.objects.get(code="G0001").pk
    ).exists()
    assert Member.objects.count() == 5


def test_a_dry_run_never_starts_writing(golden, system_actor, threads):
    result = importer.import_path(golden("valid_utf8"), actor=system_actor, dry_run=True)
    assert result.ok and not result.written
    assert threads == [] and not Household.objects.exists()


def test_rolling_back_while_the_queue_is_full_does_not_hang(monkeypatch):
    """An error found while the COPY lags behind the reading (queue full, a part batch pending): finish
    must return, and nothing is kept."""
    import time

    monkeypatch.setattr(db_write_thread, "BATCH", 10)
    thread = WriteThread()
    gate = threading.Event()
    thread.submit(gate.wait)  # the writer is busy: nothing is read from the queue yet
    rows = thread.stream(Table(AuditEntry, AUDIT))
    filler = threading.Thread(
        target=lambda: [rows.add(_audit_row(n)) for n in range(10 * 12 + 3)], daemon=True
    )
    filler.start()
    time.sleep(0.5)  # 8 batches queued, the filler waits for room
    finisher = threading.Thread(target=thread.finish, kwargs={"commit": False}, daemon=True)
    finisher.start()
    time.sleep(0.2)
    gate.set()
    finisher.join(10)
    filler.join(10)
    assert not finisher.is_alive() and not filler.is_alive()
    assert not thread._thread.is_alive()
    assert not AuditEntry.objects.filter(action="test.stream").exists()


def test_interrupting_the_wait_for_the_commit_calls_the_commit_off():
    """Ctrl-C while finish(commit=True) waits: the writer must not commit behind the caller's back (its lock
    is about to be released)."""
    import time

    thread = WriteThread()
    thread.submit(lambda: Table(AuditEntry, AUDIT).insert([_audit_row(1)]))

    def slow_last_step() -> None:
        thread.report(1, 2, "写入户")
        time.sleep(1.0)

    thread.submit(slow_last_step)

    def interrupted(done: int, total: int, message: str) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        thread.finish(commit=True, progress=interrupted)
    assert not thread._thread.is_alive() and not thread.committed
    assert not AuditEntry.objects.filter(action="test.stream").exists()


def test_a_progress_row_that_cannot_be_written_never_makes_the_report_lie(golden, system_actor, threads):
    """Whether or not a failing progress callback stops the import, `written` says what the database holds,
    and the lock is gone only after the transaction ended."""
    from django.db import OperationalError

    def progress(done: int, total: int, message: str) -> None:
        if message == "写入户":
            raise OperationalError("server closed the connection unexpectedly")

    result = importer.import_path(golden("valid_utf8"), actor=system_actor, progress=progress)
    assert result.written == Household.objects.exists()
    if connection.vendor == "postgresql":  # the writer thread reports through the waiting thread
        assert result.written and Household.objects.count() == 2
    assert not ImportLock.objects.exists()


def test_a_large_copy_in_a_streamed_transaction_leaves_its_analyze_for_after_the_commit():
    """ANALYZE inside the long streamed transaction would hold its lock until the commit (blocking another
    township's import and autovacuum): the table is only noted."""
    later: set[str] = set()
    Table(AuditEntry, AUDIT, analyze_later=later).insert(_audit_row(n) for n in range(2000))
    assert later == ({'"core_auditentry"'} if connection.vendor == "postgresql" else set())


def test_the_exit_check_of_a_streamed_import_runs_in_its_transaction(golden, system_actor, threads):
    """G0001 changed to 已脱贫 without safe water or any exit step, while a new household streams: the
    warning and the 疑似错退 board row are written by the write thread, in the import's transaction."""
    from jingzhun.standards.defaults import ensure_defaults
    from jingzhun.standards.loading import clear_cache
    from jingzhun.standards.models import ExitException

    clear_cache()
    ensure_defaults()
    folder = golden("valid_utf8")
    assert importer.import_path(folder, actor=system_actor).written
    _edit(folder, "户", ",未脱贫,,2018,2018,", ",已脱贫,2018,2018,2018,")
    _edit(folder, "户", "是,是,是,B,否", "是,是,否,B,否")
    with (Path(folder) / "户.csv").open("a", encoding="utf-8") as out:
        out.write(
            "G0003,430821102204,1组,向华,432428198001011235,,国家标准,一般贫困户,因病,,2016,未脱贫,,2019,2018,0,0,0,0,0,是,是,是,A,否\n"
        )
    with (Path(folder) / "成员.csv").open("a", encoding="utf-8") as out:
        out.write(
            "G0003,向华,432428198001011235,户主,男,汉族,,初中,非在校生,,健康,普通劳动力,,是,是,是,否,否\n"
        )
    first_import_threads = len(threads)
    result = importer.import_path(folder, actor=system_actor)
    assert result.written, result.errors
    assert len(threads) - first_import_threads == (1 if connection.vendor == "postgresql" else 0)
    warning = next(w for w in result.warnings if w.column == "脱贫状态")
    assert warning.message.startswith("不能标注脱贫：饮水安全有保障未达标")
    row = ExitException.objects.get()
    assert (row.household.code, row.source, row.year) == ("G0001", "import", 2018)
    assert AuditEntry.objects.filter(
        action="standards.exit_exception.import", household_id=row.household_id
    ).exists()
