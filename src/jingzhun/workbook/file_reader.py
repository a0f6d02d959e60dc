"""Read a registry workbook (登记簿): an .xlsx, a folder of CSVs, or a .zip of CSVs.

Each sheet is streamed as (row number as Excel shows it, cells). CSV files may be UTF-8 (with or without
BOM) or GB18030/GBK — what Chinese Excel and WPS save by default; the encoding is detected from the bytes.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from jingzhun.workbook.columns import normalize_header
from jingzhun.workbook.upload_limits import (
    LimitedStream,
    UploadLimitError,
    check_archive,
    member_max,
    rows_max,
    rows_message,
)
from jingzhun.workbook.xlsx_reader import XlsxBook, XlsxError

CHUNK = 1 << 20


def _entry_name(decoded: str) -> str:
    """The name of a zip entry stored without the UTF-8 flag (which `zipfile` decoded as cp437): UTF-8 when
    its bytes are valid UTF-8 (Info-ZIP on Linux and macOS's archiver write UTF-8 without the flag), else
    GBK/GB18030 (Chinese Windows' own zip)."""
    try:
        raw = decoded.encode("cp437")
    except UnicodeEncodeError:
        return decoded
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return decoded


class WorkbookError(Exception):
    """The file cannot be read at all (missing, not a workbook, …); the message is Chinese."""


def detect_encoding(open_binary: Any) -> str:
    """UTF-8 when every byte decodes as UTF-8 (BOM or not), otherwise GB18030 (a superset of GBK)."""
    with open_binary() as fh:
        head = fh.read(3)
        if head == codecs.BOM_UTF8:
            return "utf-8-sig"
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            decoder.decode(head)
            while chunk := fh.read(CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "gb18030"
    return "utf-8"


def _count_lines(open_binary: Any, limit: int | None = None) -> int:
    """Lines of a CSV (for progress); past `limit` rows it stops and refuses the file, so a CSV of
    millions of rows is turned away in seconds, not after minutes of reading."""
    count = 0
    with open_binary() as fh:
        for chunk in iter(lambda: fh.read(CHUNK), b""):
            count += chunk.count(b"\n")
            if limit is not None and count > limit + 1:
                raise WorkbookError(rows_message(limit))
    return count


def _is_empty(cells: list[Any]) -> bool:
    for cell in cells:
        if cell is None or (cell.__class__ is str and (not cell or cell.isspace())):
            continue
        return False
    return True


class SheetRows:
    """One sheet: its header cells and an iterator over (excel_row_number, cells) of non-empty rows."""

    def __init__(self, name: str, header: list[Any], rows: Iterator[tuple[int, list[Any]]], total: int = 0):
        self.name = name
        self.header = header
        self.rows = rows
        self.total = total  # data rows, approximately (for progress only)


class Workbook:
    def __init__(self, path: str):
        self.path = Path(path)
        self._rows_seen = 0  # data rows given out over all sheets, against the per-upload row limit
        self._rows_max = rows_max()
        self._xlsx: XlsxBook | None = None
        self._zip: zipfile.ZipFile | None = None
        self._csv_names: dict[str, str] = {}
        if not self.path.exists():
            raise WorkbookError(f"文件不存在：{path}")
        if self.path.is_dir():
            for child in self.path.iterdir():
                if child.suffix.lower() == ".csv":
                    self._csv_names[normalize_header(child.stem)] = str(child)
            if not self._csv_names:
                raise WorkbookError(f"文件夹 {path} 中没有 CSV 文件（应有 户.csv、成员.csv，可选 村.csv）")
            return
        if self.path.suffix.lower() == ".csv":  # one sheet: a national person list (docs/national-list.md)
            self._csv_names[normalize_header(self.path.stem)] = str(self.path)
            return
        with self.path.open("rb") as fh:
            magic = fh.read(4)
        if magic[:2] != b"PK":
            raise WorkbookError(f"无法识别的文件：{self.path.name}（应为 .xlsx、.zip 或 CSV 文件夹）")
        try:
            archive = zipfile.ZipFile(self.path)
        except zipfile.BadZipFile as exc:
            raise WorkbookError(f"文件已损坏，无法打开：{self.path.name}") from exc
        names = archive.namelist()
        if "xl/workbook.xml" in names or any(n.startswith("xl/") for n in names):
            archive.close()
            try:
                self._xlsx = XlsxBook(str(self.path))
            except XlsxError as exc:
                raise WorkbookError(f"无法读取 Excel 文件 {self.path.name}：{exc}") from exc
            return
        self._zip = archive
        try:
            check_archive(archive)  # from the directory, before inflating anything
        except UploadLimitError as exc:
            archive.close()
            raise WorkbookError(str(exc)) from exc
        for info in archive.infolist():
            name = info.filename
            if not info.flag_bits & 0x800:
                name = _entry_name(name)
            stem = Path(name).name
            if stem.lower().endswith(".csv") and not stem.startswith("."):
                self._csv_names[normalize_header(stem[:-4])] = info.filename
        if not self._csv_names:
            raise WorkbookError(
                f"压缩包 {self.path.name} 中没有 CSV 文件（应有 户.csv、成员.csv，可选 村.csv）"
            )

    @property
    def sheet_names(self) -> list[str]:
        if self._xlsx is not None:
            return list(self._xlsx.sheets)
        return list(self._csv_names)

    def sheet(self, name: str) -> SheetRows | None:
        if self._xlsx is not None:
            for candidate in self._xlsx.sheets:
                if normalize_header(candidate) == name:
                    return self._xlsx_sheet(candidate)
            return None
        member = self._csv_names.get(name)
        if member is None:
            return None
        return self._csv_sheet(name, member)

    def _xlsx_sheet(self, name: str) -> SheetRows:
        """Streamed (xlsx_reader): the first non-empty row is the header; empty rows are skipped."""
        assert self._xlsx is not None
        book = self._xlsx
        rows = book.rows(name)
        header: list[Any] = []
        try:
            for _, cells in rows:
                if not _is_empty(cells):
                    header = cells
                    break
        except XlsxError as exc:
            raise WorkbookError(f"无法读取 Excel 文件 {self.path.name}：{exc}") from exc

        def data() -> Iterator[tuple[int, list[Any]]]:
            try:
                for number, cells in rows:
                    if not _is_empty(cells):
                        self._count_row()
                        yield number, cells
            except XlsxError as exc:
                raise WorkbookError(f"无法读取 Excel 文件 {self.path.name}：{exc}") from exc

        total = max(0, book.dimension_rows(name) - 1)
        if total > self._rows_max:  # the sheet says so itself: refuse before reading it
            raise WorkbookError(rows_message(self._rows_max))
        return SheetRows(name, header, data(), total=total)

    def _count_row(self) -> None:
        self._rows_seen += 1
        if self._rows_seen > self._rows_max:
            raise WorkbookError(rows_message(self._rows_max))

    def _open_binary(self, member: str) -> Any:
        if self._zip is not None:
            archive = self._zip
            limit = member_max()
            return lambda: LimitedStream(archive.open(member), limit, member)
        return lambda: open(member, "rb")  # noqa: SIM115 - closed by the caller's `with`

    def _csv_sheet(self, name: str, member: str) -> SheetRows:
        opener = self._open_binary(member)
        try:
            # the row count first: a CSV over the row limit is refused before it is read any further
            total = _count_lines(opener, self._rows_max) - 1
            encoding = detect_encoding(opener)
        except UploadLimitError as exc:
            raise WorkbookError(str(exc)) from exc
        handle: IO[str] = io.TextIOWrapper(opener(), encoding=encoding, newline="")
        reader = csv.reader(handle)
        header: list[Any] = []
        number = 0
        for cells in reader:
            number += 1
            if not _is_empty(cells):
                header = cells
                break

        def data() -> Iterator[tuple[int, list[Any]]]:
            row_number = number
            limit = self._rows_max
            try:
                for cells in reader:
                    row_number += 1
                    first = cells[0] if cells else ""
                    if (first and not first.isspace()) or not _is_empty(cells):
                        self._rows_seen += 1  # `_count_row`, inline: once per row of millions
                        if self._rows_seen > limit:
                            raise WorkbookError(rows_message(limit))
                        yield row_number, cells
            except UploadLimitError as exc:
                raise WorkbookError(str(exc)) from exc
            finally:
                handle.close()

        return SheetRows(name, header, data(), total=total)

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()
        if self._xlsx is not None:
            self._xlsx.close()

    def __enter__(self) -> Workbook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
