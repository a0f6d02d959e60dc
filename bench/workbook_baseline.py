"""The baseline of the workbook import benchmark, run as a child process with the app's database settings:
read a registry workbook with calamine (xlsx) or the csv module (CSV folder) and insert the same rows into
registry_household, registry_member and registry_incomerecord with raw `executemany` (SQLite) or `COPY`
(PostgreSQL) in one transaction — no validation, only the conversions the columns need.

`python -m bench.workbook_baseline PATH` · `python -m bench.workbook_baseline --to-xlsx FOLDER OUT.xlsx`
"""

from __future__ import annotations

import csv
import os
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any

BATCH = 5000


def _rows(*, path: Path, sheet: str) -> Iterator[list[Any]]:
    if path.is_dir():
        with (path / f"{sheet}.csv").open(encoding="utf-8-sig", newline="") as fh:
            yield from csv.reader(fh)
        return
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    yield from book.get_sheet_by_name(sheet).iter_rows()


def _converter(field: Any) -> Callable[[Any], Any]:
    kind = field.get_internal_type()
    if kind == "BooleanField":
        return {"是": True, "否": False}.get
    if kind in ("PositiveSmallIntegerField", "IntegerField", "SmallIntegerField"):
        return lambda v: None if v in ("", None) else int(float(v))
    if kind == "DecimalField":
        return lambda v: str(v) if v not in ("", None) else None
    if field.choices:
        labels = {str(label): value for value, label in field.choices}
        return lambda v: labels.get(v, v) if v else ""
    if field.null:
        return lambda v: v if v not in ("", None) else None
    return lambda v: "" if v is None else str(v)


def _cell_getter(index: int, convert: Callable[[Any], Any]) -> Callable[[list[Any]], Any]:
    return lambda row: convert(row[index])


def _table(
    model: Any, *, sheet_columns: dict[str, int], extra: dict[str, Callable[[list[Any]], Any]]
) -> tuple[str, list[str], Callable[[list[Any]], tuple[Any, ...]]]:
    """Table name, columns and a row builder: sheet cells → the table's values."""
    getters: list[Callable[[list[Any]], Any]] = []
    columns: list[str] = []
    for field in model._meta.concrete_fields:
        if field.name in extra:
            getters.append(extra[field.name])
        elif field.name in sheet_columns:
            getters.append(_cell_getter(sheet_columns[field.name], _converter(field)))
        else:
            continue
        columns.append(field.column)
    return model._meta.db_table, columns, lambda row: tuple(g(row) for g in getters)


def _insert(*, table: str, columns: list[str], rows: Iterator[tuple[Any, ...]]) -> int:
    from django.db import connection

    count = 0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            raw = cursor.cursor
            with raw.copy(f'COPY "{table}" ({", ".join(columns)}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
        return count
    connection.ensure_connection()
    raw = connection.connection
    sql = f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({", ".join("?" * len(columns))})'
    while batch := list(islice(rows, BATCH)):
        raw.executemany(sql, batch)
        count += len(batch)
    return count


def baseline(*, path: Path) -> dict[str, int]:
    from django.db import transaction

    from jingzhun.registry.models import Household, IncomeRecord, Member
    from jingzhun.workbook.columns import SHEET_BY_NAME, header_index

    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
    ids: dict[str, int] = {}

    def index(sheet: str, header: list[Any]) -> dict[str, int]:
        names = header_index(SHEET_BY_NAME[sheet])
        from jingzhun.workbook.columns import normalize_header

        return {names[h]: i for i, h in enumerate(normalize_header(c) for c in header) if h in names}

    households = _rows(path=path, sheet="户")
    hh = index("户", next(households))
    code_i = hh["code"]

    def household_id(row: list[Any]) -> int:
        ids[row[code_i]] = len(ids) + 1
        return len(ids)

    h_table = _table(
        Household,
        sheet_columns={**hh, "village": hh["village_code"]},
        extra={
            "id": household_id,
            "head_initials": lambda row: "",
            "registry_status": lambda row: "在册",
            "member_count": lambda row: 0,
            "bank_account": lambda row: "",
            "no_longer_enjoying": lambda row: False,
            "created_at": lambda row: now,
            "updated_at": lambda row: now,
        },
    )
    counts = {}
    with transaction.atomic():
        h_rows: list[list[Any]] = []

        def households_kept() -> Iterator[tuple[Any, ...]]:
            for row in households:
                h_rows.append(row)  # the income rows come from the same cells
                yield h_table[2](row)

        counts["households"] = _insert(table=h_table[0], columns=h_table[1], rows=households_kept())
        i_table = _table(
            IncomeRecord,
            sheet_columns={**hh, "year": hh["income_year"]},
            extra={"household": lambda row: ids[row[code_i]], "updated_at": lambda row: now},
        )
        counts["incomes"] = _insert(table=i_table[0], columns=i_table[1], rows=map(i_table[2], h_rows))
        h_rows.clear()
        members = _rows(path=path, sheet="成员")
        mb = index("成员", next(members))
        hcode_i, id_i, birth_i = mb["household_code"], mb["id_number"], mb.get("birth_date")

        def birth(row: list[Any]) -> Any:
            value = row[birth_i] if birth_i is not None else ""
            if value:
                return value
            rid = str(row[id_i])
            return f"{rid[6:10]}-{rid[10:12]}-{rid[12:14]}"

        m_table = _table(
            Member,
            sheet_columns=mb,
            extra={
                "household": lambda row: ids[row[hcode_i]],
                "resident_id": lambda row: str(row[id_i])[:18],
                "birth_date": birth,
                "is_active": lambda row: True,
                "removed_reason": lambda row: "",
                "created_at": lambda row: now,
                "updated_at": lambda row: now,
            },
        )
        counts["members"] = _insert(table=m_table[0], columns=m_table[1], rows=map(m_table[2], members))
    return counts


def to_xlsx(*, folder: Path, out: Path) -> None:
    """The CSV folder's rows as an xlsx (ID and code columns as text), written with `workbook.xlsx_writer`."""
    from jingzhun.workbook.columns import SHEET_BY_NAME, TEXT_COLUMNS
    from jingzhun.workbook.xlsx_writer import FastBook

    book = FastBook(str(out))
    try:
        for name in ("户", "成员", "村"):
            specs = SHEET_BY_NAME[name].specs
            rows = _rows(path=folder, sheet=name)
            headers = next(rows)
            text = [s.name in TEXT_COLUMNS for s in specs]
            sheet = book.add_sheet(name=name, headers=headers, text_columns=text, widths=[12.0] * len(text))
            for row in rows:
                sheet.row(row)
    finally:
        book.close()


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingzhun.settings")
    import django

    django.setup()
    if argv[0] == "--to-xlsx":
        to_xlsx(folder=Path(argv[1]), out=Path(argv[2]))
        return 0
    print(baseline(path=Path(argv[0])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
