"""Golden output of `jingzhun assess households|villages|county` on a small fixture (spec: registry-workbook.md,
"Assessment output")."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from jingzhun.regions.models import Region
from jingzhun.standards.commands import run_assess
from jingzhun.standards.models import AssessmentRun
from tests.factories import VILLAGE, member_row, register

TOWNSHIP = VILLAGE[:9] + "000"


@pytest.fixture
def fixture_county(standard, admin_actor):
    register(admin_actor, code="G001")  # meets every rule: (9000+2000+1200−500) ÷ 3 = 3900 > 3535
    register(admin_actor, code="G002", exit_status="已脱贫", exit_year="2017", water_safe="否")
    register(
        admin_actor,
        code="G003",
        wage="3535",
        business="0",
        transfer="0",
        business_expense="0",
        members=[member_row("刘一", "户主", date(1950, 1, 1))],
    )  # exactly at the line
    register(
        admin_actor,
        code="G004",
        housing_safety="",
        members=[
            member_row("陈二", "户主", date(1980, 6, 1)),
            member_row("陈小", "之子", date(2006, 9, 1), education="小学"),  # 12, 非在校生
        ],
        wage="20000",
    )
    Region.objects.filter(code=VILLAGE).update(
        registered_population=400,
        collective_income_wan=Decimal("4.00"),
        hardened_road=True,
        households_without_safe_water=0,
        power=True,
        standard_clinic=True,
        licensed_doctors=1,
        service_centre=True,
        broadband=False,
        is_poor_village=True,
        exit_state="未出列",
        planned_exit_year=2018,
    )


def _run(tmp_path, level, region=None):
    out = tmp_path / f"{level}.csv"
    code = run_assess(level=level, year=2018, region=region, out=str(out), progress=None)
    assert code == 0
    return out.read_bytes().decode("utf-8")


def test_households_csv_is_exactly_as_specified(fixture_county, tmp_path):
    assert _run(tmp_path, "households", VILLAGE) == (
        "户编号,行政区划代码,脱贫状态,计划脱贫年度,家庭人口数,人均纯收入,是否达标,未达标项,数据缺失项,疑似错退\n"
        "G001,430821102204,未脱贫,2018,3,3900.00,是,,,否\n"
        "G002,430821102204,已脱贫,2018,3,3900.00,否,H-WATER,,是\n"
        "G003,430821102204,未脱贫,2018,1,3535.00,否,H-INCOME,,否\n"
        "G004,430821102204,未脱贫,2018,2,11350.00,否,H-EDUCATION;H-HOUSING,,否\n"
    )
    assert AssessmentRun.objects.filter(year=2018, region_prefix=VILLAGE).exists()


def test_villages_csv_counts_remaining_poor_and_incidence(fixture_county, tmp_path):
    # remaining poor: G003 (1) and G004 (2) are planned for 2018 but fail; G001 passes; G002 has exited
    assert _run(tmp_path, "villages", VILLAGE) == (
        "行政区划代码,村名,是否贫困村,户籍人口,剩余贫困人口,贫困发生率,是否达标,未达标项,数据缺失项\n"
        "430821102204,杜坪村委会,是,400,3,0.75,否,V-SERVICES,\n"
    )


def test_county_csv_labels_registry_only_figures(fixture_county, tmp_path):
    text = _run(tmp_path, "county", TOWNSHIP)
    lines = text.splitlines()
    assert lines[0] == "指标,代码,数值,阈值,是否达标,口径"
    assert lines[1] == "综合贫困发生率,C-INCIDENCE,0.75,<2,是,仅建档立卡数据（未含抽样推算的漏评、错退人口）"
    assert lines[2] == "错退率,C-WRONG-EXIT,,≤2,,需抽样核查（暂无样本）"
    assert lines[5] == "贫困村退出率,C-VILLAGE-EXIT,0.00,≥95,否,建档立卡与村情数据"
    assert len(lines) == 6


def test_it_writes_to_stdout_without_out(fixture_county, capsys):
    assert run_assess(level="households", year=2018, region=VILLAGE, out=None) == 0
    assert capsys.readouterr().out.splitlines()[1].startswith("G001,")


def test_it_refuses_a_year_without_a_standard_and_an_unknown_region(standard, capsys):
    assert run_assess(level="households", year=2031, region=None, out=None) == 1
    assert "没有适用于2031年" in capsys.readouterr().err
    assert run_assess(level="villages", year=2018, region="439999999999", out=None) == 1
    assert "不存在" in capsys.readouterr().err
