"""Workbook sheets 帮扶责任人 and 帮扶措施: read with row-level errors, written without overwriting history,
exported in the same columns."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from jingzhun.assistance import models as m
from jingzhun.assistance import sheets
from jingzhun.workbook.file_reader import Workbook
from jingzhun.workbook.issues import ImportResult

PAIR_HEADER = [
    "户编号",
    "帮扶责任人姓名",
    "帮扶责任人账号",
    "帮扶责任人手机号",
    "帮扶单位",
    "单位隶属",
    "开始日期",
    "结束日期",
]
MEASURE_HEADER = [
    "户编号",
    "措施类别",
    "措施内容",
    "投入资金（元）",
    "开始日期",
    "结束日期",
    "预计增收（元/年）",
    "状态",
]


def _folder(tmp_path: Path, pairings: list[list[str]], measures: list[list[str]]) -> Path:
    folder = tmp_path / "book"
    folder.mkdir()
    for name, header, rows in (
        (sheets.PAIRING_SHEET, PAIR_HEADER, pairings),
        (sheets.MEASURE_SHEET, MEASURE_HEADER, measures),
    ):
        with (folder / f"{name}.csv").open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(header)
            writer.writerows(rows)
    return folder


def _load(folder: Path, known: set[str]) -> tuple[sheets.Rows, ImportResult]:
    result = ImportResult()
    with Workbook(str(folder)) as book:
        rows = sheets.parse_sheets(book, result)
    sheets.check(rows, known_codes=known, result=result)
    return rows, result


def test_it_imports_pairings_with_history_and_measures(tmp_path, admin_actor, household, helper_user):
    code = household.code
    folder = _folder(
        tmp_path,
        [
            [code, "向前进", "xqj", "13907440001", "慈利县教育局", "县直", "2016-03-01", "2017/12/31"],
            [code, "helper", "helper", "", "", "", "20180101", ""],
        ],
        [
            [code, "金融", "小额信贷5万元", "50,000", "2018-03-01", "", "3000", "实施中"],
            [code, "教育", "雨露计划", "", "2018-09-01", "2019-06-30", "", "已完成"],
        ],
    )
    rows, result = _load(folder, {code})
    assert result.ok, result.errors
    written = sheets.write(rows, actor=admin_actor, household_ids={code: household.pk})
    assert (written.pairings_new, written.helpers_new, written.measures_new) == (2, 1, 2)
    history = list(m.HelperPairing.objects.filter(household=household).order_by("started_on"))
    assert [(p.helper.username, p.ended_on) for p in history] == [
        ("xqj", date(2017, 12, 31)),
        ("helper", None),
    ]
    assert m.HelpUnit.objects.get(name="慈利县教育局").affiliation == "县直"
    assert m.HelpMeasure.objects.get(category="金融(小额信贷及贴息)").funds == 50000

    # re-import: same rows change nothing; a changed status updates the measure
    (folder / f"{sheets.MEASURE_SHEET}.csv").write_text(
        ",".join(MEASURE_HEADER) + f"\n{code},金融,小额信贷5万元,50000,2018-03-01,2019-03-01,3000,已完成\n",
        encoding="utf-8",
    )
    rows, result = _load(folder, {code})
    again = sheets.write(rows, actor=admin_actor, household_ids={code: household.pk})
    assert (again.pairings_new, again.measures_new, again.measures_updated) == (0, 0, 1)
    assert m.HelperPairing.objects.filter(household=household).count() == 2


def test_a_new_current_helper_in_the_file_ends_the_open_pairing(
    tmp_path, admin_actor, household, helper_user
):
    from jingzhun.assistance.services import helper_assign

    helper_assign(actor=admin_actor, household=household, helper=helper_user, started_on=date(2018, 1, 1))
    folder = _folder(
        tmp_path, [[household.code, "新帮扶人", "", "13907440002", "", "", "2019-05-01", ""]], []
    )
    rows, result = _load(folder, {household.code})
    sheets.write(rows, actor=admin_actor, household_ids={household.code: household.pk})
    old = m.HelperPairing.objects.get(household=household, helper=helper_user)
    assert old.ended_on == date(2019, 5, 1)
    assert (
        m.HelperPairing.objects.get(household=household, ended_on__isnull=True).helper.username
        == "bf-13907440002"
    )


def test_it_reports_row_level_errors_in_chinese(tmp_path, regions):
    folder = _folder(
        tmp_path,
        [
            ["H1", "张三", "", "", "", "", "2018-01-01", ""],  # neither account nor phone
            ["H1", "李四", "ls", "", "新单位", "", "2018-13-01", ""],  # bad date, new unit without 隶属
            ["H2", "王五", "ww", "", "", "", "2018-01-01", "2017-01-01"],  # end before start
            ["H3", "赵六", "zl", "", "", "", "2018-01-01", ""],
            ["H3", "钱七", "qq", "", "", "", "2018-02-01", ""],  # two current helpers
        ],
        [["H9", "炒股", "", "-5", "2018-01-01", "", "", ""]],
    )
    rows, result = _load(folder, {"H1", "H2", "H3"})
    found = {(e.sheet, e.row, e.column) for e in result.errors}
    assert (sheets.PAIRING_SHEET, 2, "帮扶责任人账号") in found
    assert (sheets.PAIRING_SHEET, 3, "开始日期") in found
    assert (sheets.PAIRING_SHEET, 4, "结束日期") in found
    assert (sheets.PAIRING_SHEET, 6, "结束日期") in found
    assert {(sheets.MEASURE_SHEET, 2, c) for c in ("措施类别", "措施内容", "投入资金（元）")} <= found
    assert all(e.message for e in result.errors)


def test_it_refuses_unknown_household_codes(tmp_path, regions):
    folder = _folder(tmp_path, [["NOPE", "张三", "zs", "", "", "", "2018-01-01", ""]], [])
    _, result = _load(folder, set())
    assert [(e.row, e.column) for e in result.errors] == [(2, "户编号")]


def test_it_exports_both_sheets_for_the_households_in_scope(
    admin_actor, household, helper_user, village_cadre, other_village_cadre
):
    from jingzhun.accounts.access import actor_for
    from jingzhun.assistance.services import helper_assign, measure_add
    from jingzhun.registry.selectors import households_visible

    helper_assign(actor=admin_actor, household=household, helper=helper_user, started_on=date(2018, 1, 1))
    measure_add(
        actor=admin_actor,
        household=household,
        data={"category": "光伏", "content": "光伏收益", "funds": "1200.5", "started_on": "2018-01-01"},
    )
    out = {
        name: (headers, list(rows))
        for name, headers, rows in sheets.export_sheets(
            households=households_visible(actor_for(village_cadre))
        )
    }
    assert out[sheets.PAIRING_SHEET][0] == PAIR_HEADER
    assert out[sheets.PAIRING_SHEET][1] == [
        [household.code, "helper", "helper", "", "", "", "2018-01-01", ""]
    ]
    assert out[sheets.MEASURE_SHEET][0] == MEASURE_HEADER
    assert out[sheets.MEASURE_SHEET][1] == [
        [household.code, "光伏", "光伏收益", 1200.5, "2018-01-01", "", "", "实施中"]
    ]
    outsider = {
        name: list(rows)
        for name, _, rows in sheets.export_sheets(
            households=households_visible(actor_for(other_village_cadre))
        )
    }
    assert outsider == {sheets.PAIRING_SHEET: [], sheets.MEASURE_SHEET: []}
