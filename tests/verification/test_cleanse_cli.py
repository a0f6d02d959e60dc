"""`jingzhun verify cleanse` byte for byte on a small fixture (spec/verification.md §1): the UTF-8 CSV
`规则代码,户编号,证件号码,姓名,说明`, sorted by 规则代码, 户编号, 证件号码, household-level rows naming the
户主, the --region filter, and the Chinese summary line on stdout."""

from __future__ import annotations

from datetime import date

from jingzhun.cli import main
from jingzhun.verification.models import Clue
from tests.factories import OTHER_VILLAGE
from tests.verification import builders as b


def _fixture():
    far = b.household(code="B0002", village=OTHER_VILLAGE, planned_exit_year=2016)
    far_head = b.head(far, date(1970, 5, 1), name="赵六", sequence=21)
    near = b.household(code="B0001", attribute="低保贫困户")
    near_head = b.head(near, date(1980, 3, 10), male=False, name="王桂兰", sequence=22)
    wife = b.member(near, "李秀英", "配偶", date(1981, 1, 1), male=False, sequence=24)
    boy = b.member(near, "王小", "之子", date(1994, 3, 11), labour_skill="普通劳动力", sequence=31)
    b.income(near, 2018, wage="9000")
    return far_head, near_head, wife, boy


def test_it_writes_the_spec_csv_and_a_summary(standard, rules, tmp_path, capsys):
    far_head, near_head, wife, boy = _fixture()
    out = tmp_path / "清洗.csv"
    assert main(["verify", "cleanse", "--year", "2018", "--out", str(out)]) == 0
    assert out.read_bytes().decode("utf-8") == (
        "规则代码,户编号,证件号码,姓名,说明\n"
        f"Q-CHILD-AGE,B0001,{boy.id_number},王小,之子 王小 出生时户主 王桂兰 仅 14 岁（应至少 15 岁）\n"
        f"Q-DIBAO-ATTR,B0001,{near_head.id_number},王桂兰,贫困户属性为低保贫困户，但没有成员登记低保\n"
        f"Q-PLAN-OVERDUE,B0002,{far_head.id_number},赵六,脱贫状态为未脱贫，计划脱贫年度 2016 早于2018年\n"
        f"Q-SPOUSE-SEX,B0001,{wife.id_number},李秀英,配偶 李秀英 与户主同为女性\n"
    )
    line, clues = capsys.readouterr().out.strip().split("\n")
    assert line.startswith(
        "数据清洗 2018年 全县：疑点 4 条，涉及 2 户；配偶与户主同性别（Q-SPOUSE-SEX）1 条；"
    )
    assert "子女与户主年龄差过小（Q-CHILD-AGE）1 条" in line
    assert "未成年人登记为劳动力（Q-CHILD-LABOUR）0 条" in line  # 24 years old at the reference date
    assert line.count("条") == 20  # the total and each of the 19 rules
    # a county-wide run keeps its hits as clues (spec §3); a second run adds none
    assert clues == "线索：命中 4 条：新增线索 4 条，已有线索 0 条，已核实不再提出 0 条，不再命中 0 条"
    assert Clue.objects.count() == 4
    assert main(["verify", "cleanse", "--year", "2018", "--out", str(out)]) == 0
    assert (
        capsys.readouterr()
        .out.strip()
        .endswith("新增线索 0 条，已有线索 4 条，已核实不再提出 0 条，不再命中 0 条")
    )
    assert Clue.objects.count() == 4


def test_region_limits_the_run(standard, rules, tmp_path, capsys):
    far_head, *_ = _fixture()
    out = tmp_path / "零阳.csv"
    assert main(["verify", "cleanse", "--year", "2018", "--region", OTHER_VILLAGE, "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == (
        "规则代码,户编号,证件号码,姓名,说明\n"
        f"Q-PLAN-OVERDUE,B0002,{far_head.id_number},赵六,脱贫状态为未脱贫，计划脱贫年度 2016 早于2018年\n"
    )
    printed = capsys.readouterr().out
    assert "疑点 1 条，涉及 1 户" in printed
    assert "未保存为线索" in printed and not Clue.objects.exists()  # a region run stores no clue


def test_an_unknown_region_is_a_clear_error(standard, rules, tmp_path, capsys):
    out = tmp_path / "x.csv"
    assert main(["verify", "cleanse", "--year", "2018", "--region", "439999999999", "--out", str(out)]) == 1
    assert "行政区划代码 439999999999 不存在" in capsys.readouterr().err
    assert not out.exists()
