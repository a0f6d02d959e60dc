"""Uploads cannot exhaust the worker (issue 15 #9): zip bombs are refused from the zip directory before
anything is inflated, inflated bytes are counted while streaming, and an upload over the row limit is
refused quickly — each with a Chinese message and nothing written. Files are crafted here, tiny on disk."""

from __future__ import annotations

import csv
import io
import resource
import time
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook as OpenpyxlBook

from jingzhun.workbook.importer import import_path
from jingzhun.workbook.upload_limits import LimitedStream, UploadLimitError
from tests.factories import row_counts
from tests.workbook.conftest import messages


def _xlsx_from_golden(folder: str, out: Path) -> Path:
    book = OpenpyxlBook()
    book.remove(book.active)
    for name in ("户", "成员", "村"):
        sheet = book.create_sheet(name)
        with (Path(folder) / f"{name}.csv").open(encoding="utf-8-sig", newline="") as fh:
            for row in csv.reader(fh):
                sheet.append(row)
    book.save(out)
    return out


def _rezip(source: Path, out: Path, replace: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, replace.get(info.filename, src.read(info.filename)))
    return out


def _peak_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


@pytest.mark.django_db
def test_an_xlsx_whose_workbook_part_inflates_hugely_is_refused_unread(golden, system_actor, tmp_path):
    plain = _xlsx_from_golden(golden("valid_utf8"), tmp_path / "plain.xlsx")
    assert import_path(str(plain), actor=system_actor).ok  # the same workbook, unbloated, imports
    with zipfile.ZipFile(plain) as z:
        workbook_xml = z.read("xl/workbook.xml")
    # 200 MB of blanks inside workbook.xml: a few hundred KB on disk (the bomb was 512 MB)
    bloated = workbook_xml.replace(b"<sheets>", b"<sheets>" + b" " * (200 * 1024 * 1024))
    bomb = _rezip(plain, tmp_path / "bomb.xlsx", {"xl/workbook.xml": bloated})
    del bloated, workbook_xml
    assert bomb.stat().st_size < 1024 * 1024
    before, peak = row_counts(), _peak_kb()
    result = import_path(str(bomb), actor=system_actor)
    assert not result.ok
    (message,) = messages(result)
    assert "xl/workbook.xml" in message and "解压后有 200 MB" in message and "未导入任何内容" in message
    assert row_counts() == before
    assert _peak_kb() - peak < 100 * 1024  # never inflated: well under the 200 MB


@pytest.mark.django_db
def test_a_zip_member_over_the_limit_is_refused_from_the_directory(golden, system_actor, tmp_path, settings):
    folder = Path(golden("valid_utf8"))
    archive = tmp_path / "county.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        for path in folder.iterdir():
            z.writestr(path.name, path.read_bytes())
        z.writestr("说明.txt", b"\n" * (3 * 1024 * 1024))  # 3 MB of nothing
    settings.JINGZHUN_UPLOAD_MAX_INFLATED_BYTES = 1024 * 1024
    before = row_counts()
    result = import_path(str(archive), actor=system_actor)
    assert not result.ok and "说明.txt" in messages(result)[0] and "上限 1 MB" in messages(result)[0]
    assert row_counts() == before
    # and the total of all members
    settings.JINGZHUN_UPLOAD_MAX_INFLATED_BYTES = 8 * 1024 * 1024
    settings.JINGZHUN_UPLOAD_MAX_INFLATED_TOTAL_BYTES = 2 * 1024 * 1024
    result = import_path(str(archive), actor=system_actor)
    assert not result.ok and "共有 3 MB" in messages(result)[0]
    assert row_counts() == before


def test_inflated_bytes_are_counted_while_streaming_whatever_the_directory_says():
    stream = LimitedStream(io.BytesIO(b"x" * (3 * 1024 * 1024)), 2 * 1024 * 1024, "成员.csv")
    assert len(stream.read(1024 * 1024)) == 1024 * 1024
    with pytest.raises(UploadLimitError, match="成员.csv 解压后超过上限 2 MB"):
        stream.read()


@pytest.mark.django_db
def test_a_tiny_zip_holding_millions_of_csv_rows_is_refused_in_seconds(
    golden, system_actor, tmp_path, settings
):
    folder = Path(golden("valid_utf8"))
    header, first = (folder / "成员.csv").read_text(encoding="utf-8-sig").splitlines()[:2]
    archive = tmp_path / "rows.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("户.csv", (folder / "户.csv").read_bytes())
        z.writestr("成员.csv", (header + "\n" + (first + "\n") * 2_000_000).encode())
    assert archive.stat().st_size < 2 * 1024 * 1024
    settings.JINGZHUN_UPLOAD_MAX_ROWS = 100_000
    before = row_counts()
    started = time.monotonic()
    result = import_path(str(archive), actor=system_actor)
    assert time.monotonic() - started < 10
    assert not result.ok
    assert any("超过上限 100,000 行" in m and "未导入任何内容" in m for m in messages(result))
    assert row_counts() == before


@pytest.mark.django_db
def test_the_row_limit_counts_all_sheets_of_an_upload(golden, system_actor, settings):
    folder = golden("valid_utf8")  # 2 households, 4 members, 1 village: 7 data rows
    settings.JINGZHUN_UPLOAD_MAX_ROWS = 5
    before = row_counts()
    result = import_path(folder, actor=system_actor)
    assert not result.ok and any("超过上限 5 行" in m for m in messages(result))
    assert row_counts() == before
    settings.JINGZHUN_UPLOAD_MAX_ROWS = 7
    assert import_path(folder, actor=system_actor).ok
