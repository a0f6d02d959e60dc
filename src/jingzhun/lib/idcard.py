"""Resident ID numbers (公民身份号码, GB 11643-1999) and 残疾人证 numbers built on them."""

from __future__ import annotations

import re
from contextlib import suppress
from dataclasses import dataclass
from datetime import date
from operator import mul

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
_ID_SHAPE = re.compile(r"^\d{17}[\dX]$")
_SCI_NOTATION = re.compile(r"^\d(\.\d+)?[eE]\+?\d+$")


_BIRTHS: dict[str, date] = {}
_RECENT_YEAR = date.today().year - 1  # births before it cannot be in the future (saves a clock read per ID)


class IdNumberError(ValueError):
    """An ID number that cannot be accepted; the message is Chinese and shown to users."""


@dataclass(frozen=True)
class ResidentId:
    number: str  # the 18-character resident ID
    full: str  # as given (18, or 20/22 for a 残疾人证 number)
    birth_date: date
    gender: str  # 男 / 女

    @property
    def address_code(self) -> str:
        return self.number[:6]

    def age_on(self, day: date) -> int:
        """Whole years at `day` (a birthday on `day` counts)."""
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years


_DIGIT_OFFSET = 48 * sum(WEIGHTS)  # ord("0") times the weights: digits as bytes, without int() per digit


def _weighted(start: int, size: int) -> dict[str, int]:
    """Every `size`-digit string at positions start… of an ID → its digits times their weights."""
    weights = WEIGHTS[start : start + size]
    return {
        f"{n:0{size}d}": sum(int(d) * w for d, w in zip(f"{n:0{size}d}", weights, strict=True))
        for n in range(10**size)
    }


# the 17 digits as five 3-digit chunks and one of 2: six dict lookups instead of 17 multiplications
_W0, _W3, _W6, _W9, _W12 = (_weighted(s, 3) for s in (0, 3, 6, 9, 12))
_W15 = _weighted(15, 2)


def check_char(first17: str) -> str:
    if len(first17) == 17:
        with suppress(KeyError):  # a chunk that is not ASCII digits: the general sum below
            return CHECK_CHARS[
                (
                    _W0[first17[0:3]]
                    + _W3[first17[3:6]]
                    + _W6[first17[6:9]]
                    + _W9[first17[9:12]]
                    + _W12[first17[12:15]]
                    + _W15[first17[15:17]]
                )
                % 11
            ]
    if len(first17) == 17 and first17.isascii() and first17.isdigit():
        total = sum(map(mul, first17.encode("ascii"), WEIGHTS)) - _DIGIT_OFFSET
    else:
        total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def looks_mangled_by_excel(raw: str) -> bool:
    """True for `4.30821E+17`-style values: an ID cell Excel turned into a number."""
    if "E" not in raw and "e" not in raw:  # the exponent's letter (a million IDs: no regex for most)
        return False
    return bool(_SCI_NOTATION.match(raw.strip()))


def normalize(raw: object) -> str:
    text = "" if raw is None else str(raw)
    return text.strip().replace(" ", "").replace("\u3000", "").upper().replace("Ｘ", "X")


def parse(raw: object) -> ResidentId:
    """Validate and decode an ID (or 残疾人证) number; raise IdNumberError with a Chinese message."""
    text = normalize(raw)
    if not text:
        raise IdNumberError("证件号码不能为空")
    if looks_mangled_by_excel(text) or isinstance(raw, float):
        raise IdNumberError("证件号码被 Excel 转成了数字，请把该列设为文本后重新填写")
    if len(text) in (20, 22):
        base = text[:18]
    elif len(text) == 18:
        base = text
    else:
        raise IdNumberError(f"证件号码应为18位（残疾人证号为20或22位），实际为{len(text)}位")
    if not _ID_SHAPE.match(base):
        raise IdNumberError("证件号码格式不正确：前17位应为数字，最后一位为数字或X")
    if len(text) > 18 and not text[18:].isdigit():
        raise IdNumberError("残疾人证号第19位起应为数字")
    digits = base[6:14]
    birth = _BIRTHS.get(digits)
    if birth is None:
        try:
            birth = date(int(base[6:10]), int(base[10:12]), int(base[12:14]))
        except ValueError as exc:
            raise IdNumberError(f"证件号码中的出生日期 {digits} 不存在") from exc
        if len(_BIRTHS) < 100_000:  # one date per distinct birth date (a county: ~30,000)
            _BIRTHS[digits] = birth
    if birth.year < 1880 or (birth.year >= _RECENT_YEAR and birth > date.today()):
        raise IdNumberError(f"证件号码中的出生日期 {birth.isoformat()} 不合理")
    expected = check_char(base[:17])
    if base[17] != expected:
        raise IdNumberError(f"证件号码校验码错误：最后一位应为 {expected}，实际为 {base[17]}")
    gender = "男" if int(base[16]) % 2 == 1 else "女"
    return ResidentId(number=base, full=text, birth_date=birth, gender=gender)


def is_valid(raw: object) -> bool:
    try:
        parse(raw)
    except IdNumberError:
        return False
    return True


def make(address_code: str, birth: date, sequence: int) -> str:
    """Build a valid 18-character ID (used by the synthetic county generator and tests)."""
    first17 = f"{address_code}{birth:%Y%m%d}{sequence:03d}"
    return first17 + check_char(first17)


def upgrade_first_generation(raw: str) -> str | None:
    """A 15-digit first-generation ID (一代身份证) as the 18-character ID it became: `19` inserted after
    the 6-digit address code, and the check character appended. None when `raw` is not 15 digits."""
    if len(raw) != 15 or not raw.isascii() or not raw.isdigit():
        return None
    first17 = raw[:6] + "19" + raw[6:]
    return first17 + check_char(first17)


def encoded_birth_gender(number: str) -> tuple[date, str] | None:
    """The birth date and gender an 18-character ID encodes (its check character not checked: a
    mistyped ID still says who it means), or None when it has no valid date."""
    if len(number) != 18 or not number[:17].isascii() or not number[:17].isdigit():
        return None
    try:
        birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None
    if birth.year < 1880:
        return None
    return birth, ("男" if int(number[16]) % 2 == 1 else "女")
