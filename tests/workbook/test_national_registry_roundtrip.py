"""Households of a national list through the registry workbook (workbook/unknown_columns.py): registry export →
registry import round-trips them without inventing values — what the list left unknown is still unknown —
both into an empty database and as a re-import that changes nothing; an unmarked row with the same empty
cells is still refused."""

from __future__ import annotations

import contextlib
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.db import transaction
from python_calamine import CalamineWorkbook

from jingzhun.registry.models import Household, IncomeRecord, Member
from jingzhun.workbook.exporter import export_registry
from jingzhun.workbook.importer import import_path
from tests.workbook.national_files import golden_list


class _Rollback(Exception):
    pass


def _sheets(path: Path) -> dict[str, list[list[object]]]:
    book = CalamineWorkbook.from_path(str(path))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def _unknowns() -> dict[str, tuple]:
    """What the register knows of each household, unknowns included (the fields the lists leave open)."""
    out = {}
    for h in Household.objects.order_by("code"):
        income = IncomeRecord.objects.filter(household=h).values_list(
            "year", "wage", "business", "property_income", "transfer", "business_expense", "per_capita_net"
        )
        members = Member.objects.filter(household=h).order_by("id")
        out[h.code] = (
            h.identified_year,
            h.exit_status,
            h.exit_year,
            h.attribute,
            h.food_secure,
            h.clothing_secure,
            h.water_safe,
            h.housing_safety,
            h.housing_grade_unknown,
            h.dilapidated,
            h.household_type,
            list(income),
            [(m.name, m.medical_insurance, m.serious_illness_insurance) for m in members],
        )
    return out


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["national/2016.xlsx", "national/2021.xlsx"])
def test_registry_export_then_import_keeps_the_unknowns(tmp_path, system_actor, name):
    first, second = tmp_path / "first.xlsx", tmp_path / "second.xlsx"
    with contextlib.suppress(_Rollback), transaction.atomic():
        result = import_path(golden_list(name), actor=system_actor, year=2019)
        assert result.ok, result.errors
        before = _unknowns()
        export_registry(str(first), actor_or_none=None)
        raise _Rollback
    assert not Household.objects.exists()
    # a list leaves these open: the export must not have filled them in
    assert any(v[4] is None for v in before.values()) and all(v[8] for v in before.values())
    header = _sheets(first)["户"][0]
    assert header[-4:] == ["数据来源", "户类型", "危房户", "人均纯收入"]

    # into an empty database: the same register, unknowns unknown
    with contextlib.suppress(_Rollback), transaction.atomic():
        result = import_path(str(first), actor=system_actor)
        assert result.ok, result.errors[:3]
        assert _unknowns() == before
        export_registry(str(second), actor_or_none=None)
        raise _Rollback
    a, b = _sheets(first), _sheets(second)
    for sheet in a:
        for ra, rb in zip(a[sheet], b[sheet], strict=True):
            assert dict(zip(a[sheet][0], ra, strict=True)) == dict(zip(b[sheet][0], rb, strict=True)), sheet
    assert a == b


@pytest.mark.django_db
def test_reimporting_the_registry_export_changes_nothing(tmp_path, system_actor):
    assert import_path(golden_list("national/2021.xlsx"), actor=system_actor).ok
    raw = {h.code: h.national for h in Household.objects.all()}
    codes = {m.name: m.person_code for m in Member.objects.all()}
    out = tmp_path / "登记簿.xlsx"
    export_registry(str(out), actor_or_none=None)
    result = import_path(str(out), actor=system_actor)
    assert result.ok, result.errors[:3]
    assert (result.households_updated, result.members_updated) == (0, 0)
    # what the workbook does not carry is kept: the list's raw texts and the 人编号
    assert {h.code: h.national for h in Household.objects.all()} == raw
    assert {m.name: m.person_code for m in Member.objects.all()} == codes


@pytest.mark.django_db
def test_the_per_capita_figure_survives_the_round_trip(tmp_path, system_actor):
    assert import_path(golden_list("national/2021.xlsx"), actor=system_actor).ok
    out = tmp_path / "登记簿.xlsx"
    export_registry(str(out), actor_or_none=None)
    rows = _sheets(out)["户"]
    row = dict(zip(rows[0], next(r for r in rows if r[0] == "4308211062100007"), strict=True))
    assert (row["数据来源"], row["户类型"], row["危房户"], row["人均纯收入"]) == (
        "全国系统名单",
        "脱贫户",
        "是",
        6523.4,
    )
    assert (row["工资性收入"], row["不愁吃"], row["识别年度"], row["住房安全等级"]) == ("", "", 2014, "")
    income = IncomeRecord.objects.get(household__code="4308211062100007")
    assert income.per_capita_net == Decimal("6523.40") and income.wage is None


@pytest.mark.django_db
def test_an_unmarked_row_with_empty_required_cells_is_still_refused(tmp_path, system_actor):
    assert import_path(golden_list("national/2016.xlsx"), actor=system_actor, year=2019).ok
    out = tmp_path / "登记簿.xlsx"
    export_registry(str(out), actor_or_none=None)
    book = openpyxl.load_workbook(out)
    sheet = book["户"]
    source = [c.value for c in sheet[1]].index("数据来源") + 1
    for r in range(2, sheet.max_row + 1):
        sheet.cell(r, source).value = None  # no longer marked as from a national list
    book.save(out)
    result = import_path(str(out), actor=system_actor)
    assert not result.ok
    assert {"识别年度不能为空", "不愁吃不能为空"} <= {e.message for e in result.errors}


def test_a_registry_without_national_households_exports_the_spec_columns_only(tmp_path, system_actor, db):
    from jingzhun.demo.generate import generate_to_path

    generate_to_path(str(tmp_path / "county"), households=3, seed=1, year=2018)
    assert import_path(str(tmp_path / "county"), actor=system_actor).ok
    export_registry(str(tmp_path / "out.xlsx"), actor_or_none=None)
    assert "数据来源" not in _sheets(tmp_path / "out.xlsx")["户"][0]
