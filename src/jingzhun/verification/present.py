"""What the clue pages show, masked per the role (lib.masking.POLICY): the departmental record beside the
registry's values, and the explanation with personal values hidden for roles without the sensitive
permission (a 县领导 sees `430821********1234`, 健康状况为***)."""

from __future__ import annotations

from typing import Any

from jingzhun.accounts.access import Actor
from jingzhun.lib import masking
from jingzhun.registry.presenters import masker
from jingzhun.verification.models import Clue

# Departmental columns that carry a personal field of the masking policy.
RECORD_POLICY = {
    "证件号码": "id_number",
    "旧证件号码": "id_number",
    "联系电话": "phone",
    "出生日期": "birth_date",
    "残疾类别": "health",
    "残疾等级": "health",
}
MEMBER_FIELDS = (
    ("name", "姓名"),
    ("id_number", "证件号码"),
    ("gender", "性别"),
    ("birth_date", "出生日期"),
    ("relation", "与户主关系"),
    ("health", "健康状况"),
    ("school_status", "在校生状况"),
    ("labour_skill", "劳动技能"),
    ("medical_insurance", "参加基本医疗保险"),
    ("dibao", "低保"),
    ("tekun", "特困供养"),
)


def _text(value: Any) -> str:
    if value is True:
        return "是"
    if value is False:
        return "否"
    if value is None:
        return ""
    return str(value)


def explanation(actor: Actor, text: str) -> str:
    return text if actor.sees_sensitive else masking.mask_text(text)


def record_rows(actor: Actor, clue: Clue) -> list[tuple[str, str]]:
    mask = masker(actor)
    return [
        (column, _text(mask(RECORD_POLICY[column], value) if column in RECORD_POLICY else value))
        for column, value in (clue.record or {}).items()
    ]


def registry_rows(actor: Actor, clue: Clue) -> list[tuple[str, str]]:
    mask = masker(actor)
    household = clue.household
    rows = [
        ("户编号", household.code),
        ("户主", household.head_name),
        ("脱贫状态", household.exit_status),
        ("贫困户属性", household.attribute),
        ("住房安全等级", household.housing_safety or "未鉴定"),
        ("在册状态", household.registry_status),
    ]
    member = clue.member
    if member is not None:
        rows += [(label, _text(mask(name, getattr(member, name)))) for name, label in MEMBER_FIELDS]
        if not member.is_active:
            rows.append(("成员状态", f"已减少（{member.removed_reason}，{member.removed_on}）"))
    return rows
