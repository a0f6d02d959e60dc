"""The synthetic county generator: deterministic, realistic, and valid for import."""

from __future__ import annotations

import csv
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from jingzhun.demo.generate import generate_to_path
from jingzhun.demo.synthetic import POOR_VILLAGE_COUNT, real_villages
from jingzhun.lib import idcard


def _rows(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / f"{name}.csv").open(encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def test_it_is_byte_identical_for_the_same_seed(tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    generate_to_path(str(a), households=300, seed=7, year=2018)
    generate_to_path(str(b), households=300, seed=7, year=2018)
    generate_to_path(str(c), households=300, seed=8, year=2018)
    for name in ("户", "成员", "村"):
        assert (a / f"{name}.csv").read_bytes() == (b / f"{name}.csv").read_bytes()
    assert (a / "成员.csv").read_bytes() != (c / "成员.csv").read_bytes()
    assert (a / "户.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM


def test_it_draws_a_plausible_county(tmp_path):
    summary = generate_to_path(str(tmp_path / "g"), households=2000, seed=1, year=2018)
    households, members = _rows(tmp_path / "g", "户"), _rows(tmp_path / "g", "成员")
    assert summary == {"households": 2000, "members": len(members)}
    assert 2.5 <= len(members) / len(households) <= 3.5
    causes = Counter(h["主要致贫原因"] for h in households)
    assert causes.most_common(1)[0][0] == "因病"
    sizes = Counter(m["户编号"] for m in members)
    incomes = ("工资性收入", "生产经营性收入", "财产性收入", "转移性收入")
    net = {h["户编号"]: sum(float(h[k]) for k in incomes) - float(h["生产经营性支出"]) for h in households}
    below = sum(1 for code, total in net.items() if total / sizes[code] <= 3535)
    assert 0 < below < len(households) / 2  # most households above the 2018 line, but not all
    statuses = Counter(h["脱贫状态"] for h in households)
    assert statuses["已脱贫"] > 0 and statuses["未脱贫"] > 0
    assert all(2014 <= int(h["脱贫年度"]) <= 2017 for h in households if h["脱贫状态"] == "已脱贫")
    for m in members:
        parsed = idcard.parse(m["证件号码"])
        assert parsed.address_code == ("432428" if parsed.birth_date.year < 1988 else "430821")
    assert {m["民族"] for m in members} >= {"汉族", "土家族"}


def test_it_concentrates_poor_households_in_the_poor_villages(tmp_path):
    villages = real_villages()
    poor = {v.code for v in villages if v.poor}
    assert len(poor) == POOR_VILLAGE_COUNT
    assert all(200 <= int(code[9:12]) < 400 for code in poor)
    generate_to_path(str(tmp_path / "g"), households=3000, seed=3, year=2018)
    households = _rows(tmp_path / "g", "户")
    in_poor = sum(1 for h in households if h["行政区划代码"] in poor)
    assert in_poor / len(households) > 0.5  # 134 of 430 villages hold most poor households
    members = Counter(h["行政区划代码"] for h in households)
    for row in _rows(tmp_path / "g", "村"):
        assert int(row["户籍人口"]) > members[row["行政区划代码"]]


@pytest.mark.parametrize("suffix", [".xlsx", ".zip"])
def test_it_writes_xlsx_and_zip(tmp_path, suffix):
    out = tmp_path / f"county{suffix}"
    generate_to_path(str(out), households=50, seed=1, year=2018)
    if suffix == ".zip":
        assert sorted(zipfile.ZipFile(out).namelist()) == ["成员.csv", "户.csv", "村.csv"]
    else:
        from python_calamine import CalamineWorkbook

        assert CalamineWorkbook.from_path(str(out)).sheet_names == ["户", "成员", "村"]


@pytest.mark.django_db
def test_every_generated_row_is_valid_for_import(tmp_path, system_actor):
    from jingzhun.workbook.importer import import_path

    generate_to_path(str(tmp_path / "g"), households=400, seed=11, year=2018)
    result = import_path(str(tmp_path / "g"), actor=system_actor, dry_run=True)
    assert result.errors == []
    assert result.households_new == 400


def test_the_exit_years_folder_gives_each_exited_household_its_exit_year_income(tmp_path):
    from jingzhun.demo.synthetic import EXIT_INCOME_UNRECORDED, POVERTY_LINES
    from jingzhun.standards.defaults import POVERTY_LINES as STANDARD_LINES

    assert {year: line for year, (line, _) in STANDARD_LINES.items()} == POVERTY_LINES
    generate_to_path(str(tmp_path / "plain"), households=2000, seed=5, year=2018)
    generate_to_path(
        str(tmp_path / "g"), households=2000, seed=5, year=2018, exit_years_out=str(tmp_path / "x")
    )
    for name in ("户", "成员", "村"):  # the year's registry is the same with or without the exit years
        assert (tmp_path / "g" / f"{name}.csv").read_bytes() == (
            tmp_path / "plain" / f"{name}.csv"
        ).read_bytes()
    households = {h["户编号"]: h for h in _rows(tmp_path / "g", "户")}
    exited = {code for code, h in households.items() if h["脱贫状态"] == "已脱贫"}
    rows = _rows(tmp_path / "x", "户")
    assert {r["户编号"] for r in rows} <= exited
    unrecorded = len(exited) - len(rows)
    assert 0 < unrecorded < 2 * EXIT_INCOME_UNRECORDED * len(exited)  # the planted Q-EXIT-NO-INCOME cases
    members = _rows(tmp_path / "g", "成员")
    people = Counter(m["户编号"] for m in members)
    incomes = ("工资性收入", "生产经营性收入", "财产性收入", "转移性收入")
    amounts = (*incomes, "生产经营性支出")
    for row in rows:
        year, latest = int(row["收入年度"]), households[row["户编号"]]
        assert year == int(latest["脱贫年度"])
        # everything but the year's incomes is the household as registered
        assert {k: v for k, v in row.items() if k not in ("收入年度", *amounts)} == {
            k: v for k, v in latest.items() if k not in ("收入年度", *amounts)
        }
        net = sum(int(row[k]) for k in incomes) - int(row["生产经营性支出"])
        assert all(int(row[k]) >= 0 for k in amounts)
        assert net / people[row["户编号"]] > POVERTY_LINES[year]
        latest_net = sum(int(latest[k]) for k in incomes) - int(latest["生产经营性支出"])
        assert latest_net <= 3 * net  # no Q-INCOME-JUMP from the exit year to the next
    codes = {r["户编号"] for r in rows}
    assert _rows(tmp_path / "x", "成员") == [m for m in members if m["户编号"] in codes]
