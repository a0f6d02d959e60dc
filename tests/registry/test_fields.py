"""Field parsers and vocabularies shared by forms, the API and the workbook importer."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jingzhun.regions.fields import VILLAGE_FIELDS
from jingzhun.registry import enums, fields


def _spec(specs, name):
    return next(s for s in specs if s.name == name)


@pytest.mark.parametrize("raw", ["是", "1", "Y", "y", "√", "yes", 1, True])
def test_it_reads_yes_words_as_true(raw):
    assert fields.parse_bool(raw) is True


@pytest.mark.parametrize("raw", ["否", "0", "N", "n", "no", 0, False])
def test_it_reads_no_words_as_false(raw):
    assert fields.parse_bool(raw) is False


@pytest.mark.parametrize("raw", ["", "  ", None])
def test_it_reads_an_empty_yes_no_cell_as_not_given(raw):
    assert fields.parse_bool(raw) is None


def test_it_rejects_an_unknown_yes_no_word_in_chinese():
    with pytest.raises(fields.FieldError, match="不是有效的是/否值"):
        fields.parse_bool("也许")


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("12,345.60", Decimal("12345.60")),
        ("12，345.6", Decimal("12345.60")),
        ("3000元", Decimal("3000.00")),
        (9000, Decimal("9000.00")),
        (1234.5, Decimal("1234.50")),
        ("0", Decimal("0.00")),
    ],
)
def test_it_parses_money_in_the_forms_counties_write_it(raw, expected):
    assert fields.parse_money(raw) == expected


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_it_reads_an_empty_money_cell_as_not_given(raw):
    assert fields.parse_money(raw) is None


@pytest.mark.parametrize(
    "raw, message",
    [
        ("-5", "不能为负数"),
        ("abc", "不是有效的金额"),
        ("12.345", "最多保留两位小数"),
        ("NaN", "不是有效的金额"),
        ("1e12", "金额过大"),
        (True, "金额应为数字"),
    ],
)
def test_it_rejects_bad_money_with_a_chinese_message(raw, message):
    with pytest.raises(fields.FieldError, match=message):
        fields.parse_money(raw)


@pytest.mark.parametrize(
    "raw, expected", [("2018", 2018), (2018, 2018), (2018.0, 2018), ("2018年", 2018), ("", None)]
)
def test_it_parses_years(raw, expected):
    assert fields.parse_year(raw) == expected


@pytest.mark.parametrize(
    "raw, message", [("18", "4位数字"), ("二〇一八", "4位数字"), ("1970", "超出合理范围")]
)
def test_it_rejects_bad_years(raw, message):
    with pytest.raises(fields.FieldError, match=message):
        fields.parse_year(raw)


@pytest.mark.parametrize(
    "raw",
    [
        "2018-03-09",
        "2018/03/09",
        "20180309",
        "2018/3/9",
        "2018年3月9日",
        "2018-03-09 00:00:00",
        43168,
        43168.0,
        datetime(2018, 3, 9, 10, 30),
        date(2018, 3, 9),
    ],
)
def test_it_parses_every_accepted_date_form(raw):
    assert fields.parse_date(raw) == date(2018, 3, 9)


@pytest.mark.parametrize("raw", ["19990230", "1999-02-30", "2018-13-01", "昨天", "3/9/2018"])
def test_it_rejects_impossible_or_unreadable_dates(raw):
    with pytest.raises(fields.FieldError, match="不是有效的日期"):
        fields.parse_date(raw)


def test_it_reads_an_empty_date_as_not_given():
    assert fields.parse_date("") is None
    assert fields.parse_date(None) is None


@pytest.mark.parametrize("raw", ["13812345678", "0744-3221234", "07443221234", ""])
def test_it_accepts_mobile_and_landline_phones(raw):
    assert fields.parse_phone(raw) == raw


@pytest.mark.parametrize("raw", ["12345", "2381234567", "138123456789"])
def test_it_rejects_bad_phones(raw):
    with pytest.raises(fields.FieldError, match="联系电话"):
        fields.parse_phone(raw)


def test_it_maps_the_old_wubao_attribute_to_tekun():
    parse = _spec(fields.HOUSEHOLD_FIELDS, "attribute").parse
    assert parse("五保贫困户") == enums.HouseholdAttribute.TEKUN == "特困供养贫困户"
    assert parse("五保户") == "特困供养贫困户"
    assert parse("低保贫困户") == "低保贫困户"


def test_it_rejects_an_unknown_attribute_listing_the_choices():
    parse = _spec(fields.HOUSEHOLD_FIELDS, "attribute").parse
    with pytest.raises(fields.FieldError, match="可选：一般贫困户、低保贫困户、特困供养贫困户"):
        parse("特困户")


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("0", "未脱贫"),
        ("1", "已脱贫"),
        ("3", "返贫"),
        ("4", "已脱贫"),
        ("已脱贫(不再享受政策)", "已脱贫"),
        ("已脱贫（不再享受政策）", "已脱贫"),
        ("未脱贫", "未脱贫"),
        (0, "未脱贫"),
        (1.0, "已脱贫"),
    ],
)
def test_it_reads_exit_status_names_and_national_codes(raw, expected):
    parse = _spec(fields.HOUSEHOLD_FIELDS, "exit_status").parse
    assert parse(raw) == expected


@pytest.mark.parametrize("raw", ["2", "5", "脱贫"])
def test_it_rejects_unknown_exit_status_codes(raw):
    parse = _spec(fields.HOUSEHOLD_FIELDS, "exit_status").parse
    with pytest.raises(fields.FieldError, match="不是有效的值"):
        parse(raw)


def test_it_accepts_full_width_brackets_in_education():
    parse = _spec(fields.MEMBER_FIELDS, "education").parse
    assert parse("高中（含中专）") == "高中(含中专)"
    assert parse("高中") == "高中(含中专)"


def test_it_accepts_other_causes_up_to_two():
    assert fields.parse_causes("因学、缺技术") == "因学、缺技术"
    assert fields.parse_causes("因学,缺技术") == "因学、缺技术"
    with pytest.raises(fields.FieldError, match="最多填写2项"):
        fields.parse_causes("因学、缺技术、缺资金")
    with pytest.raises(fields.FieldError, match="不是有效的值"):
        fields.parse_causes("因懒")


def test_it_accepts_an_ethnicity_with_or_without_zu():
    assert fields.parse_ethnicity("土家") == "土家族"
    assert fields.parse_ethnicity("汉族") == "汉族"
    with pytest.raises(fields.FieldError, match="56个民族"):
        fields.parse_ethnicity("火星族")
    assert len(enums.ETHNIC_GROUPS) == 56


def test_it_limits_text_length():
    with pytest.raises(fields.FieldError, match="不能超过3个字"):
        fields.parse_text(3)("张三丰丰")


def test_it_cleans_a_row_and_reports_each_bad_field_by_name():
    values, errors = fields.clean_row(
        fields.HOUSEHOLD_FIELDS,
        {
            "code": "H1",
            "village_code": "430821102204",
            "head_name": "张三",
            "head_id_number": "x",
            "attribute": "五保贫困户",
            "main_cause": "因懒",
            "identified_year": "2015",
            "exit_status": "0",
            "income_year": "2018",
            "wage": "-1",
            "business": "0",
            "property_income": "0",
            "transfer": "0",
            "business_expense": "0",
            "food_secure": "是",
            "clothing_secure": "",
            "water_safe": "√",
        },
    )
    assert values["attribute"] == "特困供养贫困户"
    assert values["exit_status"] == "未脱贫"
    assert values["water_safe"] is True
    assert errors == {
        "main_cause": "“因懒”不是有效的值，可选：" + "、".join(enums.PovertyCause.values),
        "wage": "金额不能为负数",
        "clothing_secure": "不愁穿不能为空",
    }


def test_it_skips_absent_fields_in_a_partial_row():
    values, errors = fields.clean_row(fields.HOUSEHOLD_FIELDS, {"phone": "13812345678"}, partial=True)
    assert values == {"phone": "13812345678"}
    assert errors == {}


def test_it_gives_every_field_a_chinese_label():
    for specs in (fields.HOUSEHOLD_FIELDS, fields.MEMBER_FIELDS, VILLAGE_FIELDS):
        for spec in specs:
            assert spec.label and not spec.label.isascii(), spec.name


def test_it_offers_the_enums_of_domain_md():
    assert enums.ExitStatus.values == ["未脱贫", "已脱贫", "返贫"]
    assert enums.EXIT_STATUS_CODES == {"0": "未脱贫", "1": "已脱贫", "3": "返贫"}
    assert len(enums.PovertyCause.values) == 12
    assert len(enums.Relation.values) == 22
    assert enums.HousingSafety.values == ["A", "B", "C", "D"]
    assert enums.EventKind.values == [
        "新识别",
        "标注脱贫",
        "返贫",
        "自然增加",
        "自然减少",
        "拆户",
        "并户",
        "清退",
        "注销",
    ]


@given(st.decimals(min_value=0, max_value=99_999_999, places=2, allow_nan=False, allow_infinity=False))
def test_it_round_trips_money_written_with_thousands_separators(amount):
    assert fields.parse_money(f"{amount:,.2f}") == amount


_ANY_CELL = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.dates(),
    st.sampled_from(
        ["4.30821E+17", "1e400", "-0", "12,34,5", "２０１８", "2018年13月1日", "√√", "是 ", "０"]
    ),
)


@pytest.mark.parametrize(
    "spec", fields.HOUSEHOLD_FIELDS + fields.MEMBER_FIELDS + VILLAGE_FIELDS, ids=lambda s: s.name
)
@settings(max_examples=40)
@given(cell=_ANY_CELL)
def test_it_answers_any_cell_with_a_value_or_a_field_error(spec, cell):
    """Bad input is a Chinese field message (a 4xx), never an unexpected exception (a 500)."""
    try:
        spec.parse(cell)
    except fields.FieldError as exc:
        assert str(exc) and not str(exc).isascii()


@pytest.mark.parametrize("raw", ["1e400", "9" * 40])
def test_it_calls_a_huge_amount_too_large_instead_of_crashing(raw):
    with pytest.raises(fields.FieldError, match="金额过大"):
        fields.parse_money(raw)


@pytest.mark.parametrize("raw", ["Infinity", "-inf", "NaN", "sNaN"])
def test_it_refuses_non_finite_integers_with_a_field_error(raw):
    with pytest.raises(fields.FieldError):
        fields.parse_int(raw)


def test_one_definition_of_the_member_columns():
    """registry.fields.MEMBER_COLUMNS is the one list: the specs carry the same fields (plus 户编号), the
    audit snapshot, the import's comparison and the rules' member columns take theirs from it."""
    import dataclasses

    from jingzhun.registry.fields import MEMBER_COLUMNS, MEMBER_FIELDS
    from jingzhun.registry.services.common import MEMBER_AUDIT_FIELDS
    from jingzhun.rules.spec import MemberData
    from jingzhun.standards import loading
    from jingzhun.workbook import plan

    assert {s.name for s in MEMBER_FIELDS} - {"household_code"} == set(MEMBER_COLUMNS)
    assert (*MEMBER_COLUMNS, "is_active", "removed_reason", "removed_on") == MEMBER_AUDIT_FIELDS
    assert [name for name, _ in plan.MEMBER_COLUMNS] == [
        "name", "id_number", "resident_id", "gender", "ethnicity", "birth_date", "relation", "education",
        "school_status", "not_in_school_reason", "health", "labour_skill", "work_months", "medical_insurance",
        "serious_illness_insurance", "pension_insurance", "dibao", "tekun",
        "person_code", "national",  # the national person list's 人编号 and raw values (docs/national-list.md)
    ]  # fmt: skip
    assert tuple(f.name for f in dataclasses.fields(MemberData)) == loading.MEMBER_COLUMNS
    assert set(loading.MEMBER_COLUMNS) <= set(MEMBER_COLUMNS)


class _Cell(str):
    """A str subclass (as an enum member or a pre-encoded text is): takes the general path of `text`."""


@given(st.text(alphabet=" \t\n\u3000\u00a0a中1.", max_size=12))
def test_text_of_a_str_cell_is_the_general_trim_whatever_the_whitespace(value):
    general = str(value).strip().replace("\u3000", " ").strip()
    assert fields.text(value) == general == fields.text(_Cell(value))
    assert fields.text(None) == "" and fields.text(12.0) == "12" and fields.text(1.5) == "1.5"
