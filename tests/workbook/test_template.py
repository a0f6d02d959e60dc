"""The import template (`jingzhun registry template`, `workbook:template`): every sheet the importer reads —
户 · 成员 · 村 and the optional 帮扶责任人 · 帮扶措施 — with the importer's headers, dropdowns from the
importer's own value lists, text-formatted ID/code/phone columns and a 填表说明 row per column; empty or
filled in, it imports."""

from __future__ import annotations

from datetime import date

import openpyxl
import pytest
import xlsxwriter

from jingzhun.assistance import models as am
from jingzhun.assistance import sheets as assistance
from jingzhun.registry.models import Household, Member
from jingzhun.workbook.columns import SHEETS
from jingzhun.workbook.importer import import_path
from jingzhun.workbook.template import OPTIONS_SHEET, _Options, write_template
from tests.factories import household_row, member_row
from tests.workbook.conftest import messages

REGISTRY = [s.name for s in SHEETS]
HELP = [assistance.PAIRING_SHEET, assistance.MEASURE_SHEET]


@pytest.fixture
def template(tmp_path) -> str:
    out = tmp_path / "导入模板.xlsx"
    write_template(str(out))
    return str(out)


def _headers(ws) -> list[str]:
    return [c.value for c in ws[1] if c.value is not None]


def _is_text(ws, col: int) -> bool:
    """The column's default style is the text format `@` (xlsxwriter's set_column)."""
    return any(
        d.min <= col <= d.max and d.number_format == "@" for d in ws.column_dimensions.values() if d.min
    )


def _dropdowns(ws) -> dict[str, str]:
    """Header → the list formula of its column's data validation."""
    headers = _headers(ws)
    out = {}
    for dv in ws.data_validations.dataValidation:
        first = str(dv.sqref).split(":")[0]
        column = openpyxl.utils.cell.column_index_from_string(first.rstrip("0123456789"))
        assert first.endswith("2")  # from the first data row
        out[headers[column - 1]] = dv.formula1
    return out


def test_the_help_sheets_follow_the_registry_sheets_with_the_importers_headers(template):
    book = openpyxl.load_workbook(template)
    assert book.sheetnames == [*REGISTRY, *HELP, "填表说明"]
    assert OPTIONS_SHEET not in book.sheetnames  # every list fits inline; no stray 选项 sheet
    assert book.active.title == "户"
    for sheet in SHEETS:
        assert _headers(book[sheet.name]) == sheet.headers
    assert _headers(book[assistance.PAIRING_SHEET]) == [c[1] for c in assistance.PAIRING_COLUMNS]
    assert _headers(book[assistance.MEASURE_SHEET]) == [c[1] for c in assistance.MEASURE_COLUMNS]


def test_help_sheets_have_dropdowns_from_the_importers_lists_and_text_ids(template):
    book = openpyxl.load_workbook(template)
    pairing, measure = book[assistance.PAIRING_SHEET], book[assistance.MEASURE_SHEET]

    def values(formula: str) -> list[str]:
        return formula.strip('"').split(",")

    pairing_lists = _dropdowns(pairing)
    assert set(pairing_lists) == {"单位隶属"}
    assert values(pairing_lists["单位隶属"]) == list(am.Affiliation.values)
    measure_lists = _dropdowns(measure)
    assert set(measure_lists) == {"措施类别", "状态"}
    assert values(measure_lists["措施类别"]) == list(am.MeasureCategory.values)
    assert values(measure_lists["状态"]) == list(am.MeasureStatus.values)

    for ws in (pairing, measure):
        for col, header in enumerate(_headers(ws), start=1):
            assert _is_text(ws, col) == (header in assistance.TEXT_HEADERS), header
    assert {"户编号", "帮扶责任人账号", "帮扶责任人手机号"} <= assistance.TEXT_HEADERS
    required = {c.coordinate for c in pairing[1] if c.comment and c.comment.text == "必填"}
    assert required == {"A1", "B1", "G1"}  # 户编号, 帮扶责任人姓名, 开始日期


