"""Resident ID numbers (公民身份号码, GB 11643-1999) and 残疾人证 numbers."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jingzhun.lib import idcard

VECTORS = Path(__file__).resolve().parents[1] / "data" / "id_test_vectors.csv"


def _vectors() -> list[dict[str, str]]:
    with VECTORS.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize("row", _vectors(), ids=lambda r: r["id_number"])
def test_it_agrees_with_every_published_vector(row):
    number = row["id_number"]
    assert idcard.check_char(number[:17]) == row["computed_check_char"]
    assert idcard.is_valid(number) is (row["computed_valid"] == "True")


def test_it_reads_the_vectors_file():
    assert len(_vectors()) == 12


def test_it_decodes_birth_date_and_gender():
    parsed = idcard.parse("11010519491231002X")
    assert parsed.birth_date == date(1949, 12, 31)
    assert parsed.gender == "女"
    assert parsed.address_code == "110105"
    male = idcard.parse("440524188001010014")
    assert male.gender == "男"
    assert male.birth_date == date(1880, 1, 1)


def test_it_accepts_a_lowercase_x_and_spaces():
    parsed = idcard.parse(" 11010519491231002x ")
    assert parsed.number == "11010519491231002X"


def test_it_reports_the_expected_check_character_in_chinese():
    with pytest.raises(idcard.IdNumberError, match="校验码错误：最后一位应为 X，实际为 1"):
        idcard.parse("110105194912310021")


def test_it_accepts_the_old_cili_address_code_432428():
    number = idcard.make("432428", date(1960, 7, 15), 31)
    parsed = idcard.parse(number)
    assert parsed.address_code == "432428"
    assert parsed.birth_date == date(1960, 7, 15)
    assert parsed.gender == "男"


@pytest.mark.parametrize("suffix", ["41", "4101"])
def test_it_accepts_disability_certificate_numbers_of_20_and_22_characters(suffix):
    base = idcard.make("430821", date(1975, 2, 3), 22)
    parsed = idcard.parse(base + suffix)
    assert parsed.number == base
    assert parsed.full == base + suffix
    assert len(parsed.full) in (20, 22)
    assert parsed.gender == "女"


def test_it_rejects_a_disability_certificate_number_with_letters_after_the_id():
    base = idcard.make("430821", date(1975, 2, 3), 22)
    with pytest.raises(idcard.IdNumberError, match="残疾人证号"):
        idcard.parse(base + "A1")


def test_it_rejects_a_disability_certificate_number_built_on_an_invalid_id():
    with pytest.raises(idcard.IdNumberError, match="校验码"):
        idcard.parse("110105194912310021" + "41")


@pytest.mark.parametrize("raw", ["4.30821E+17", "4.30821e17", "4.308211970E+17"])
def test_it_explains_an_id_that_excel_turned_into_a_number(raw):
    assert idcard.looks_mangled_by_excel(raw)
    with pytest.raises(idcard.IdNumberError, match="Excel"):
        idcard.parse(raw)


def test_it_explains_a_float_cell_as_excel_damage():
    with pytest.raises(idcard.IdNumberError, match="Excel"):
        idcard.parse(4.30821197005011e17)


def test_it_rejects_an_impossible_birth_date():
    first17 = "43082119990230001"
    with pytest.raises(idcard.IdNumberError, match="出生日期 19990230 不存在"):
        idcard.parse(first17 + idcard.check_char(first17))


def test_it_rejects_a_birth_date_in_the_future():
    first17 = "43082121000101001"
    with pytest.raises(idcard.IdNumberError, match="不合理"):
        idcard.parse(first17 + idcard.check_char(first17))


@pytest.mark.parametrize(
    "raw, message",
    [
        ("", "不能为空"),
        (None, "不能为空"),
        ("43082119700501", "应为18位"),
        ("4308211970050100111", "实际为19位"),
        ("43082119700501X011", "格式不正确"),
    ],
)
def test_it_rejects_malformed_numbers_with_a_chinese_message(raw, message):
    with pytest.raises(idcard.IdNumberError, match=message):
        idcard.parse(raw)


def test_it_computes_age_with_the_birthday_counting():
    parsed = idcard.parse(idcard.make("430821", date(2000, 6, 15), 11))
    assert parsed.age_on(date(2018, 6, 14)) == 17
    assert parsed.age_on(date(2018, 6, 15)) == 18


@given(
    birth=st.dates(min_value=date(1900, 1, 1), max_value=date(2020, 12, 31)),
    sequence=st.integers(min_value=0, max_value=999),
    address=st.sampled_from(["430821", "432428", "110105"]),
)
def test_it_accepts_every_number_it_makes_and_decodes_it_back(birth, sequence, address):
    number = idcard.make(address, birth, sequence)
    parsed = idcard.parse(number)
    assert parsed.birth_date == birth
    assert parsed.gender == ("男" if sequence % 2 else "女")


@given(
    birth=st.dates(min_value=date(1900, 1, 1), max_value=date(2020, 12, 31)),
    sequence=st.integers(min_value=0, max_value=999),
    position=st.integers(min_value=0, max_value=16),
    delta=st.integers(min_value=1, max_value=9),
)
def test_it_detects_any_single_digit_change(birth, sequence, position, delta):
    number = idcard.make("430821", birth, sequence)
    digit = (int(number[position]) + delta) % 10
    changed = number[:position] + str(digit) + number[position + 1 :]
    assert not idcard.is_valid(changed)


def _check_by_definition(first17: str) -> str:
    """GB 11643-1999 as written: the weighted sum of the 17 digits, modulo 11, picks the character."""
    return idcard.CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, idcard.WEIGHTS, strict=True)) % 11]


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_the_chunked_check_character_is_the_weighted_sum_of_the_definition(first17):
    assert idcard.check_char(first17) == _check_by_definition(first17)


def test_the_check_character_of_full_width_digits_is_the_weighted_sum_too():
    first17 = "４３０８２１１９６０１１２８５５５"
    assert (
        idcard.check_char(first17) == _check_by_definition(first17) == idcard.check_char("43082119601128555")
    )


def test_a_birth_date_remembered_from_one_id_is_the_same_for_the_next():
    first = idcard.parse("11010519491231002X")
    again = idcard.parse("11010519491231002x")
    assert first.birth_date == again.birth_date == date(1949, 12, 31)
    with pytest.raises(idcard.IdNumberError, match="出生日期 19990230 不存在"):
        idcard.parse("43082119990230001" + idcard.check_char("43082119990230001"))
