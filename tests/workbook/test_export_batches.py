"""The live export reads households in keyset batches with each batch's active members and latest income
(one query each, raw SQL; on PostgreSQL the ids go as one array bounded by their range): any batch size
and a sparse household selection give the rows the ORM gives, in the same order."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from jingzhun.demo.generate import generate_to_path
from jingzhun.registry.models import Household, IncomeRecord, Member
from jingzhun.workbook import exporter
from jingzhun.workbook.columns import HOUSEHOLD_SHEET, MEMBER_SHEET
from jingzhun.workbook.exporter import export_registry
from jingzhun.workbook.importer import import_path


def _sheets(path: Path) -> dict[str, list[list[object]]]:
    book = CalamineWorkbook.from_path(str(path))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


@pytest.mark.django_db
def test_batches_and_a_sparse_selection_export_what_the_orm_reads(tmp_path, system_actor, monkeypatch):
    generate_to_path(str(tmp_path / "county"), households=9, seed=3, year=2018)
    assert import_path(str(tmp_path / "county"), actor=system_actor).ok
    households = list(Household.objects.order_by("id"))
    chosen = households[::2]  # gaps between the ids of a batch
    # an older income (the export shows the latest year) and a removed member (not exported)
    IncomeRecord.objects.create(
        household=chosen[0],
        year=2010,
        wage=Decimal("1.25"),
        business=Decimal("0"),
        property_income=Decimal("0"),
        transfer=Decimal("0"),
        business_expense=Decimal("0"),
    )
    removed = next(
        m
        for h in chosen
        for m in Member.objects.filter(household=h).exclude(relation="户主").order_by("-id")[:1]
    )
    Member.objects.filter(pk=removed.pk).update(is_active=False)

    query = Household.objects.filter(pk__in=[h.pk for h in chosen])
    whole = tmp_path / "whole.xlsx"
    export_registry(str(whole), actor_or_none=None, household_ids_query=query)
    monkeypatch.setattr(exporter, "BATCH", 2)
    batched = tmp_path / "batched.xlsx"
    export_registry(str(batched), actor_or_none=None, household_ids_query=query)
    sheets = _sheets(whole)
    assert sheets == _sheets(batched)

    rows = sheets[HOUSEHOLD_SHEET][1:]
    assert [r[0] for r in rows] == [h.code for h in chosen]
    income_year_at = sheets[HOUSEHOLD_SHEET][0].index("收入年度")
    latest = {h.code: h.incomes.order_by("-year").first() for h in chosen}
    assert [r[income_year_at] for r in rows] == [latest[h.code].year for h in chosen]
    assert all(latest[h.code].year != 2010 for h in chosen)

    members = sheets[MEMBER_SHEET][1:]
    expected = [
        (h.code, m.name)
        for h in chosen
        for m in Member.objects.filter(household=h, is_active=True).order_by("id")
    ]
    assert [(r[0], r[1]) for r in members] == expected
    assert (removed.household.code, removed.name) not in expected
