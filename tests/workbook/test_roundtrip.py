"""Export → import into an empty database → export gives the same content (a property over many counties)."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from jingzhun.demo.generate import generate_to_path
from jingzhun.workbook.exporter import export_registry
from jingzhun.workbook.importer import import_path


class _Rollback(Exception):
    """Raised to empty the database again after one step of an example."""


def _sheets(path: Path) -> dict[str, list[list[object]]]:
    book = CalamineWorkbook.from_path(str(path))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def _import_then_export(source: Path, out: Path, actor) -> None:
    with contextlib.suppress(_Rollback), transaction.atomic():
        result = import_path(str(source), actor=actor)
        assert result.ok, result.errors[:3]
        export_registry(str(out), actor_or_none=None)
        raise _Rollback


def _edit_groups(folder: Path, group: str) -> None:
    path = folder / "户.csv"
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    out = [lines[0]]
    for line in lines[1:]:
        cells = line.split(",")
        cells[2] = '"' + group.replace('"', '""') + '"'
        out.append(",".join(cells))
    path.write_text("\n".join(out) + "\n", encoding="utf-8-sig")


group_names = st.text(alphabet=st.sampled_from('一组二三 ,"；A7村（）'), max_size=12)


@pytest.mark.django_db
@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000), households=st.integers(1, 15), group=group_names)
def test_export_import_export_is_the_identity(tmp_path_factory, system_actor, seed, households, group):
    work = tmp_path_factory.mktemp("roundtrip")
    generate_to_path(str(work / "county"), households=households, seed=seed, year=2018)
    _edit_groups(work / "county", group)
    _import_then_export(work / "county", work / "first.xlsx", system_actor)
    _import_then_export(work / "first.xlsx", work / "second.xlsx", system_actor)
    first, second = _sheets(work / "first.xlsx"), _sheets(work / "second.xlsx")
    assert list(first) == ["户", "成员", "村"]
    assert len(first["户"]) == households + 1
    assert first == second
