"""`jingzhun generate`: write a synthetic county (合成县) as a registry workbook — .xlsx, .zip of CSVs,
or a folder of CSVs (UTF-8 with BOM)."""

from __future__ import annotations

import csv
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jingzhun.workbook.columns import HOUSEHOLD_SHEET, MEMBER_SHEET, SHEET_BY_NAME, VILLAGE_SHEET
from jingzhun.workbook.sheet_writers import CsvSheetWriter, SheetWriter
from jingzhun.workbook.xlsx_writer import FastBook

if TYPE_CHECKING:
    from jingzhun.demo.synthetic import County

ProgressFn = Callable[[int, int, str], Any]
ExitYearFn = Callable[[list[str], list[list[str]]], None]


def _csv_opener(out: Path) -> Callable[[str], Any]:
    def open_sheet(name: str) -> Any:
        return (out / f"{name}.csv").open("w", encoding="utf-8-sig", newline="")

    return open_sheet


def generate_to_path(
    out: str,
    *,
    households: int,
    seed: int,
    year: int,
    progress: ProgressFn | None = None,
    exit_years_out: str | None = None,
) -> dict[str, int]:
    """Write `households` synthetic households of 慈利县 to `out`; same seed → same bytes (CSV).

    With `exit_years_out`, also a CSV folder of the 已脱贫 households as the registry stood in their
    脱贫年度 (`County.exit_year_row`: 收入年度 = 脱贫年度 and that year's incomes; the same members):
    imported after `out`, it adds each household's exit-year income and changes nothing else. `out` is
    the same with or without it."""
    from jingzhun.demo.synthetic import County

    county = County(seed=seed, year=year)
    if exit_years_out is not None:
        with _exit_years_writer(Path(exit_years_out)) as write_exit_year:
            return _generate(out, county, households, progress, write_exit_year)
    return _generate(out, county, households, progress, None)


@contextmanager
def _exit_years_writer(folder: Path) -> Iterator[ExitYearFn]:
    folder.mkdir(parents=True, exist_ok=True)
    opener = _csv_opener(folder)
    with opener(HOUSEHOLD_SHEET) as households, opener(MEMBER_SHEET) as members:
        hh = CsvSheetWriter(csv.writer(households, lineterminator="\r\n"), SHEET_BY_NAME[HOUSEHOLD_SHEET])
        mb = CsvSheetWriter(csv.writer(members, lineterminator="\r\n"), SHEET_BY_NAME[MEMBER_SHEET])

        def write(row: list[str], rows: list[list[str]]) -> None:
            hh.row(row)
            for member in rows:
                mb.row(member)

        yield write


def _generate(
    out: str,
    county: County,
    households: int,
    progress: ProgressFn | None,
    write_exit_year: ExitYearFn | None,
) -> dict[str, int]:
    target = Path(out)
    suffix = target.suffix.lower()
    target.parent.mkdir(parents=True, exist_ok=True)
    book: FastBook | None = None
    writers: dict[str, SheetWriter] = {}
    handles: list[Any] = []
    if suffix == ".zip":  # a zip holds one open entry at a time: write the folder, then pack it
        with tempfile.TemporaryDirectory() as tmp:
            summary = _generate(tmp, county, households, progress, write_exit_year)
            with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                for name in (HOUSEHOLD_SHEET, MEMBER_SHEET, VILLAGE_SHEET):
                    archive.write(Path(tmp) / f"{name}.csv", f"{name}.csv")
        return summary
    if suffix == ".xlsx":
        book = FastBook(str(target))
        for name in (HOUSEHOLD_SHEET, MEMBER_SHEET, VILLAGE_SHEET):
            writers[name] = book.sheet(SHEET_BY_NAME[name])
    else:
        target.mkdir(parents=True, exist_ok=True)
        opener = _csv_opener(target)
        for name in (HOUSEHOLD_SHEET, MEMBER_SHEET, VILLAGE_SHEET):
            handle = opener(name)
            handles.append(handle)
            writers[name] = CsvSheetWriter(csv.writer(handle, lineterminator="\r\n"), SHEET_BY_NAME[name])
    member_count = 0
    try:
        for done, (household, members) in enumerate(county.households(households), start=1):
            writers[HOUSEHOLD_SHEET].row(household)
            for member in members:
                writers[MEMBER_SHEET].row(member)
            member_count += len(members)
            if write_exit_year is not None:
                exit_row = county.exit_year_row(household, len(members))
                if exit_row is not None:
                    write_exit_year(exit_row, members)
            if progress and (done % 2000 == 0 or done == households):
                progress(done, households, f"{member_count} 人")
        for row in county.village_rows():
            writers[VILLAGE_SHEET].row(row)
    finally:
        for handle in handles:
            handle.close()
        if book is not None:
            book.close()
    return {"households": households, "members": member_count}
