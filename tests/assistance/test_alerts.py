"""Each responsibility alert at its boundary, and scoped like everything else."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from jingzhun.accounts.access import actor_for
from jingzhun.assistance import models as m
from jingzhun.assistance import selectors as sel
from jingzhun.assistance import services
from jingzhun.assistance.rules import last_week_start
from jingzhun.regions.models import Region
from jingzhun.registry.services.events import mark_exited
from tests.factories import OTHER_VILLAGE, VILLAGE, ready_to_exit, register

TODAY = date(2026, 11, 25)  # a Wednesday


def _visit(household, days_ago: int) -> None:
    m.Visit.objects.create(
        household=household, visited_on=TODAY - timedelta(days=days_ago), activities="走访"
    )


def _ids(query) -> set[int]:
    return set(query.values_list("id", flat=True))


def test_not_visited_counts_a_visit_exactly_n_days_ago_as_visited(admin_actor):
    exactly, one_more, never, today = (register(admin_actor) for _ in range(4))
    _visit(exactly, 30)
    _visit(one_more, 31)
    _visit(today, 0)
    found = _ids(sel.not_visited(admin_actor, days=30, today=TODAY))
    assert found == {one_more.pk, never.pk}


def test_not_visited_uses_the_latest_visit(admin_actor):
    household = register(admin_actor)
    _visit(household, 200)
    _visit(household, 5)
    assert not _ids(sel.not_visited(admin_actor, days=30, today=TODAY))


def test_no_helper_lists_poor_households_without_an_open_pairing(admin_actor, helper_user):
    paired, unpaired, ended, exited = (register(admin_actor) for _ in range(4))
    services.helper_assign(
        actor=admin_actor, household=paired, helper=helper_user, started_on=date(2018, 1, 1)
    )
    services.helper_assign(
        actor=admin_actor, household=ended, helper=helper_user, started_on=date(2018, 1, 1)
    )
    services.helper_unassign(actor=admin_actor, household=ended, ended_on=date(2019, 1, 1))
    ready_to_exit(admin_actor, exited)
    mark_exited(actor=admin_actor, household=exited, exit_year=2018, occurred_on=date(2018, 12, 1))
    assert _ids(sel.poor_without_helper(admin_actor)) == {unpaired.pk, ended.pk}


def test_overloaded_is_more_than_the_limit_not_equal(admin_actor, helper_user, other_helper):
    for _ in range(3):
        services.helper_assign(actor=admin_actor, household=register(admin_actor), helper=helper_user)
    for _ in range(4):
        services.helper_assign(actor=admin_actor, household=register(admin_actor), helper=other_helper)
    loads = sel.overloaded_helpers(admin_actor, limit=3)
    assert [(load.helper.pk, load.households) for load in loads] == [(other_helper.pk, 4)]
    assert {load.helper.pk for load in sel.overloaded_helpers(admin_actor, limit=2)} == {
        helper_user.pk,
        other_helper.pk,
    }


def test_overloaded_counts_all_households_but_only_shows_helpers_in_scope(
    admin_actor, other_helper, village_cadre, other_village_cadre
):
    for village in (VILLAGE, VILLAGE, OTHER_VILLAGE):
        services.helper_assign(
            actor=admin_actor, household=register(admin_actor, village=village), helper=other_helper
        )
    assert [x.households for x in sel.overloaded_helpers(actor_for(village_cadre), limit=2)] == [3]
    assert [x.households for x in sel.overloaded_helpers(actor_for(other_village_cadre), limit=2)] == [3]
    assert sel.overloaded_helpers(actor_for(other_village_cadre), limit=3) == []


@pytest.fixture
def poor_village():
    Region.objects.filter(code=VILLAGE).update(is_poor_village=True)
    return Region.objects.get(code=VILLAGE)


def test_villages_without_team_or_secretary(admin_actor, poor_village, village_cadre):
    gaps = sel.villages_without_team_or_secretary(admin_actor)
    assert [(g.village.code, g.has_team, g.has_secretary) for g in gaps] == [(VILLAGE, False, False)]
    team = services.work_team_create(actor=admin_actor, village_code=VILLAGE)
    services.team_member_add(actor=admin_actor, team=team, cadre=village_cadre, is_leader=True)
    gaps = sel.villages_without_team_or_secretary(admin_actor)
    assert [(g.has_team, g.has_secretary) for g in gaps] == [(True, False)]
    services.first_secretary_appoint(actor=admin_actor, village_code=VILLAGE, cadre=village_cadre)
    assert sel.villages_without_team_or_secretary(admin_actor) == []


def test_villages_alert_is_scoped(admin_actor, poor_village, other_village_cadre, helper_user):
    assert len(sel.villages_without_team_or_secretary(admin_actor)) == 1
    assert sel.villages_without_team_or_secretary(actor_for(other_village_cadre)) == []
    assert sel.villages_without_team_or_secretary(actor_for(helper_user)) == []


def _week_of_check_ins(cadre, days: int, nights: int) -> None:
    start = last_week_start(TODAY)
    m.CheckIn.objects.bulk_create(
        [
            m.CheckIn(cadre=cadre, village_id=VILLAGE, day=start + timedelta(days=i), overnight=i < nights)
            for i in range(days)
        ]
    )


def test_attendance_alert_at_five_days_and_four_nights(admin_actor, stationed_cadre, helper_user):
    start = last_week_start(TODAY)
    _week_of_check_ins(stationed_cadre, 5, 4)
    assert sel.attendance_missed(admin_actor, start=start, min_days=5, min_nights=4) == []
    m.CheckIn.objects.filter(cadre=stationed_cadre, day=start).update(overnight=False)
    missed = sel.attendance_missed(admin_actor, start=start, min_days=5, min_nights=4)
    assert [(a.cadre.pk, a.result.days, a.result.nights, a.post) for a in missed] == [
        (stationed_cadre.pk, 5, 3, "队长")
    ]


def test_attendance_alert_lists_a_cadre_with_no_check_ins_and_respects_scope(
    admin_actor, stationed_cadre, other_village_cadre
):
    start = last_week_start(TODAY)
    assert [
        a.result.days for a in sel.attendance_missed(admin_actor, start=start, min_days=5, min_nights=4)
    ] == [0]
    assert sel.attendance_missed(actor_for(other_village_cadre), start=start, min_days=5, min_nights=4) == []


def test_attendance_ignores_cadres_who_left_before_the_week(admin_actor, stationed_cadre):
    member = m.WorkTeamMember.objects.get(cadre=stationed_cadre)
    services.team_member_end(
        actor=admin_actor, member=member, ended_on=last_week_start(TODAY) - timedelta(days=1)
    )
    assert sel.attendance_missed(admin_actor, start=last_week_start(TODAY), min_days=5, min_nights=4) == []


def test_household_alerts_are_scoped(admin_actor, other_village_cadre, helper_user, paired):
    register(admin_actor, village=VILLAGE)
    outsider = actor_for(other_village_cadre)
    assert not _ids(sel.not_visited(outsider, days=30, today=TODAY))
    assert not _ids(sel.poor_without_helper(outsider))
    helper = actor_for(helper_user)
    assert _ids(sel.not_visited(helper, days=30, today=TODAY)) == {paired["mine"].pk}
    assert not _ids(sel.poor_without_helper(helper))


def test_coverage_counts_households_per_category(admin_actor, paired):
    services.measure_add(
        actor=admin_actor,
        household=paired["mine"],
        data={"category": "产业", "content": "养牛", "started_on": "2018-03-01", "funds": "2000"},
    )
    services.measure_add(
        actor=admin_actor,
        household=paired["mine"],
        data={"category": "产业", "content": "种茶", "started_on": "2018-03-01"},
    )
    services.measure_add(
        actor=admin_actor,
        household=paired["theirs"],
        data={"category": "教育", "content": "雨露计划", "started_on": "2018-03-01", "status": "已终止"},
    )
    total, rows = sel.measure_coverage(admin_actor)
    by = {r.category: r for r in rows}
    assert total == 2 and len(rows) == 16
    assert (by["产业"].households, by["产业"].measures, by["产业"].share) == (1, 2, 50.0)
    assert by["教育"].households == 0  # a stopped measure does not cover
