"""The demo registry with each 已脱贫 household's income of its 脱贫年度 (the generator's exit-years
folder imported after the year's registry): Q-EXIT-NO-INCOME finds only the planted households whose
exit-year income was never recorded, and the second import adds incomes and changes nothing else."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from jingzhun.demo.generate import generate_to_path
from jingzhun.registry.models import Household, IncomeRecord, Member
from jingzhun.verification.cleanse import run_cleanse
from jingzhun.workbook.importer import import_path

pytestmark = pytest.mark.django_db


def _codes(path: Path) -> set[str]:
    with (path / "户.csv").open(encoding="utf-8-sig") as fh:
        return {row["户编号"] for row in csv.DictReader(fh)}


def test_only_the_planted_households_lack_their_exit_year_income(tmp_path, system_actor, standard, rules):
    county, exit_years = tmp_path / "county", tmp_path / "exit-years"
    generate_to_path(str(county), households=600, seed=9, year=2018, exit_years_out=str(exit_years))
    assert import_path(str(county), actor=system_actor).errors == []
    members = sorted(Member.objects.values_list("id", "version"))
    versions = sorted(Household.objects.values_list("id", "version"))
    result = import_path(str(exit_years), actor=system_actor)
    assert result.errors == []
    assert sorted(Member.objects.values_list("id", "version")) == members
    assert sorted(Household.objects.values_list("id", "version")) == versions

    recorded = _codes(exit_years)
    exited = set(Household.objects.filter(exit_status="已脱贫").values_list("code", flat=True))
    for code, exit_year in Household.objects.filter(code__in=recorded).values_list("code", "exit_year"):
        assert IncomeRecord.objects.filter(household__code=code, year=exit_year).exists()
    hits = run_cleanse(2018)
    code_of = dict(Household.objects.values_list("id", "code"))
    flagged = {code_of[h.household_id] for h in hits if h.rule == "Q-EXIT-NO-INCOME"}
    assert flagged == exited - recorded and flagged
    assert not [h for h in hits if h.rule == "Q-INCOME-JUMP"]
