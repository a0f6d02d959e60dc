"""The compiled row plan of the departmental import (`verification.dataset_rows`) gives, cell for cell,
what the per-cell parsers of `core.fields` and `lib.idcard` give: the same typed values, the same
fingerprint as `importer.fingerprint`, the same JSON row, and the same errors with their row and column
— on the fast paths (18 ASCII digits, ISO dates, plain texts) and off them."""

from __future__ import annotations

import json
import re
from datetime import datetime

import pytest

from jingzhun.core.fields import parse_date
from jingzhun.rules.datasets import RECORD_COLUMNS, SPEC_BY_NAME
from jingzhun.verification.dataset_rows import SheetRows, split_id
from jingzhun.verification.dataset_workers import copy_text
from jingzhun.verification.importer import fingerprint
from jingzhun.workbook.issues import ImportResult

ID1 = "430821197005010012"


def _rows(name, header, rows):
    result = ImportResult()
    plan = SheetRows(SPEC_BY_NAME[name], header, result)
    out = list(plan.records(iter(enumerate(rows, 2)), 7, lambda: True))
    errors = [(e.row, e.column, e.value, e.message) for e in result.errors]
    # the same rows as PostgreSQL's COPY reads them (the worker processes' form): the same values
    copied = ImportResult()
    lines = list(
        SheetRows(SPEC_BY_NAME[name], header, copied).records(
            iter(enumerate(rows, 2)), 7, lambda: True, copy=True
        )
    )
    assert [(e.row, e.column, e.value, e.message) for e in copied.errors] == errors
    assert _from_copy(copy_text(lines)) == [tuple(None if v is None else str(v) for v in row) for row in out]
    return out, errors


def _from_copy(data):
    """COPY text format back to values, as the server reads it."""
    escapes = {"\\\\": "\\", "\\t": "\t", "\\n": "\n", "\\r": "\r"}

    def value(field):
        if field == "\\N":
            return None
        return re.sub(r"\\[\\tnr]", lambda m: escapes[m.group(0)], field)

    text = data.decode("utf-8")
    assert text == "" or text.endswith("\n")
    return [tuple(value(f) for f in line.split("\t")) for line in text.split("\n")[:-1]]


def _record(row):
    return dict(zip(RECORD_COLUMNS, row, strict=True))


@pytest.mark.parametrize(
    "number",
    [ID1, "43082119700501001x", " 430821 197005010012 ", "430821700501001", ID1 + "41", "430821197002300012"],
)
def test_ids_on_and_off_the_fast_path(number):
    from jingzhun.lib import idcard

    out, errors = _rows("财政供养", ["证件号码", "姓名", "工作单位"], [[number, "张三", "县一中"]])
    assert errors == []
    rec = _record(out[0])
    normal = idcard.normalize(number)
    id18, kind, birth, gender = split_id(normal)
    assert (rec["id_number"], rec["id18"], rec["id_kind"], rec["gender"]) == (normal, id18, kind, gender)
    assert rec["birth_date"] == (birth.isoformat() if birth else None)
    assert rec["key"] == fingerprint("财政供养", {"证件号码": normal, "姓名": "张三", "工作单位": "县一中"})
    assert json.loads(rec["data"]) == [normal, "张三", "县一中"]


@pytest.mark.parametrize("given", ["2024-01-05", "2024/1/5", "20240105", "2024.01.05", "2024年1月5日", ""])
def test_dates_as_the_parser_reads_them(given):
    out, errors = _rows("死亡人口", ["证件号码", "姓名", "死亡日期"], [[ID1, "张三", given]] * 3)
    assert errors == ([] if given else [(r, "死亡日期", "", "死亡日期不能为空") for r in (2, 3, 4)])
    if given:
        expected = parse_date(given)
        assert [_record(r)["date1"] for r in out] == [expected.isoformat()] * 3


def test_errors_name_row_and_column_every_time_even_when_remembered():
    rows = [[ID1, "张三", "2024-02-30"], [ID1, "张三", "2024-02-30"], ["4.30821E+17", "", "2024-01-01"]]
    out, errors = _rows("死亡人口", ["证件号码", "姓名", "死亡日期"], rows)
    bad_date = "“2024-02-30”不是有效的日期，应为 YYYY-MM-DD、YYYY/MM/DD 或 YYYYMMDD"
    assert errors == [
        (2, "死亡日期", "2024-02-30", bad_date),
        (3, "死亡日期", "2024-02-30", bad_date),
        (4, "证件号码", "4.30821E+17", "证件号码被 Excel 转成了数字，请把该列设为文本后重新填写"),
        (4, "姓名", "", "姓名不能为空"),
    ]
    assert out == []


