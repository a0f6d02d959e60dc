"""The database itself keeps a person in one household, so a race between two writers cannot break it."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from jingzhun.core.errors import ValidationFailed
from jingzhun.registry.models import Member
from jingzhun.registry.services import households as household_services
from jingzhun.registry.services import members as member_services
from tests.factories import household_row, member_row, row_counts


@pytest.fixture
def no_precheck(monkeypatch):
    """What a concurrent writer sees: the other transaction's member is not visible yet."""
    for module in (household_services, member_services):
        monkeypatch.setattr(module, "active_member_conflicts", lambda *args, **kwargs: {})


def test_it_refuses_a_second_active_row_for_one_person_in_the_database(household, other_household):
    taken = household.members.get(relation="户主")
    twin = Member(
        **{f.attname: getattr(taken, f.attname) for f in Member._meta.concrete_fields if f.attname != "id"}
    )
    twin.household = other_household
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()
    twin.is_active = False
    twin.save()  # an inactive (removed) row for the same person is history, not a conflict
    assert Member.objects.filter(resident_id=taken.resident_id).count() == 2


def test_it_turns_a_lost_race_on_member_add_into_a_field_error(
    admin_actor, household, other_household, no_precheck
):
    taken = household.members.get(relation="配偶")
    before = row_counts()
    with pytest.raises(ValidationFailed) as caught:
        member_services.member_add(
            actor=admin_actor,
            household=other_household,
            data=member_row("李四", "其他", taken.birth_date, male=False, id_number=taken.id_number),
        )
    assert "在册成员" in caught.value.errors["id_number"]
    assert row_counts() == before


def test_it_turns_a_lost_race_on_member_update_into_a_field_error(
    admin_actor, household, other_household, no_precheck
):
    taken = household.members.get(relation="之子")
    son = other_household.members.get(relation="之子")
    before = row_counts()
    with pytest.raises(ValidationFailed) as caught:
        member_services.member_update(actor=admin_actor, member=son, changes={"id_number": taken.id_number})
    assert "在册成员" in caught.value.errors["id_number"]
    assert row_counts() == before


def test_it_turns_a_lost_race_on_register_into_a_field_error(admin_actor, household, no_precheck):
    taken = household.members.get(relation="户主")
    before = row_counts()
    with pytest.raises(ValidationFailed) as caught:
        household_services.household_register(
            actor=admin_actor,
            household=household_row(),
            members=[member_row(taken.name, "户主", taken.birth_date, id_number=taken.id_number)],
        )
    assert "重复" in caught.value.errors["members"]
    assert row_counts() == before
