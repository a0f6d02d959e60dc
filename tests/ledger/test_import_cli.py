"""`jingzhun ledger import|list|summary|escalate`: golden files (one written by LibreOffice), exact
outputs, all-or-nothing bad input with Excel row numbers, re-import with history."""

from __future__ import annotations

import csv
import shutil
from datetime import date
from pathlib import Path

import pytest

from jingzhun.cli import main
from jingzhun.core.models import AuditEntry
from jingzhun.ledger.models import Escalation, Item, Step

pytestmark = pytest.mark.django_db

GOLDEN = Path(__file__).parent / "golden"
XLSX = GOLDEN / "ledger_libreoffice.xlsx"


def _write(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def _problem_rows(*extra: list[str]) -> list[list[str]]:
    header = [
        "问题编号",
        "问题来源",
        "交办日期",
        "问题描述",
        "涉及地区代码",
        "涉及户编号",
        "责任单位",
        "责任人",
        "整改时限",
        "整改措施",
        "状态",
        "销号日期",
    ]
    good = [
        "WT-9",
        "审计",
        "2018-04-01",
        "资金拨付滞后",
        "430821102000",
        "",
        "县水利局",
        "王科长",
        "2018-06-15",
        "",
        "",
        "",
    ]
    return [header, good, *extra]


@pytest.fixture
def water(regions):
    from jingzhun.assistance.models import HelpUnit

    return HelpUnit.objects.create(name="县水利局", affiliation="县直")


def test_it_imports_the_libreoffice_golden_file_and_lists_exactly(regions, tmp_path, capsys):
    assert main(["ledger", "import", str(XLSX)]) == 0
    assert "单位新增 2；事项新增 8" in capsys.readouterr().out
    out = tmp_path / "list.csv"
    assert main(["ledger", "list", "--as-of", "2018-06-30", "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == (GOLDEN / "list_2018-06-30.csv").read_text(encoding="utf-8")
    summary = tmp_path / "summary.csv"
    assert main(["ledger", "summary", "--as-of", "2018-06-30", "--out", str(summary)]) == 0
    assert summary.read_text(encoding="utf-8") == (GOLDEN / "summary_2018-06-30.csv").read_text(
        encoding="utf-8"
    )
    assert "已按时办结回复2件，1件正在办理中" in capsys.readouterr().out


def test_list_filters(regions, tmp_path):
    assert main(["ledger", "import", str(XLSX)]) == 0
    out = tmp_path / "l.csv"
    main(["ledger", "list", "--as-of", "2018-06-30", "--overdue", "--kind", "problem", "--out", str(out)])
    codes = [r[0] for r in csv.reader(out.open(encoding="utf-8"))][1:]
    assert codes == ["WT-2018-001", "WT-2018-002", "WT-2018-004"]
    main(["ledger", "list", "--as-of", "2018-06-30", "--region", "430821001000", "--out", str(out)])
    assert [r[0] for r in csv.reader(out.open(encoding="utf-8"))][1:] == ["WT-2018-003", "XF-2018-002"]
    main(
        [
            "ledger",
            "list",
            "--as-of",
            "2018-06-30",
            "--status",
            "已交办",
            "--kind",
            "问题整改",
            "--out",
            str(out),
        ]
    )
    assert [r[0] for r in csv.reader(out.open(encoding="utf-8"))][1:] == ["WT-2018-003", "WT-2018-004"]
    # an item closed after D is open as of D; on the closing day it is closed
    main(["ledger", "list", "--as-of", "2018-07-05", "--kind", "problem", "--out", str(out)])
    rows = {r[0]: r for r in csv.reader(out.open(encoding="utf-8"))}
    assert rows["WT-2018-004"][8:] == ["已销号", "是", "15"]


def test_current_state_and_history_paths_agree(regions):
    from jingzhun.ledger.reports import Filter, list_rows
    from jingzhun.ledger.selectors import items_visible, system_actor

    main(["ledger", "import", str(XLSX)])
    query = items_visible(system_actor())
    day = date.today()
    assert list_rows(query, Filter(), day) == list_rows(query, Filter(), day, history=True)


def test_it_imports_the_csv_files(regions, water, tmp_path):
    from jingzhun.assistance.models import HelpUnit

    HelpUnit.objects.create(name="县信访局", affiliation="县直")
    assert main(["ledger", "import", str(GOLDEN / "问题.csv")]) == 0  # GB18030
    assert main(["ledger", "import", str(GOLDEN / "信访.csv")]) == 0  # UTF-8 with BOM
    assert Item.objects.filter(kind="problem").count() == 4
    assert Item.objects.get(code="XF-2018-001").petitioner_phone == "13907441234"


def test_bad_input_is_all_or_nothing_with_excel_rows(regions, water, tmp_path, capsys):
    bad = _problem_rows(
        [
            "WT-9",
            "审计",
            "2018-04-01",
            "重复",
            "430821102000",
            "",
            "县水利局",
            "王科长",
            "2018-06-15",
            "",
            "",
            "",
        ],
        [
            "WT-10",
            "巡视",
            "2018-04-01",
            "来源不对",
            "430821102000",
            "",
            "县水利局",
            "王",
            "2018-06-15",
            "",
            "",
            "",
        ],
        [
            "WT-11",
            "审计",
            "2018-04-01",
            "单位不存在",
            "430821102000",
            "",
            "县教育局",
            "王",
            "2018-06-15",
            "",
            "",
            "",
        ],
        [
            "WT-12",
            "审计",
            "2018-04-01",
            "地区不存在",
            "430821999999",
            "",
            "县水利局",
            "王",
            "2018-06-15",
            "",
            "",
            "",
        ],
        [
            "WT-13",
            "审计",
            "2018-04-01",
            "时限早于交办",
            "430821102000",
            "",
            "县水利局",
            "王",
            "2018-03-15",
            "",
            "",
            "",
        ],
        [
            "WT-14",
            "审计",
            "2018-04-01",
            "无销号日期",
            "430821102000",
            "",
            "县水利局",
            "王",
            "2018-06-15",
            "",
            "已销号",
            "",
        ],
        [
            "WT-15",
            "审计",
            "2018-04-01",
            "户不存在",
            "430821102000",
            "H404",
            "县水利局",
            "王",
            "2018-06-15",
            "",
            "",
            "",
        ],
        [
            "WT-16",
            "审计",
            "2018-04-01",
            "状态不对",
            "430821102000",
            "",
            "县水利局",
            "王",
            "2018-06-15",
            "",
            "完成",
            "",
        ],
        ["WT-17", "审计", "2018-13-01", "", "430821102000", "", "县水利局", "王", "2018-06-15", "", "", ""],
    )
    path = _write(tmp_path / "问题.csv", bad)
    report = tmp_path / "errors.csv"
    assert main(["ledger", "import", str(path), "--errors-out", str(report)]) == 1
    err = capsys.readouterr().err
    assert "问题表第3行【问题编号】“WT-9”：编号与第2行重复" in err
    assert "问题表第4行【问题来源】“巡视”：问题来源应为：中央巡视" in err
    assert "问题表第5行【责任单位】“县教育局”：单位不存在" in err
    assert "问题表第6行【涉及地区代码】“430821999999”：行政区划代码不存在" in err
    assert "问题表第7行【整改时限】“2018-03-15”：时限 2018-03-15 不能早于交办日期 2018-04-01" in err
    assert "问题表第8行【销号日期】：状态为已销号时销号日期必填" in err
    assert "问题表第9行【涉及户编号】“H404”：户编号不存在" in err
    assert "问题表第10行【状态】“完成”：状态应为：待交办、已交办" in err
    assert "问题表第11行【交办日期】“2018-13-01”：“2018-13-01”不是有效的日期" in err
    assert "问题表第11行【问题描述】：问题描述必填" in err
    assert Item.objects.count() == 0 and Step.objects.count() == 0
    assert "编号与第2行重复" in report.read_text(encoding="utf-8-sig")


def test_a_missing_required_column_is_an_error(regions, water, tmp_path, capsys):
    rows = [r[:-4] for r in _problem_rows()]  # no 整改时限 …
    assert main(["ledger", "import", str(_write(tmp_path / "问题.csv", rows))]) == 1
    assert "缺少必填列“整改时限”" in capsys.readouterr().err


def test_scope_of_the_importer(regions, water, tmp_path, village_cadre, capsys):
    path = _write(tmp_path / "问题.csv", _problem_rows())
    assert main(["ledger", "import", str(path), "--user", "village"]) == 1
    assert "没有导入台账的权限" in capsys.readouterr().err
    from jingzhun.accounts.services import role_grant, user_create

    user, _ = user_create(username="tw", password="Pass-word-123", display_name="tw")
    role_grant(user=user, role="county_admin", region_code="430821001000")  # 零阳街道 only
    assert main(["ledger", "import", str(path), "--user", "tw"]) == 1
    assert "问题表第2行【涉及地区代码】“430821102000”：不在您的管辖范围内" in capsys.readouterr().err


def test_reimport_updates_with_history(regions, water, tmp_path, capsys):
    path = _write(tmp_path / "问题.csv", _problem_rows())
    assert main(["ledger", "import", str(path)]) == 0
    rows = _problem_rows()
    rows[1][10:12] = ["已销号", "2018-06-20"]
    rows[1][9] = "已拨付到位"
    assert main(["ledger", "import", str(_write(path, rows))]) == 0
    assert "更新 1" in capsys.readouterr().out
    item = Item.objects.get(code="WT-9")
    assert (item.status, item.closed_on, item.measures) == ("已销号", date(2018, 6, 20), "已拨付到位")
    step = item.steps.last()
    assert step.label == "导入更新" and "状态" in step.note and "整改措施" in step.note
    assert step.on == date(2018, 6, 20)
    entry = AuditEntry.objects.filter(object_type="ledger_item", action="ledger.import_update").get()
    assert entry.before["status"] == "已交办" and entry.after["status"] == "已销号"
    assert main(["ledger", "import", str(path)]) == 0
    assert "未变 1" in capsys.readouterr().out


def test_escalate_command_is_idempotent(regions, capsys):
    main(["ledger", "import", str(XLSX)])
    assert main(["ledger", "escalate", "--as-of", "2018-06-30"]) == 0
    # WT-2018-002 (15 days) and XF-2018-002 (20 days) are open and overdue
    assert "提醒 2 件，督办 2 件，通报 2 件，约谈 0 件" in capsys.readouterr().out
    assert main(["ledger", "escalate", "--as-of", "2018-06-30"]) == 0
    assert "提醒 0 件" in capsys.readouterr().out
    assert Escalation.objects.count() == 6


def test_usage_errors(regions, tmp_path, capsys):
    assert main(["ledger", "list", "--kind", "nope", "--out", str(tmp_path / "x.csv")]) == 1
    assert "未知的类型" in capsys.readouterr().err
    assert main(["ledger", "summary", "--as-of", "2018-02-30", "--out", str(tmp_path / "x.csv")]) == 1
    assert main(["ledger", "import", str(tmp_path / "missing.xlsx")]) == 1
    other = tmp_path / "其他.csv"
    shutil.copy(GOLDEN / "问题.csv", other)
    assert main(["ledger", "import", str(other)]) == 1
    assert "CSV 文件名应为" in capsys.readouterr().err


def test_bad_petition_unit_and_household_rows_are_all_or_nothing_with_excel_rows(
    regions, water, household, tmp_path, capsys
):
    """The 单位 and 信访 sheets' errors and a household outside the problem's region, each with the row
    Excel shows; the bad rows write nothing — not the good petition, not the new unit."""
    from openpyxl import Workbook

    from jingzhun.assistance.models import HelpUnit

    book = Workbook()
    units = book.active
    units.title = "单位"
    for row in (["单位名称", "类别", "隶属"], ["县信访局", "行业部门", "县直"], ["县某局", "机关", "县直"]):
        units.append(row)
    units.append(["县他局", "行业部门", "中央"])
    petitions = book.create_sheet("信访")
    petitions.append(
        ["信访编号", "来源层级", "登记日期", "信访人", "联系电话", "反映问题", "涉及地区代码", "办理单位"]
        + ["办理时限", "状态", "办结日期", "答复意见"]
    )

    def petition(code, level, text, unit="县水利局", limit="", status="", closed=""):
        petitions.append(
            [code, level, "2018-05-20", "", "", text, "430821102000", unit, limit, status, closed, ""]
        )

    petition("XF-1", "县本级", "道路损坏", unit="县信访局")  # row 2: good, with the new unit
    petition("XF-1", "县本级", "重复")
    petition("XF-2", "国家", "层级错")
    petition("XF-3", "县本级", "未写办结日期", status="已办结")
    petition("XF-4", "县本级", "办理中有办结日期", status="办理中", closed="2018-06-01")
    petition("XF-5", "县本级", "单位不存在", unit="县无此局")
    petition("XF-6", "县本级", "时限早于登记", limit="2018-05-01")
    petition("XF-7", "县本级", "办结早于登记", status="已办结", closed="2018-05-01")
    problems = book.create_sheet("问题")
    problems.append(
        ["问题编号", "问题来源", "交办日期", "问题描述", "涉及地区代码", "涉及户编号"]
        + ["责任单位", "责任人", "整改时限"]
    )
    problems.append(
        [
            "WT-1",
            "审计",
            "2018-04-01",
            "户在别处",
            "430821001000",
            household.code,
            "县水利局",
            "王",
            "2018-06-15",
        ]
    )
    path = tmp_path / "台账.xlsx"
    book.save(path)
    assert main(["ledger", "import", str(path)]) == 1
    err = capsys.readouterr().err
    assert "单位表第3行【类别】“机关”：类别应为：" in err
    assert "单位表第4行【隶属】“中央”：隶属应为：省直、市直、县直、乡镇、村级" in err
    assert "信访表第3行【信访编号】“XF-1”：编号与第2行重复" in err
    assert "信访表第4行【来源层级】“国家”：来源层级应为：中央交办、省交办、市交办、县本级" in err
    assert "信访表第5行【办结日期】：状态为已办结时办结日期必填" in err
    assert "信访表第6行【办结日期】“2018-06-01”：状态为办理中时不应填写办结日期" in err
    assert "信访表第7行【办理单位】“县无此局”：单位不存在" in err
    assert "信访表第8行【办理时限】“2018-05-01”：时限 2018-05-01 不能早于交办日期 2018-05-20" in err
    assert "信访表第9行【办结日期】“2018-05-01”：不能早于交办/登记日期" in err
    assert f"问题表第2行【涉及户编号】“{household.code}”：该户不在涉及地区 430821001000 内" in err
    assert Item.objects.count() == 0 and Step.objects.count() == 0
    assert not HelpUnit.objects.filter(name="县信访局").exists()


def test_a_petition_without_a_limit_gets_registration_plus_15_plus_60_days(regions, water, tmp_path):
    rows = [
        ["信访编号", "来源层级", "登记日期", "反映问题", "涉及地区代码", "办理单位"],
        ["XF-9", "市交办", "2018-05-20", "道路损坏", "430821102000", "县水利局"],
    ]
    assert main(["ledger", "import", str(_write(tmp_path / "信访.csv", rows))]) == 0
    item = Item.objects.get(code="XF-9")
    assert (item.status, item.deadline, item.due_on) == ("登记", date(2018, 8, 3), date(2018, 8, 3))
