"""Periods (core.periods): `current()` is the open row, `during(start, end)` the rows overlapping the days,
on every period model's queryset and its related managers."""

from __future__ import annotations

from datetime import date

from jingzhun.assistance import models as m
from jingzhun.assistance.services import helper_assign, helper_unassign
from jingzhun.core.periods import current_q


def test_current_and_during_over_pairings(admin_actor, helper_user, county_leader, household):
    first = helper_assign(
        actor=admin_actor, household=household, helper=county_leader, started_on=date(2018, 1, 1)
    )
    second = helper_assign(
        actor=admin_actor, household=household, helper=helper_user, started_on=date(2018, 3, 1)
    )
    first.refresh_from_db()
    assert first.ended_on == date(2018, 3, 1)  # the open pairing with someone else ended on the new start
    assert list(m.HelperPairing.objects.current()) == [second]
    assert list(household.pairings.current()) == [second]  # on the related manager too
    assert set(m.HelperPairing.objects.during(date(2018, 2, 1), date(2018, 2, 7))) == {first}
    assert set(m.HelperPairing.objects.during(date(2018, 2, 26), date(2018, 3, 4))) == {first, second}
    assert set(m.HelperPairing.objects.during(date(2017, 1, 1), date(2017, 12, 31))) == set()
    helper_unassign(actor=admin_actor, household=household, ended_on=date(2018, 6, 30))
    assert not m.HelperPairing.objects.current().exists()
    assert set(m.HelperPairing.objects.during(date(2018, 7, 1), date(2018, 7, 7))) == set()
    # across a relation: the households with an open pairing
    assert not type(household).objects.filter(current_q("pairings__"), pk=household.pk).exists()
