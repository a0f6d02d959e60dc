"""A big departmental import checked by worker processes (`verification.dataset_workers`), when it goes
wrong: a bad row in one worker's sheet after another worker's rows were already copied in, a worker that
dies, an interrupted import. Nothing is written, and on SQLite no scratch file (each worker stores its
rows in one of its own, `dataset_writer.RecordWriter.absorb` copies it in) is left behind, none stays
attached to the connection, and the foreign keys are on again."""

from __future__ import annotations

import multiprocessing
import os
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.db import connection

from jingzhun.verification import dataset_workers, importer
from jingzhun.verification.dataset_writer import SCRATCH_PREFIX, RecordWriter
from jingzhun.verification.importer import import_datasets
from jingzhun.verification.models import Dataset, DatasetRecord
from tests.verification.helpers import write_dataset

pytestmark = pytest.mark.django_db(transaction=True)  # the import's own transaction, foreign keys off
ID1 = "430821197005010012"
ID2 = "430821197203090029"
SQLITE = connection.vendor == "sqlite"


@pytest.fixture
def scratch_parent(tmp_path, monkeypatch):
    """Workers from the first row; the scratch folders (a test database in memory: the temporary
    folder's) in a folder of this test; `absorbed` lists the scratch files copied in."""
    monkeypatch.setattr(importer, "PARALLEL_MIN_ROWS", 0)
    monkeypatch.setattr(importer, "PARALLEL_VENDORS", ("postgresql", "sqlite"))
    monkeypatch.setattr(dataset_workers, "BATCH", 4)
    parent = tmp_path / "tmp"
    parent.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(parent))
    absorbed: list[int] = []
    absorb = RecordWriter.absorb

    def spy(self, scratch, worker):
        absorb(self, scratch, worker)
        absorbed.append(worker)
        (Path(scratch.folder) / "copied").touch()  # for `_after_the_other_workers_file_is_copied`

    monkeypatch.setattr(RecordWriter, "absorb", spy)
    return SimpleNamespace(folder=parent, absorbed=absorbed)


def _after_the_other_workers_file_is_copied(monkeypatch, dataset, then=None):
    """In the worker that checks `dataset` (SQLite): wait until another worker's scratch file has been
    copied in (the other sheet's), then check the sheet — or `then()` instead."""
    sheet = dataset_workers._sheet

    def later(task, out, failed, copy, memos, sink):
        if task.dataset == dataset:
            if sink is not None:
                folder = Path(sink.path).parent
                deadline = time.monotonic() + 60
                while not (folder / "copied").exists() and time.monotonic() < deadline:
                    time.sleep(0.01)
            if then is not None:
                then()
        sheet(task, out, failed, copy, memos, sink)

    monkeypatch.setattr(dataset_workers, "_sheet", later)


def _state():
    records = sorted(DatasetRecord.objects.values_list("id", "dataset__name", "id18", "row", "key"))
    datasets = sorted(Dataset.objects.values_list("name", "row_count", "imported_at"))
    return records, datasets


def _attached():
    if not SQLITE:
        return []
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA database_list")
        return [name for _, name, _ in cursor.fetchall() if name not in ("main", "temp")]


def _foreign_keys_on():
    if not SQLITE:
        return True
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA foreign_keys")
        return bool(cursor.fetchone()[0])


def _first_copy(tmp_path):
    folder = tmp_path / "first"
    write_dataset(folder, "死亡人口", [{"证件号码": ID1, "姓名": "张三", "死亡日期": "2024-01-01"}] * 3)
    write_dataset(folder, "财政供养", [{"证件号码": ID2, "姓名": "李四", "工作单位": "县一中"}] * 2)
    assert import_datasets([str(folder)]).ok
    return _state()


def _left_behind(parent):
    return [str(p.relative_to(parent)) for p in parent.rglob("*")]


