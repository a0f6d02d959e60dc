"""Pinyin initials for search, and masking of personal information."""

from __future__ import annotations

import pytest

from jingzhun.lib import masking, pinyin


@pytest.mark.parametrize("name, expected", [("张三", "zs"), ("李四", "ls"), ("欧阳娜娜", "oynn"), ("", "")])
def test_it_gives_the_pinyin_initials_of_a_name(name, expected):
    assert pinyin.initials(name) == expected


def test_it_masks_an_id_number_keeping_region_and_last_four():
    assert masking.mask_id_number("11010519491231002X") == "110105********002X"


def test_it_masks_a_disability_certificate_number_keeping_its_length():
    masked = masking.mask_id_number("11010519491231002X41")
    assert len(masked) == 20
    assert masked.startswith("110105") and masked.endswith("2X41")
    assert "19491231" not in masked


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
