"""Divisions (行政区划) loaded from the package, and region pages' counts under scope."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from django.http import Http404

from jingzhun.accounts.access import actor_for
from jingzhun.region_pages.selectors import home_region, region_get, region_overview
from jingzhun.regions.loader import load_divisions
from jingzhun.regions.models import Region
from jingzhun.registry.services.events import household_purge
from tests.factories import OTHER_VILLAGE, VILLAGE, member_row, register


def _levels() -> Counter:
    return Counter(Region.objects.values_list("level", flat=True))


@pytest.mark.django_db
def test_it_loads_cili_with_26_townships_and_430_villages():
    result = load_divisions()
    assert _levels() == Counter({"province": 1, "city": 1, "county": 1, "township": 26, "village": 430})
    assert result == {"created": 459, "updated": 0, "total": 459}
    cili = Region.objects.get(code="430821000000")
    assert cili.name == "慈利县"
    assert cili.parent.name == "张家界市"
    assert Region.objects.get(code=VILLAGE).parent.name == "溪口镇"
    assert all(r.parent_id for r in Region.objects.exclude(level="province"))


@pytest.mark.django_db
def test_it_loads_the_whole_city_with_city_flag():
    load_divisions(city=True)
    assert _levels() == Counter({"province": 1, "city": 1, "county": 4, "township": 74, "village": 1018})
    assert set(Region.objects.filter(level="county").values_list("name", flat=True)) == {
        "永定区",
        "武陵源区",
        "慈利县",
        "桑植县",
    }


@pytest.mark.django_db
def test_it_is_idempotent_and_can_grow_from_county_to_city():
    load_divisions()
    assert load_divisions() == {"created": 0, "updated": 0, "total": 459}
    grown = load_divisions(city=True)
    assert grown["updated"] == 0
    assert _levels()["village"] == 1018
    assert load_divisions(city=True) == {"created": 0, "updated": 0, "total": grown["total"]}


@pytest.mark.django_db
def test_it_repairs_a_renamed_division_and_keeps_village_facts():
    load_divisions()
    village = Region.objects.get(code=VILLAGE)
    village.name = "错名"
    village.is_poor_village = True
    village.save()
    assert load_divisions()["updated"] == 1
    village.refresh_from_db()
    assert village.name == "杜坪村委会"
    assert village.is_poor_village is True


def test_it_scopes_region_pages_like_households(
    county_admin, township_cadre, village_cadre, other_village_cadre, helper_user
):
    township = VILLAGE[:9] + "000"
    assert region_get(actor_for(county_admin), "430821000000").name == "慈利县"
    assert region_get(actor_for(township_cadre), VILLAGE).name == "杜坪村委会"
    assert region_get(actor_for(village_cadre), VILLAGE).code == VILLAGE
    for user, code in [
        (township_cadre, "430821000000"),
        (village_cadre, township),
        (other_village_cadre, VILLAGE),
        (helper_user, VILLAGE),
        (county_admin, "999999999999"),
        (county_admin, "430802000000"),
    ]:
        with pytest.raises(Http404):
            region_get(actor_for(user), code)


def test_it_finds_each_personas_home_region(county_admin, township_cadre, village_cadre):
    assert home_region(actor_for(county_admin)).code == "430821000000"
    assert home_region(actor_for(township_cadre)).code == VILLAGE[:9] + "000"
    assert home_region(actor_for(village_cadre)).code == VILLAGE


def test_it_counts_households_and_people_by_region(admin_actor, township_cadre):
    plan_year = date.today().year
    register(admin_actor, planned_exit_year=str(plan_year))  # 3 people, poor, planned this year
    register(admin_actor, exit_status="已脱贫", exit_year="2018")  # 3 people, exited
    register(admin_actor, village=OTHER_VILLAGE, members=[member_row("王五", "户主", date(1960, 1, 1))])
    purged = register(admin_actor)
    household_purge(actor=admin_actor, household=purged, reason="错评")

    county = Region.objects.get(code="430821000000")
    overview = region_overview(admin_actor, county, plan_year=plan_year)
    total = overview["total"]
    assert (total.households, total.people) == (3, 7)
    assert (total.poor_households, total.poor_people) == (2, 4)
    assert (total.exited_households, total.exited_people) == (1, 3)
    assert (total.planned_households, total.planned_people) == (1, 3)
    assert len(overview["children"]) == 26
    by_code = {row.region.code: row.counts for row in overview["children"]}
    assert by_code[VILLAGE[:9] + "000"].households == 2
    assert by_code[OTHER_VILLAGE[:9] + "000"].households == 1

    scoped = region_overview(actor_for(township_cadre), county, plan_year=plan_year)
    assert scoped["total"].households == 2
    assert [row.region.code for row in scoped["children"]] == [VILLAGE[:9] + "000"]
