"""Masking of personal information (个人信息保护法, domain.md §11) for roles that do not need the full value.

This module is THE masking policy: `POLICY` says, per field name, how the value is shown to an actor
without `registry.view_sensitive`. Pages, the API, every xlsx/CSV export and the reports all mask through
`masker()` (or, for typed API fields, `is_masked()`), so a field hidden in one place is hidden everywhere.
A new personal field is added here once.

Personal (§11): ID numbers, phones, bank accounts, birth dates, health, disability. Disability shows in
three fields: 健康状况 = 残疾, the 残疾人证 number (the 18-character ID followed by the category and level
digits), and 未上学原因 = 身体原因(送教上门).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

RESIDENT_ID_LENGTH = 18
HIDDEN = "***"


def mask_id_number(value: str | None) -> str:
    """`430821********1234`: the address code and the last four of the 18-character resident ID.

    A 残疾人证 number (20/22 characters) is cut to its resident ID first: its tail is the disability
    category and level, and its length alone would tell that the person is disabled."""
    if not value:
        return ""
    value = str(value)
    if len(value) > RESIDENT_ID_LENGTH:
        value = value[:RESIDENT_ID_LENGTH]
    if len(value) <= 10:
        return value[:2] + "*" * max(len(value) - 2, 0)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str | None) -> str:
    if not value:
        return ""
    value = str(value)
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_bank_account(value: str | None) -> str:
    if not value:
        return ""
    value = str(value)
    return "*" * max(len(value) - 4, 0) + value[-4:]


def mask_birth_date(value: date | str | None) -> str:
    """The year only: the full date is the ID number's middle eight digits, so a masked ID beside it
    would give the whole number back."""
    if not value:
        return ""
    text = value.isoformat() if isinstance(value, date) else str(value)
    return f"{text[:4]}年"


def mask_hidden(value: Any) -> str:
    return "" if value is None or value == "" else HIDDEN


ID_NUMBER_FIELDS = ("id_number", "head_id_number", "resident_id")
PHONE_FIELDS = ("phone", "helper_phone")

# field name → how it is shown without registry.view_sensitive
POLICY: dict[str, Callable[[Any], Any]] = {
    **dict.fromkeys(ID_NUMBER_FIELDS, mask_id_number),
    **dict.fromkeys(PHONE_FIELDS, mask_phone),
    "bank_account": mask_bank_account,
    "birth_date": mask_birth_date,
    "health": mask_hidden,  # 健康状况, including 残疾
    "not_in_school_reason": mask_hidden,  # 身体原因(送教上门) tells illness or disability
}


# Departmental records (部门数据) keep their columns by their Chinese header: the personal ones among them.
RECORD_POLICY: dict[str, Callable[[Any], Any]] = {
    "证件号码": mask_id_number,
    "残疾类别": mask_hidden,  # disability (§11)
    "残疾等级": mask_hidden,
}


def mask_record(columns: dict[str, Any], sees_sensitive: bool) -> dict[str, Any]:
    """A departmental record's columns as an actor with/without registry.view_sensitive sees them."""
    if sees_sensitive:
        return dict(columns)
    return {k: (RECORD_POLICY[k](v) if k in RECORD_POLICY and v else v) for k, v in columns.items()}


def is_masked(name: str) -> bool:
    """Whether `name` is personal: typed outputs (the API's dates and choices) give null for it."""
    return name in POLICY


def mask_value(name: str, value: Any) -> Any:
    fn = POLICY.get(name)
    if fn is None or value is None:
        return value
    return fn(value)


def masker(sees_sensitive: bool) -> Callable[[str, Any], Any]:
    """A function (field name, value) → the value as an actor with/without registry.view_sensitive sees it."""
    if sees_sensitive:
        return lambda name, value: value
    return mask_value


# Reports explain a verdict in words ("成员 张三（45岁）健康状况为患有大病"): the personal values named there
# (by their Chinese label, standards.vocabulary) are hidden the same way.
_TEXT_LABELS = (
    "健康状况",
    "未上学原因",
    "出生日期",
    "证件号码",
    "户主证件号码",
    "联系电话",
    "银行账号",
    "残疾类别",
    "残疾等级",
)
_TEXT_VALUE = re.compile("(" + "|".join(_TEXT_LABELS) + r")为[^，,；;。）)]*")


def mask_text(text: str) -> str:
    """A sentence of a report with the values of personal fields replaced by ***."""
    return _TEXT_VALUE.sub(lambda m: f"{m.group(1)}为{HIDDEN}", text)


def mask_name(value: str | None) -> str:
    """张三 → 张*, 欧阳修 → 欧** (a petitioner's name on pages of roles without the sensitive permission)."""
    if not value:
        return ""
    return value[0] + "*" * (len(value) - 1)
