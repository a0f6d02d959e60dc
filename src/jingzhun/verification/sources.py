"""The files of a departmental import (spec/verification.md §2): an .xlsx whose sheets are named by
dataset, a `<dataset>.csv`, or a folder / .zip of them. The workbook's reader does the reading (header
tolerance, UTF-8 or GB18030, upload limits); this module finds the sheets, and refuses a zip entry
that names a path outside the archive (`../x.csv`, `/etc/x.csv`, `C:\\x.csv`) before reading anything."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.conf import settings

from jingzhun.workbook.columns import normalize_header
from jingzhun.workbook.file_reader import SheetRows, Workbook, WorkbookError

# Ten million rows is a big department's whole roll; the registry's own cap (3,000,000) is for a county
# register, not for the 公安's population files.
DEFAULT_ROWS_MAX = 20_000_000


def rows_max() -> int:
    return int(getattr(settings, "JINGZHUN_DATASET_MAX_ROWS", DEFAULT_ROWS_MAX))


@dataclass
class Sheet:
    file: str  # the user's file name (what the messages say)
    name: str  # the sheet / CSV name, normalised: the dataset it claims to be
    rows: SheetRows
    source: str = ""  # what the workbook reader opened for it (folder, .xlsx or .zip): a worker reopens it


def unsafe_entry(name: str) -> bool:
    """A zip entry whose path climbs out of the archive or is absolute (zip slip)."""
    text = name.replace("\\", "/")
    if text.startswith("/") or (len(text) > 1 and text[1] == ":"):
        return True
    return ".." in PurePosixPath(text).parts


def _check_zip(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except zipfile.BadZipFile as exc:
        raise WorkbookError(f"文件已损坏，无法打开：{path.name}") from exc
    for name in names:
        if unsafe_entry(name):
            raise WorkbookError(
                f"压缩包 {path.name} 中的“{name}”指向压缩包以外的位置（路径穿越），已拒绝整个文件，未导入任何内容"
            )


def _book(path: Path, stack: ExitStack) -> Workbook:
    book = stack.enter_context(Workbook(str(path)))
    book._rows_max = rows_max()  # noqa: SLF001 - the departmental cap, not the registry's
    return book


def sheets(paths: list[str], stack: ExitStack) -> Iterator[Sheet]:
    """Every sheet of every path, in the order given; the books stay open until `stack` closes."""
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise WorkbookError(f"文件不存在：{raw}")
        if path.is_dir():
            children = sorted(path.iterdir())
            csvs = [c for c in children if c.suffix.lower() == ".csv"]
            if csvs:
                book = _book(path, stack)
                for child in csvs:
                    name = normalize_header(child.stem)
                    rows = book.sheet(name)
                    if rows is not None:
                        yield Sheet(child.name, name, rows, str(path))
            others = [c for c in children if c.suffix.lower() in (".xlsx", ".zip")]
            if not csvs and not others:
                raise WorkbookError(f"文件夹 {path.name} 中没有 .xlsx 或 CSV 文件")
            yield from sheets([str(c) for c in others], stack)
            continue
        suffix = path.suffix.lower()
        if suffix == ".csv":
            # the workbook reads CSVs as the sheets of their folder: take this one
            book = _book(path.parent, stack)
            name = normalize_header(path.stem)
            rows = book.sheet(name)
            if rows is None:  # pragma: no cover - the file exists and ends in .csv
                raise WorkbookError(f"无法读取 {path.name}")
            yield Sheet(path.name, name, rows, str(path.parent))
            continue
        if suffix == ".zip":
            _check_zip(path)
        elif suffix != ".xlsx":
            raise WorkbookError(f"无法识别的文件：{path.name}（应为 .xlsx、<数据集>.csv、.zip 或文件夹）")
        book = _book(path, stack)
        for name in book.sheet_names:
            rows = book.sheet(normalize_header(name))
            if rows is not None:
                yield Sheet(path.name, normalize_header(name), rows, str(path))
