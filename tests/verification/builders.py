"""Registry rows for the cleansing tests, written with the ORM on purpose: the registry services refuse
some of the states the Q-* rules look for (a 14-year-old 户主, two 配偶), but imported legacy data holds
them, and that is what cleansing is for."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal
from typing import Any

from jingzhun.lib import idcard
from jingzhun.registry.models import Household, IncomeRecord, Member
from tests.factories import VILLAGE

_seq = itertools.count(1)
_person = itertools.count(1)


def household(*, code: str | None = None, village: str = VILLAGE, **fields: Any) -> Household:
    n = next(_seq)
    values: dict[str, Any] = {
        "code": code or f"Q{n:07d}",
        "village_id": village,
        "head_name": "",
        "head_id_number": "",
        "head_initials": "",
        "attribute": "一般贫困户",
        "main_cause": "因病",
        "identified_year": 2015,
        "exit_status": "未脱贫",
        "planned_exit_year": 2030,
        "food_secure": True,
        "clothing_secure": True,
        "water_safe": True,
        "housing_safety": "A",
        "relocation": "否",
    }
    values.update(fields)
    return Household.objects.create(**values)


def member(
    hh: Household,
    name: str,
    relation: str,
    birth: date,
    *,
    male: bool = True,
    address: str = "430821",
    sequence: int | None = None,
    **fields: Any,
) -> Member:
    seq = sequence if sequence is not None else (next(_person) % 499) * 2 + (1 if male else 0)
    resident = idcard.make(address, birth, seq)
    values: dict[str, Any] = {
        "household": hh,
        "name": name,
        "id_number": resident,
        "resident_id": resident,
        "gender": "男" if male else "女",
        "birth_date": birth,
        "relation": relation,
        "education": "初中",
        "school_status": "非在校生",
        "health": "健康",
        "labour_skill": "无劳动力",
        "medical_insurance": True,
    }
    values.update(fields)
    m = Member.objects.create(**values)
    if relation == "户主" and not hh.head_name:
        Household.objects.filter(pk=hh.pk).update(
            head_name=name, head_id_number=m.id_number, head_initials="x"
        )
        hh.head_name, hh.head_id_number = name, m.id_number
    return m


def income(
    hh: Household,
    year: int,
    *,
    wage: str = "0",
    business: str = "0",
    property_income: str = "0",
    transfer: str = "0",
    expense: str = "0",
) -> IncomeRecord:
    return IncomeRecord.objects.create(
        household=hh,
        year=year,
        wage=Decimal(wage),
        business=Decimal(business),
        property_income=Decimal(property_income),
        transfer=Decimal(transfer),
        business_expense=Decimal(expense),
    )


def head(
    hh: Household, birth: date = date(1970, 5, 1), *, male: bool = True, name: str = "张建国", **f: Any
) -> Member:
    return member(hh, name, "户主", birth, male=male, **f)
