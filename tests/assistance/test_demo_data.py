"""The demo seed builds responsibility data in bulk and leaves the gaps the alerts need."""

from __future__ import annotations

from datetime import date

from jingzhun.accounts.access import actor_for
from jingzhun.assistance import models as m
from jingzhun.assistance import selectors as sel
from jingzhun.assistance.services import helper_assign
from jingzhun.demo.assistance import seed
from jingzhun.regions.models import Region
from tests.factories import OTHER_VILLAGE, VILLAGE, register

TODAY = date(2026, 11, 25)


def test_it_seeds_units_teams_helpers_visits_and_measures(admin_actor, helper_user):
    poor = [VILLAGE, OTHER_VILLAGE, "430821102001"]
    Region.objects.filter(code__in=poor).update(is_poor_village=True)
    households = [register(admin_actor, village=poor[i % 3]) for i in range(12)]
    kept = households[:5]
    for household in kept:
        helper_assign(actor=admin_actor, household=household, helper=helper_user, started_on=date(2018, 1, 1))

    counts = seed(year=2018, seed=7, printer=lambda _: None, today=TODAY)

    assert counts["teams"] == 2 and counts["team_cadres"] == 6
    assert m.WorkTeamMember.objects.filter(is_leader=True).count() == 2
    assert counts["units"] == m.HelpUnit.objects.count() > 50
    townships = Region.objects.filter(level="township", code__startswith="430821").count()
    assert m.LeaderLink.objects.count() == townships
    # the demo helper keeps exactly its pairings; everybody else got one (minus the deliberate gaps)
    assert set(
        m.HelperPairing.objects.filter(helper=helper_user, ended_on__isnull=True).values_list(
            "household_id", flat=True
        )
    ) == {h.pk for h in kept}
    open_pairs = m.HelperPairing.objects.filter(ended_on__isnull=True).count()
    assert open_pairs + counts["unpaired_poor"] == len(households)
    assert m.Visit.objects.filter(visitor=helper_user).exists()
    assert m.HelpMeasure.objects.filter(household__in=households).values("household").distinct().count() == 12
    assert m.CheckIn.objects.count() == counts["check_ins"] > 0
    # the villages alert has something to show: one poor village has no team
    assert any(not gap.has_team for gap in sel.villages_without_team_or_secretary(admin_actor))
    # the demo helper visited three of its five households recently, one long ago and one never
    stale = set(sel.not_visited(actor_for(helper_user), days=30, today=TODAY).values_list("id", flat=True))
    assert stale == {kept[3].pk, kept[4].pk}