def test_a_bad_row_in_one_workers_sheet_writes_nothing_after_another_workers_rows_were_copied(
    regions, tmp_path, scratch_parent, monkeypatch
):
    before = _first_copy(tmp_path)
    assert len(before[0]) == 5 and not _left_behind(scratch_parent.folder)
    assert bool(scratch_parent.absorbed) == SQLITE  # SQLite: copied from the workers' scratch files
    scratch_parent.absorbed.clear()
    _after_the_other_workers_file_is_copied(monkeypatch, "财政供养")
    folder = tmp_path / "second"
    write_dataset(folder, "死亡人口", [{"证件号码": ID2, "姓名": "李四", "死亡日期": "2024-02-01"}] * 9)
    bad = [{"证件号码": ID1, "姓名": "张三", "工作单位": "县二中"}] * 10 + [
        {"证件号码": ID1, "姓名": "", "工作单位": "县二中"}
    ]
    write_dataset(folder, "财政供养", bad)
    outcome = import_datasets([str(folder)])
    assert not outcome.ok and outcome.datasets == {}
    assert [(e.sheet, e.row, e.column, e.message) for e in outcome.result.errors] == [
        ("财政供养", 12, "姓名", "姓名不能为空")
    ]
    if SQLITE:  # the good sheet's worker had finished: its rows were in the table, rolled back
        assert len(scratch_parent.absorbed) == 1
    assert _state() == before
    assert not _left_behind(scratch_parent.folder) and not _attached() and _foreign_keys_on()


@pytest.mark.parametrize("how", ["exits", "raises"])
def test_a_worker_that_dies_writes_nothing_and_leaves_no_scratch_file(
    regions, tmp_path, scratch_parent, monkeypatch, how
):
    before = _first_copy(tmp_path)
    scratch_parent.absorbed.clear()

    def die():
        if how == "exits":
            os._exit(3)  # killed: no word to the importer
        raise MemoryError("worker out of memory")

    _after_the_other_workers_file_is_copied(monkeypatch, "财政供养", then=die)
    folder = tmp_path / "second"
    write_dataset(folder, "死亡人口", [{"证件号码": ID2, "姓名": "李四", "死亡日期": "2024-02-01"}] * 9)
    write_dataset(folder, "财政供养", [{"证件号码": ID1, "姓名": "张三", "工作单位": "县二中"}] * 10)
    message = "意外退出" if how == "exits" else "worker out of memory"
    with pytest.raises(RuntimeError, match=message):
        import_datasets([str(folder)])
    if SQLITE:
        assert len(scratch_parent.absorbed) == 1
    assert _state() == before
    assert not _left_behind(scratch_parent.folder) and not _attached() and _foreign_keys_on()
    assert not multiprocessing.active_children()


def test_an_interrupted_import_writes_nothing_and_stops_its_workers(
    regions, tmp_path, scratch_parent, monkeypatch
):
    before = _first_copy(tmp_path)
    monkeypatch.setattr(importer, "PROGRESS_EVERY", 8)
    folder = tmp_path / "second"
    write_dataset(folder, "死亡人口", [{"证件号码": ID2, "姓名": "李四", "死亡日期": "2024-02-01"}] * 40)
    write_dataset(folder, "财政供养", [{"证件号码": ID1, "姓名": "张三", "工作单位": "县二中"}] * 40)
    seen = []

    def interrupt(done, total, message):
        seen.append(list(Path(tempfile.tempdir).glob(f"{SCRATCH_PREFIX}*/records-*")))
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        import_datasets([str(folder)], progress=interrupt)
    if SQLITE:  # interrupted while the workers' files were there
        assert seen and seen[0]
    assert _state() == before
    assert not _left_behind(scratch_parent.folder) and not _attached() and _foreign_keys_on()
    assert not multiprocessing.active_children()


def test_the_scratch_folder_of_a_killed_import_is_removed_by_the_next_one(regions, tmp_path, scratch_parent):
    """An import killed outright cannot clean up: the next one removes the folders of imports whose
    process is gone, and leaves a running one's alone."""
    gone = multiprocessing.get_context("fork").Process(target=int)
    gone.start()
    gone.join()
    stale = scratch_parent.folder / f"{SCRATCH_PREFIX}{gone.pid}-x1"
    running = scratch_parent.folder / f"{SCRATCH_PREFIX}{os.getppid()}-x2"
    for folder in (stale, running):
        folder.mkdir()
        (folder / "records-0.sqlite3").write_bytes(b"rows")
    _first_copy(tmp_path)
    left = sorted(_left_behind(scratch_parent.folder))
    if SQLITE:
        assert left == [running.name, f"{running.name}/records-0.sqlite3"]
    else:  # PostgreSQL makes no scratch folder, so it sweeps none
        assert stale.exists() and running.exists()
