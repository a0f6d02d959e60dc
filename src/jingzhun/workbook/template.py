"""The import template (导入模板): an empty workbook with the headers, dropdowns for enum columns, ID and
code columns formatted as text, and a 填表说明 sheet describing every column — generated from the
FieldSpecs of the registry sheets (户 · 成员 · 村) and the column definitions of the optional sheets
帮扶责任人 · 帮扶措施 (`assistance.sheets`), so it never drifts from what the importer accepts."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import xlsxwriter

from jingzhun.assistance import sheets as assistance
from jingzhun.registry.fields import FieldSpec, parse_bool, parse_date, parse_money, parse_phone
from jingzhun.workbook.columns import SHEETS, TEXT_COLUMNS, Sheet
from jingzhun.workbook.sheet_writers import XlsxBook

TEMPLATE_ROWS = 5000  # rows that carry the dropdowns and the text format
OPTIONS_SHEET = "选项"  # hidden; holds the lists too long for an inline dropdown, if any
NOTES_SHEET = "填表说明"
NOTES = {
    "code": "文本，在户表中唯一；再次导入同一户编号即更新该户",
    "village_code": "12位村级行政区划代码（须为系统中已有的村）",
    "household_code": "须为户表中已有的户编号",
    "head_name": "须与成员表中与户主关系为“户主”的成员姓名一致",
    "head_id_number": "须与户主成员的证件号码一致；请保持文本格式",
    "id_number": "18位身份证号（校验位正确），或以其开头的20/22位残疾人证号；整个文件中不得重复；请保持文本格式",
    "gender": "须与证件号码第17位一致（奇数男、偶数女）",
    "birth_date": "可不填（从证件号码读取）；填写时须与证件号码一致。YYYY-MM-DD、YYYY/MM/DD 或 YYYYMMDD",
    "relation": "每户有且只有一名“户主”",
    "exit_year": "脱贫状态为已脱贫时必填",
    "income_year": "收入各列所属的年度",
    "other_causes": "最多2项，用 、 , ; 或 ； 分隔",
    "phone": "11位手机号，或带区号的固定电话",
    "housing_safety": "空 = 未鉴定",
    "relocation": "空 = 否",
    "registered_population": "全村户籍人口（含非贫困户）",
    "exit_state": "贫困村必填",
}
_HOUSEHOLD_CODE = "须为本文件户表中的户编号，或登记簿中已有（且在您管辖范围内）的户编号"
ASSISTANCE_NOTES: dict[tuple[str, str], str] = {
    (assistance.PAIRING_SHEET, "household_code"): _HOUSEHOLD_CODE,
    (assistance.PAIRING_SHEET, "helper_name"): "仅凭姓名不能确定帮扶责任人，须同时填写账号或手机号",
    (assistance.PAIRING_SHEET, "helper_username"): (
        "帮扶责任人的系统账号；账号与手机号至少填一项。系统中没有的账号将新建该用户（角色为帮扶责任人）"
    ),
    (assistance.PAIRING_SHEET, "helper_phone"): (
        "账号为空时按手机号确定帮扶责任人（新建用户的账号为 bf-手机号）；请保持文本格式"
    ),
    (assistance.PAIRING_SHEET, "unit"): "单位名称；系统中没有的单位将新建",
    (assistance.PAIRING_SHEET, "affiliation"): "帮扶单位为新单位时必填",
    (assistance.PAIRING_SHEET, "started_on"): (
        "同一户、同一帮扶责任人、同一开始日期的行即为已有的结对，不会重复写入"
    ),
    (assistance.PAIRING_SHEET, "ended_on"): (
        "不得早于开始日期；空 = 当前帮扶责任人（每户最多一行），将结束该户原有的结对。历史结对请填写结束日期"
    ),
    (assistance.MEASURE_SHEET, "household_code"): _HOUSEHOLD_CODE,
    (assistance.MEASURE_SHEET, "category"): "也接受简称：" + "、".join(assistance.CATEGORY_ALIASES),
    (assistance.MEASURE_SHEET, "content"): (
        "户编号、措施类别、措施内容、开始日期都相同即为同一措施：再次导入会更新投入资金、结束日期、预计增收和状态"
    ),
    (assistance.MEASURE_SHEET, "funds"): "空 = 0",
    (assistance.MEASURE_SHEET, "ended_on"): "不得早于开始日期",
    (assistance.MEASURE_SHEET, "status"): "空 = 实施中",
}
_DATE = "日期：YYYY-MM-DD、YYYY/MM/DD、YYYYMMDD 或 Excel 日期"
_EITHER = "二选一"  # 帮扶责任人账号 / 帮扶责任人手机号: at least one of the two


@dataclass(frozen=True)
class TemplateColumn:
    label: str
    required: str  # the 必填 column of 填表说明: 是 · 否 · 二选一
    choices: tuple[str, ...]  # the dropdown; empty = none
    text: bool  # cells formatted as text (`@`)
    kind: str  # the 取值 column of 填表说明
    note: str  # the 说明 column of 填表说明


def _kind(spec: FieldSpec) -> str:
    if spec.choices:
        return "、".join(spec.choices) if len(spec.choices) <= 25 else "见下拉列表"
    if spec.parse is parse_bool:
        return "是 / 否（也接受 1/0、Y/N、√/空）"
    if spec.name in TEXT_COLUMNS:
        return "文本"
    if "收入" in spec.label or "支出" in spec.label or "万元" in spec.label:
        return "金额（元/年，最多两位小数，≥0）" if "万元" not in spec.label else "金额（万元，≥0）"
    if "年度" in spec.label:
        return "4位年份"
    return "文本或数字"


def _registry_columns(sheet: Sheet) -> list[TemplateColumn]:
    return [
        TemplateColumn(
            label=spec.label,
            required="是" if spec.required else "否",
            choices=("是", "否") if spec.parse is parse_bool else spec.choices,
            text=spec.name in TEXT_COLUMNS,
            kind=_kind(spec),
            note=NOTES.get(spec.name) or spec.help,
        )
        for spec in sheet.specs
    ]


def _assistance_kind(label: str, parser: object, choices: tuple[str, ...]) -> str:
    if choices:
        return "、".join(choices)
    if parser is parse_date:
        return _DATE
    if parser is parse_money:
        return "金额（元/年，最多两位小数，≥0）" if "元/年" in label else "金额（元，最多两位小数，≥0）"
    if parser is parse_phone:
        return "11位手机号（文本）"
    if isinstance(parser, assistance.TextParser):
        return f"文本，不超过{parser.max_length}个字"
    return "文本"


def _assistance_columns(name: str, columns: tuple[assistance.Column, ...]) -> list[TemplateColumn]:
    choices = assistance.CHOICES.get(name, {})
    out = []
    for field, label, parser, required in columns:
        allowed = choices.get(field, ())
        out.append(
            TemplateColumn(
                label=label,
                required=(
                    "是" if required else _EITHER if field in ("helper_username", "helper_phone") else "否"
                ),
                choices=allowed,
                text=label in assistance.TEXT_HEADERS,
                kind=_assistance_kind(label, parser, allowed),
                note=ASSISTANCE_NOTES.get((name, field), ""),
            )
        )
    return out


def template_sheets() -> Iterator[tuple[str, list[TemplateColumn]]]:
    """The data sheets of the template in workbook order: 户 · 成员 · 村, then 帮扶责任人 · 帮扶措施."""
    for sheet in SHEETS:
        yield sheet.name, _registry_columns(sheet)
    for name, columns in assistance.SHEET_COLUMNS:
        yield name, _assistance_columns(name, columns)


class _Options:
    """Lists too long for an inline dropdown (Excel allows 255 characters) go to the hidden 选项 sheet,
    one column each. It is written last and only when needed: xlsxwriter cannot hide the first sheet,
    and the first sheet the user sees should be 户."""

    def __init__(self) -> None:
        self.lists: list[tuple[str, ...]] = []

    def source(self, choices: tuple[str, ...]) -> object:
        if len("，".join(choices)) < 250:
            return list(choices)
        self.lists.append(choices)
        letter = xlsxwriter.utility.xl_col_to_name(len(self.lists) - 1)
        return f"={OPTIONS_SHEET}!${letter}$1:${letter}${len(choices)}"

    def write(self, workbook: xlsxwriter.Workbook) -> None:
        if not self.lists:
            return
        sheet = workbook.add_worksheet(OPTIONS_SHEET)
        for col, choices in enumerate(self.lists):
            for row, value in enumerate(choices):
                sheet.write_string(row, col, value)
        sheet.hide()


def _write_sheet(book: XlsxBook, name: str, columns: list[TemplateColumn], options: _Options) -> None:
    ws = book.workbook.add_worksheet(name)
    for col, column in enumerate(columns):
        width = 22 if column.text else max(8, len(column.label) * 2 + 2)
        ws.set_column(col, col, width, book.text_format if column.text else None)
        ws.write_string(0, col, column.label, book.header_format)
        if column.choices:
            ws.data_validation(
                1,
                col,
                TEMPLATE_ROWS,
                col,
                {
                    "validate": "list",
                    "source": options.source(column.choices),
                    "ignore_blank": True,
                    "error_title": column.label,
                    "error_message": f"请从下拉列表中选择{column.label}",
                },
            )
        if column.required == "是":
            ws.write_comment(0, col, "必填")
        elif column.required == _EITHER:
            ws.write_comment(0, col, "帮扶责任人账号与手机号至少填一项")
    ws.freeze_panes(1, 0)


def write_template(out: str) -> None:
    book = XlsxBook(out, constant_memory=False)  # data validation needs the normal (in-memory) mode
    workbook: xlsxwriter.Workbook = book.workbook
    options = _Options()
    sheets = list(template_sheets())
    for name, columns in sheets:
        _write_sheet(book, name, columns, options)
    notes = workbook.add_worksheet(NOTES_SHEET)
    bold = workbook.add_format({"bold": True, "bg_color": "#F2DCDB", "border": 1})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    notes.set_column(0, 0, 10)
    notes.set_column(1, 1, 22)
    notes.set_column(2, 2, 8)
    notes.set_column(3, 3, 48)
    notes.set_column(4, 4, 60)
    notes.write_row(0, 0, ["工作表", "列名", "必填", "取值", "说明"], bold)
    row = 1
    for name, columns in sheets:
        for column in columns:
            notes.write_row(row, 0, [name, column.label, column.required, column.kind, column.note], wrap)
            row += 1
    notes.write_string(
        row + 1,
        0,
        "导入规则：全有或全无——任何一处错误都不会写入任何数据，并生成错误报告（工作表、行号、列、值、说明）。"
        "CSV 文件（户.csv、成员.csv、村.csv）可用 UTF-8 或 GB18030/GBK 编码。",
    )
    notes.write_string(
        row + 2,
        0,
        f"{assistance.PAIRING_SHEET}、{assistance.MEASURE_SHEET}两张表可不填（没有帮扶数据时可删除或留空），"
        "与户、成员、村表同一次导入；作为 CSV 时文件名为 "
        f"{assistance.PAIRING_SHEET}.csv、{assistance.MEASURE_SHEET}.csv。",
    )
    options.write(workbook)
    book.close()
