"""Regions with counts: only the caller's part of the county; ancestors only as breadcrumbs."""

from __future__ import annotations

from tests.conftest import COUNTY, TOWNSHIP
from tests.factories import OTHER_VILLAGE, VILLAGE, register


def test_it_lists_the_county_for_a_county_leader(api, county_leader, household, other_household):
    response = api(county_leader).get("/regions", plan_year=2018)
    assert response.status_code == 200
    [county] = response.json()
    assert county["code"] == COUNTY
    assert county["name"] == "慈利县"
    assert county["counts"]["households"] == 2
    assert county["counts"]["people"] == household.member_count + other_household.member_count


def test_it_lists_only_their_village_for_a_village_cadre(api, village_cadre, household, other_household):
    [village] = api(village_cadre).get("/regions").json()
    assert village["code"] == VILLAGE
    assert village["counts"]["households"] == 1


def test_it_lists_no_region_for_a_helper(api, helper_user, household):
    response = api(helper_user).get("/regions")
    assert response.status_code == 200
    assert response.json() == []


def test_it_counts_poor_exited_and_planned_households(api, village_cadre, admin_actor, household):
    register(admin_actor, exit_status="已脱贫", exit_year="2017", planned_exit_year="2017")
    body = api(village_cadre).get(f"/regions/{VILLAGE}", plan_year=2018).json()
    counts = body["counts"]
    assert counts["households"] == 2
    assert counts["poor_households"] == 1
    assert counts["exited_households"] == 1
    assert counts["planned_households"] == 1  # the unexited household planned for 2018
    assert counts["planned_people"] == household.member_count
    assert body["plan_year"] == 2018


def test_it_gives_a_village_cadre_breadcrumbs_without_counts(api, village_cadre, household):
    body = api(village_cadre).get(f"/regions/{VILLAGE}").json()
    assert [crumb["code"] for crumb in body["breadcrumbs"]] == ["430800000000", COUNTY, TOWNSHIP]
    assert [crumb["name"] for crumb in body["breadcrumbs"]] == ["张家界市", "慈利县", "溪口镇"]
    assert all(set(crumb) == {"code", "name", "level"} for crumb in body["breadcrumbs"])


def test_it_hides_the_township_and_sibling_villages_from_a_village_cadre(api, village_cadre, household):
    client = api(village_cadre)
    sibling = "430821102200"
    for path in (
        f"/regions/{TOWNSHIP}",
        f"/regions/{TOWNSHIP}/children",
        f"/regions/{COUNTY}",
        f"/regions/{sibling}",
        f"/regions/{OTHER_VILLAGE}/children",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "not_found"


def test_it_answers_404_to_an_outsider_for_the_village(api, other_village_cadre, household):
    client = api(other_village_cadre)
    assert client.get(f"/regions/{VILLAGE}").status_code == 404
    assert client.get(f"/regions/{VILLAGE}/children").status_code == 404


def test_it_lists_a_townships_villages_with_counts(api, township_cadre, household, other_household):
    body = api(township_cadre).get(f"/regions/{TOWNSHIP}/children").json()
    codes = [row["code"] for row in body["items"]]
    assert VILLAGE in codes
    assert all(code.startswith(TOWNSHIP[:9]) for code in codes)
    by_code = {row["code"]: row["counts"]["households"] for row in body["items"]}
    assert by_code[VILLAGE] == 1
    assert sum(by_code.values()) == 1  # the other township's household is not counted here


def test_it_lists_the_county_townships_for_the_admin(api, county_admin, household, other_household):
    body = api(county_admin).get(f"/regions/{COUNTY}/children").json()
    assert len(body["items"]) >= 20
    assert {row["level"] for row in body["items"]} == {"township"}
    assert sum(row["counts"]["households"] for row in body["items"]) == 2


def test_it_rejects_a_malformed_code_or_year(api, county_admin):
    client = api(county_admin)
    response = client.get("/regions/abc")
    assert response.status_code == 422
    assert "code" in response.json()["error"]["fields"]
    response = client.get(f"/regions/{COUNTY}", plan_year=1)
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"plan_year": "不能小于1980"}
