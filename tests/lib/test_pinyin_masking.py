"""Pinyin initials for search, and masking of personal information."""

from __future__ import annotations

from datetime import date

import pytest

from jingzhun.lib import masking, pinyin


@pytest.mark.parametrize("name, expected", [("张三", "zs"), ("李四", "ls"), ("欧阳娜娜", "oynn"), ("", "")])
def test_it_gives_the_pinyin_initials_of_a_name(name, expected):
    assert pinyin.initials(name) == expected


def test_it_masks_an_id_number_keeping_region_and_last_four():
    assert masking.mask_id_number("11010519491231002X") == "110105********002X"


def test_it_masks_a_disability_certificate_number_as_the_plain_resident_id():
    """The 残疾人证 tail is the disability category and level, and its length alone tells that the
    person is disabled (domain §11): masked, it looks like any other ID."""
    masked = masking.mask_id_number("11010519491231002X41")
    assert masked == "110105********002X"
    assert masking.mask_id_number("11010519491231002X4102") == masked


def test_the_policy_masks_every_personal_field_of_domain_section_11():
    shown = {
        name: masking.mask_value(name, value)
        for name, value in {
            "id_number": "11010519491231002X41",
            "phone": "13812345678",
            "bank_account": "6228480123456789012",
            "birth_date": date(1949, 12, 31),
            "health": "残疾",
            "not_in_school_reason": "身体原因(送教上门)",
            "name": "张三",
        }.items()
    }
    assert shown == {
        "id_number": "110105********002X",
        "phone": "138****5678",
        "bank_account": "*" * 15 + "9012",
        "birth_date": "1949年",
        "health": "***",
        "not_in_school_reason": "***",
        "name": "张三",
    }
    assert masking.mask_value("birth_date", "1949-12-31") == "1949年"  # SQLite gives ISO text


def test_it_hides_personal_values_named_in_a_report_sentence():
    text = "成员 张三（45岁）健康状况为患有大病，参加大病保险为否"
    assert masking.mask_text(text) == "成员 张三（45岁）健康状况为***，参加大病保险为否"


def test_it_masks_a_mobile_phone():
    assert masking.mask_phone("13812345678") == "138****5678"


def test_it_masks_a_short_phone_entirely():
    assert masking.mask_phone("12345") == "*****"


def test_it_masks_a_bank_account_to_its_last_four_digits():
    assert masking.mask_bank_account("6228480123456789012") == "*" * 15 + "9012"


@pytest.mark.parametrize("fn", [masking.mask_id_number, masking.mask_phone, masking.mask_bank_account])
def test_it_masks_empty_values_as_empty(fn):
    assert fn("") == ""
    assert fn(None) == ""