def test_vocabularies_amounts_and_years():
    out, errors = _rows(
        "工商注册",
        ["证件号码", "姓名", "企业名称", "身份", "注册资本（万元）", "经营状态"],
        [[ID1, "张三", "某公司", "股东", "1,234.5", "存续"], [ID1, "张三", "某公司", "股东", "很多", "存续"]],
    )
    assert _record(out[0])["amount"] == "1234.5000"
    assert errors == [(3, "注册资本（万元）", "很多", "“很多”不是有效的数值")]
    out, errors = _rows(
        "医保参保",
        ["证件号码", "姓名", "参保年度", "参保状态"],
        [[ID1, "张三", "2024年", "参保"], [ID1, "张三", "2024", "断保"]],
    )
    assert _record(out[0])["year"] == 2024
    assert errors == [(3, "参保状态", "断保", "“断保”不是有效的值，可选：参保、未参保")]


def test_texts_that_need_the_json_encoder_and_other_column_orders():
    header = ["备注", "工作单位", "姓名", "证件号码"]
    cells = ['他说"好"\\', "县\u3000一中", " 张三 ", ID1]
    out, errors = _rows("财政供养", header, [cells])
    assert errors == []
    rec = _record(out[0])
    assert json.loads(rec["data"]) == ['他说"好"\\', "县 一中", "张三", ID1]
    assert rec["key"] == fingerprint(
        "财政供养", {"证件号码": ID1, "姓名": "张三", "工作单位": "县 一中", "备注": '他说"好"\\'}
    )


def test_xlsx_cells_that_are_not_text():
    out, errors = _rows(
        "商品房",
        ["证件号码", "姓名", "房屋坐落", "建筑面积", "登记日期"],
        [[ID1, "张三", "1号", 98.5, datetime(2020, 3, 1)]],
    )
    assert errors == []
    rec = _record(out[0])
    assert (rec["amount"], rec["date1"], json.loads(rec["data"])) == (
        "98.5000",
        "2020-03-01",
        [ID1, "张三", "1号", "98.5", "2020-03-01"],
    )


@pytest.mark.parametrize(
    "cell",
    [
        " 县一中",
        "县一中 ",
        "县 一中",
        "\t县一中",
        "县一中\xa0",
        "县\u3000一中",
        "县一中\x1f",
        "\x1f县一中",
        "县\x85",
    ],
)
def test_white_space_and_separators_inside_cells_with_an_ordinary_id(cell):
    """The 18-digit ID's row is joined as it is only when no cell needs stripping: any white space at a
    cell's edge, an ideographic space or a separator inside a cell takes the per-cell way."""
    from jingzhun.core.fields import text

    out, errors = _rows(
        "财政供养", ["证件号码", "姓名", "工作单位"], [[ID1, "张三", cell], [ID1, cell, "县一中"]]
    )
    assert errors == []
    last, middle = (_record(r) for r in out)
    assert json.loads(last["data"]) == [ID1, "张三", text(cell)]
    assert last["key"] == fingerprint("财政供养", {"证件号码": ID1, "姓名": "张三", "工作单位": text(cell)})
    assert (middle["name"], json.loads(middle["data"])) == (text(cell), [ID1, text(cell), "县一中"])
    assert middle["key"] == fingerprint(
        "财政供养", {"证件号码": ID1, "姓名": text(cell), "工作单位": "县一中"}
    )


@pytest.mark.parametrize(
    "cell", ["县\t一中", "县\n一中", "县\r\n一中", "县\\一中", '县"一中', "县\\N", "\\N", "县\\t一中"]
)
def test_cells_that_need_copy_escapes_come_back_from_copy_as_they_were(cell):
    """A tab, newline, carriage return or backslash in a cell: the row comes as a tuple and COPY's
    escapes keep the cell as it was (`_rows` reads the COPY text back)."""
    out, errors = _rows(
        "财政供养", ["证件号码", "姓名", "工作单位"], [[ID1, cell, cell], ["430821700501001", cell, "县一中"]]
    )
    assert errors == [] and _record(out[0])["name"] == cell


def test_copy_lines_of_plain_rows_are_made_in_the_check():
    result = ImportResult()
    plan = SheetRows(
        SPEC_BY_NAME["车辆登记"], ["证件号码", "姓名", "号牌号码", "车辆类型", "注册日期"], result
    )
    rows = [[ID1, "张三", "湘G1", "小型轿车", "2024-01-01"], [ID1, "张三", "湘G2", "小型轿车", ""]]
    lines = list(plan.records(iter(enumerate(rows, 2)), 7, lambda: True, copy=True))
    assert result.ok and len(lines) == 2
    assert all(line.__class__ is str and line.endswith("\n") for line in lines)
    assert [line.split("\t")[8] for line in lines] == ["2024-01-01", "\\N"]  # 注册日期 empty: NULL
