"""Departmental files for the cross-check tests, and both engines run side by side."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from jingzhun.rules.hits import Hit
from jingzhun.verification.crosscheck import household_crosscheck, run_crosscheck, run_crosscheck_python
from jingzhun.verification.importer import import_datasets


def write_dataset(folder: Path, name: str, rows: list[dict[str, Any]], *, encoding: str = "utf-8") -> Path:
    """`<name>.csv` with the union of the rows' keys as its header (first row's order first)."""
    folder.mkdir(parents=True, exist_ok=True)
    header: list[str] = []
    for row in rows:
        for key in row:
            if key not in header:
                header.append(key)
    path = folder / f"{name}.csv"
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for row in rows:
            writer.writerow([row.get(h, "") for h in header])
    return path


def load(tmp_path: Path, datasets: dict[str, list[dict[str, Any]]], **kwargs: Any) -> Any:
    folder = tmp_path / "in"
    paths = [str(write_dataset(folder, name, rows)) for name, rows in datasets.items()]
    outcome = import_datasets(paths, **kwargs)
    assert outcome.ok, [str(e) for e in outcome.result.errors]
    return outcome


def hits_all_engines(year: int, household_ids: list[int] | None = None) -> list[Hit]:
    """The county's hits by SQL; asserts that the Python engine (whole county and per household)
    gives exactly the same, records and 说明 included."""
    by_sql = run_crosscheck(year)
    by_python = run_crosscheck_python(year)
    assert by_sql == by_python
    for hid in household_ids or sorted({h.household_id for h in by_sql}):
        assert household_crosscheck(hid, year) == [h for h in by_sql if h.household_id == hid]
    return by_sql


def rules_of(hits: list[Hit]) -> list[tuple[str, str]]:
    return sorted((h.rule, h.match) for h in hits)
