"""What the API returns of a household, member or income, masked for actors without Perm.VIEW_SENSITIVE.

Masking follows the one policy, `jingzhun.lib.masking.POLICY`, as the pages and the exports do: text fields
are masked the same way (`430821********1234`); typed fields the policy names (a date, a choice) are null.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from jingzhun.accounts.access import Actor
from jingzhun.lib.masking import is_masked
from jingzhun.registry.models import Household, IncomeRecord, Member
from jingzhun.registry.presenters import masker

CENT = Decimal("0.01")


def _typed(actor: Actor, name: str, value: Any) -> Any:
    """A date or choice field of the policy: the value, or null for a masked actor (no partial date)."""
    return value if actor.sees_sensitive or not is_masked(name) else None


def member(m: Member, actor: Actor) -> dict[str, Any]:
    mask = masker(actor)
    return {
        "id": m.pk,
        "household_id": m.household_id,
        "name": m.name,
        "id_number": mask("id_number", m.id_number),
        "gender": m.gender,
        "ethnicity": m.ethnicity,
        # A masked ID keeps the address code and the last four characters; with the birth date beside it the
        # whole number could be rebuilt, so the date goes with the ID.
        "birth_date": _typed(actor, "birth_date", m.birth_date),
        "birth_year": m.birth_date.year,
        "relation": m.relation,
        "education": m.education or None,
        "school_status": m.school_status,
        "not_in_school_reason": _typed(actor, "not_in_school_reason", m.not_in_school_reason or None),
        # personal information (domain §11): the pages show ***, the API gives null
        "health": _typed(actor, "health", m.health),
        "labour_skill": m.labour_skill,
        "work_months": m.work_months,
        "medical_insurance": m.medical_insurance,
        "serious_illness_insurance": m.serious_illness_insurance,
        "pension_insurance": m.pension_insurance,
        "dibao": m.dibao,
        "tekun": m.tekun,
        "is_active": m.is_active,
        "removed_reason": m.removed_reason,
        "removed_on": m.removed_on,
        "version": m.version,
    }


def household_summary(h: Household, actor: Actor) -> dict[str, Any]:
    mask = masker(actor)
    return {
        "id": h.pk,
        "code": h.code,
        "village_code": h.village_id,
        "village_name": h.village.name,
        "group_name": h.group_name,
        "head_name": h.head_name,
        "head_id_number": mask("head_id_number", h.head_id_number),
        "attribute": h.attribute,
        "main_cause": h.main_cause,
        "exit_status": h.exit_status,
        "exit_year": h.exit_year,
        "planned_exit_year": h.planned_exit_year,
        "member_count": h.member_count,
        "registry_status": h.registry_status,
    }


def income(record: IncomeRecord, member_count: int) -> dict[str, Any]:
    net = record.net_income
    return {
        "year": record.year,
        "wage": record.wage,
        "business": record.business,
        "property_income": record.property_income,
        "transfer": record.transfer,
        "business_expense": record.business_expense,
        "net_income": net,
        # a national list's record knows only 人均纯收入 (components unknown, docs/national-list.md)
        "per_capita_net_income": record.per_capita_net
        if net is None
        else (net / member_count).quantize(CENT)
        if member_count
        else None,
        "version": record.version,
    }


def household(h: Household, actor: Actor) -> dict[str, Any]:
    mask = masker(actor)
    township = h.village.parent
    return {
        **household_summary(h, actor),
        "township_code": township.code if township else None,
        "township_name": township.name if township else None,
        "phone": mask("phone", h.phone),
        "identification_standard": h.identification_standard or None,
        "other_causes": h.other_causes_list,
        "identified_year": h.identified_year,
        "no_longer_enjoying": h.no_longer_enjoying,
        "food_secure": h.food_secure,
        "clothing_secure": h.clothing_secure,
        "water_safe": h.water_safe,
        "housing_safety": h.housing_safety or None,
        "relocation": h.relocation,
        "bank_account": mask("bank_account", h.bank_account),
        "created_at": h.created_at,
        "updated_at": h.updated_at,
        "version": h.version,
        "members": [member(m, actor) for m in h.members.order_by("-is_active", "id")],
        "incomes": [income(r, h.member_count) for r in h.incomes.order_by("-year")],
    }