def test_the_instructions_describe_every_column_of_the_help_sheets(template):
    rows = list(openpyxl.load_workbook(template)["填表说明"].iter_rows(min_row=2, values_only=True))
    described = {(r[0], r[1]): r for r in rows if r[0] in REGISTRY + HELP}
    for name, columns in assistance.SHEET_COLUMNS:
        for _, header, _, required in columns:
            row = described[(name, header)]
            assert row[2] == "是" if required else row[2] in ("否", "二选一"), (name, header)
            assert row[3], (name, header)  # 取值
    assert [r[1] for r in rows if r[0] in HELP] == [
        c[1] for _, columns in assistance.SHEET_COLUMNS for c in columns
    ]
    assert [r[0] for r in rows if r[0] in REGISTRY + HELP][-1] == assistance.MEASURE_SHEET
    assert described[(assistance.PAIRING_SHEET, "帮扶责任人账号")][2] == "二选一"
    assert described[(assistance.PAIRING_SHEET, "单位隶属")][3] == "、".join(am.Affiliation.values)
    assert described[(assistance.MEASURE_SHEET, "状态")][3] == "、".join(am.MeasureStatus.values)
    assert "空 = 实施中" in described[(assistance.MEASURE_SHEET, "状态")][4]
    assert "500" in described[(assistance.MEASURE_SHEET, "措施内容")][3]
    assert "YYYY-MM-DD" in described[(assistance.PAIRING_SHEET, "开始日期")][3]


@pytest.mark.django_db
def test_the_empty_template_imports_without_errors(template, system_actor):
    result = import_path(template, actor=system_actor)
    assert result.ok, messages(result)
    assert not [w for w in result.warnings if w.message == "未知的列，已忽略"]
    assert not Household.objects.exists() and not am.HelperPairing.objects.exists()


def _fill(ws, values: dict[str, object]) -> None:
    headers = _headers(ws)
    assert set(values) <= set(headers), set(values) - set(headers)
    ws.append([values.get(h) for h in headers])


@pytest.mark.django_db
def test_the_filled_template_imports_a_household_with_its_helper_and_measure(template, admin_actor):
    head = member_row("向国强", "户主", date(1968, 4, 12))
    spouse = member_row("李秀兰", "配偶", date(1970, 9, 3), male=False)
    household = household_row("TPL0001", head_name=head["name"], head_id_number=head["id_number"])
    by_label = {sheet.name: {s.name: s.label for s in sheet.specs} for sheet in SHEETS}

    book = openpyxl.load_workbook(template)
    _fill(book["户"], {by_label["户"][k]: v for k, v in household.items()})
    for member in (head, spouse):
        _fill(
            book["成员"],
            {by_label["成员"][k]: v for k, v in {**member, "household_code": "TPL0001"}.items()},
        )
    _fill(
        book[assistance.PAIRING_SHEET],
        {
            "户编号": "TPL0001",
            "帮扶责任人姓名": "向前进",
            "帮扶责任人手机号": "13907440001",
            "帮扶单位": "慈利县教育局",
            "单位隶属": "县直",
            "开始日期": "2018-01-01",
        },
    )
    _fill(
        book[assistance.MEASURE_SHEET],
        {
            "户编号": "TPL0001",
            "措施类别": "教育",
            "措施内容": "雨露计划",
            "投入资金（元）": 3000,
            "开始日期": date(2018, 9, 1),  # an Excel date cell
            "预计增收（元/年）": "1,200.50",
            "状态": "实施中",
        },
    )
    filled = template.replace(".xlsx", "-已填.xlsx")
    book.save(filled)

    result = import_path(filled, actor=admin_actor)
    assert result.ok, messages(result)
    saved = Household.objects.get(code="TPL0001")
    assert Member.objects.filter(household=saved).count() == 2
    pairing = am.HelperPairing.objects.get(household=saved)
    assert (pairing.helper.username, pairing.started_on, pairing.ended_on) == (
        "bf-13907440001",
        date(2018, 1, 1),
        None,
    )
    assert am.HelpUnit.objects.get(name="慈利县教育局").affiliation == "县直"
    measure = am.HelpMeasure.objects.get(household=saved)
    assert (measure.category, measure.content, measure.funds, measure.started_on, measure.status) == (
        "教育",
        "雨露计划",
        3000,
        date(2018, 9, 1),
        "实施中",
    )
    assert str(measure.expected_income_gain) == "1200.50"


def test_a_list_too_long_for_excel_goes_through_the_hidden_options_sheet(tmp_path):
    options = _Options()
    short = ("是", "否")
    long = tuple(f"选项{i:03d}" for i in range(60))  # 60 × 6 characters > Excel's 255
    assert options.source(short) == ["是", "否"]
    assert options.source(long) == f"={OPTIONS_SHEET}!$A$1:$A$60"
    out = tmp_path / "x.xlsx"
    workbook = xlsxwriter.Workbook(str(out))
    workbook.add_worksheet("户")
    options.write(workbook)
    workbook.close()
    book = openpyxl.load_workbook(out)
    assert book[OPTIONS_SHEET].sheet_state == "hidden" and book[OPTIONS_SHEET]["A60"].value == "选项059"
