"""The import template (导入模板): an empty workbook with the headers, dropdowns for enum columns, ID and
code columns formatted as text, and a 填表说明 sheet describing every column — generated from the
FieldSpecs, so it never drifts from what the importer accepts."""

from __future__ import annotations

import xlsxwriter

from jingzhun.registry.fields import parse_bool
from jingzhun.workbook.columns import SHEETS, TEXT_COLUMNS
from jingzhun.workbook.sheetwriter import XlsxBook

TEMPLATE_ROWS = 5000  # rows that carry the dropdowns and the text format
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


def _kind(spec) -> str:
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


def write_template(out: str) -> None:
    book = XlsxBook(out, constant_memory=False)  # data validation needs the normal (in-memory) mode
    workbook: xlsxwriter.Workbook = book.workbook
    lists = workbook.add_worksheet("选项")
    list_col = 0
    for sheet in SHEETS:
        writer = book.sheet(sheet)
        ws = writer.worksheet
        for col, spec in enumerate(sheet.specs):
            choices: list[str] = list(spec.choices)
            if spec.parse is parse_bool:
                choices = ["是", "否"]
            if spec.name == "exit_state":
                choices = ["未出列", "已出列"]
            if choices:
                if len("，".join(choices)) < 250:
                    source: object = choices
                else:  # long lists (56 民族) go through a range on the hidden 选项 sheet
                    for r, value in enumerate(choices):
                        lists.write_string(r, list_col, value)
                    letter = xlsxwriter.utility.xl_col_to_name(list_col)
                    source = f"=选项!${letter}$1:${letter}${len(choices)}"
                    list_col += 1
                ws.data_validation(
                    1,
                    col,
                    TEMPLATE_ROWS,
                    col,
                    {
                        "validate": "list",
                        "source": source,
                        "ignore_blank": True,
                        "error_title": spec.label,
                        "error_message": f"请从下拉列表中选择{spec.label}",
                    },
                )
            if spec.required:
                ws.write_comment(0, col, "必填")
    lists.hide()
    notes = workbook.add_worksheet("填表说明")
    bold = workbook.add_format({"bold": True, "bg_color": "#F2DCDB", "border": 1})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    notes.set_column(0, 0, 8)
    notes.set_column(1, 1, 22)
    notes.set_column(2, 2, 8)
    notes.set_column(3, 3, 48)
    notes.set_column(4, 4, 60)
    notes.write_row(0, 0, ["工作表", "列名", "必填", "取值", "说明"], bold)
    row = 1
    for sheet in SHEETS:
        for spec in sheet.specs:
            notes.write_row(
                row,
                0,
                [
                    sheet.name,
                    spec.label,
                    "是" if spec.required else "否",
                    _kind(spec),
                    NOTES.get(spec.name) or spec.help,
                ],
                wrap,
            )
            row += 1
    notes.write_string(
        row + 1,
        0,
        "导入规则：全有或全无——任何一处错误都不会写入任何数据，并生成错误报告（工作表、行号、列、值、说明）。"
        "CSV 文件（户.csv、成员.csv、村.csv）可用 UTF-8 或 GB18030/GBK 编码。",
    )
    book.close()
