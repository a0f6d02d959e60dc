"""责任体系 pages: the county admin creates units, links, work teams, members, 队长 and first secretaries
through the audited services; bad input shows a Chinese error and writes nothing; others get 404."""

from __future__ import annotations

import pytest
from django.test import Client

from jingzhun.assistance import models as m
from jingzhun.assistance import services
from jingzhun.core.models import AuditEntry
from jingzhun.regions.models import Region
from tests.conftest import TOWNSHIP
from tests.factories import VILLAGE


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def admin(county_admin) -> Client:
    return _client(county_admin)


@pytest.fixture
def poor_village(regions) -> Region:
    Region.objects.filter(code=VILLAGE).update(is_poor_village=True)
    return Region.objects.get(code=VILLAGE)


@pytest.fixture
def unit(admin_actor) -> m.HelpUnit:
    return services.unit_create(actor=admin_actor, name="县扶贫办", affiliation="县直")


@pytest.fixture
def team(admin_actor, poor_village, unit) -> m.WorkTeam:
    return services.work_team_create(actor=admin_actor, village_code=VILLAGE, unit=unit)


def _audits(action: str) -> int:
    return AuditEntry.objects.filter(action=action).count()


def test_structure_page_lists_and_is_linked_from_home(admin, admin_actor, team, county_leader):
    services.leader_link(actor=admin_actor, leader=county_leader, township_code=TOWNSHIP)
    services.unit_village_link(actor=admin_actor, unit=team.unit, village_code=VILLAGE)
    services.team_member_add(actor=admin_actor, team=team, cadre=county_leader, is_leader=True)
    assert 'data-testid="structure-link"' in admin.get("/assistance/").content.decode()
    html = admin.get("/assistance/structure/").content.decode()
    assert "县扶贫办" in html
    assert "杜坪村委会" in html
    assert "队长" in html
    assert "<script>" not in html


def test_unit_create_and_bad_affiliation(admin):
    response = admin.post("/assistance/structure/units/new/", {"name": "县交通局", "affiliation": "县直"})
    assert response.status_code == 302
    assert m.HelpUnit.objects.filter(name="县交通局", affiliation="县直").exists()
    assert _audits("unit.create") == 1
    response = admin.post("/assistance/structure/units/new/", {"name": "县交通局", "affiliation": "县直"})
    assert response.status_code == 200
    assert "该单位已存在" in response.content.decode()
    response = admin.post("/assistance/structure/units/new/", {"name": "", "affiliation": "县直"})
    assert "请填写单位名称" in response.content.decode()
    assert m.HelpUnit.objects.count() == 1
    assert _audits("unit.create") == 1


def test_leader_link_and_unknown_township(admin, county_leader):
    url = "/assistance/structure/leaders/new/"
    response = admin.post(url, {"username": "leader", "township": VILLAGE})
    assert "您的管辖范围内没有这个乡镇" in response.content.decode()
    response = admin.post(url, {"username": "nobody", "township": TOWNSHIP})
    assert "没有这个账号" in response.content.decode()
    assert not m.LeaderLink.objects.exists()
    assert _audits("leader_link.start") == 0
    response = admin.post(url, {"username": "leader", "township": TOWNSHIP})
    assert response.status_code == 302
    link = m.LeaderLink.objects.get()
    assert (link.leader, link.township_id, link.ended_on) == (county_leader, TOWNSHIP, None)
    assert _audits("leader_link.start") == 1


def test_unit_village_link_and_unknown_unit(admin, unit):
    url = "/assistance/structure/unit-links/new/"
    response = admin.post(url, {"unit": "不存在的单位", "village": VILLAGE})
    assert "没有这个帮扶单位" in response.content.decode()
    response = admin.post(url, {"unit": "县扶贫办", "village": VILLAGE, "started_on": "2099-01-01"})
    assert "日期不能晚于今天" in response.content.decode()
    assert not m.UnitVillageLink.objects.exists()
    response = admin.post(url, {"unit": "县扶贫办", "village": VILLAGE, "started_on": "2016-03-01"})
    assert response.status_code == 302
    link = m.UnitVillageLink.objects.get()
    assert (link.unit, link.village_id, str(link.started_on)) == (unit, VILLAGE, "2016-03-01")
    assert _audits("unit_link.start") == 1


def test_work_team_only_for_a_poor_village(admin, unit, regions):
    url = "/assistance/structure/teams/new/"
    Region.objects.filter(code=VILLAGE).update(is_poor_village=False)
    response = admin.post(url, {"village": VILLAGE, "unit": "县扶贫办"})
    assert "不是贫困村" in response.content.decode()
    assert not m.WorkTeam.objects.exists()
    Region.objects.filter(code=VILLAGE).update(is_poor_village=True)
    response = admin.post(url, {"village": VILLAGE, "unit": "县扶贫办"})
    assert response.status_code == 302
    team = m.WorkTeam.objects.get()
    assert (team.village_id, team.unit, team.ended_on) == (VILLAGE, unit, None)
    assert _audits("work_team.create") == 1
    response = admin.post(url, {"village": VILLAGE})
    assert "该村已有在驻工作队" in response.content.decode()
    assert m.WorkTeam.objects.count() == 1


def test_member_add_leader_and_remove(admin, team, village_cadre, township_cadre):
    add = f"/assistance/structure/teams/{team.pk}/members/new/"
    response = admin.post(add, {"username": "nobody"})
    assert "没有这个账号" in response.content.decode()
    assert not m.WorkTeamMember.objects.exists()
    assert admin.post(add, {"username": "village"}).status_code == 302
    member = m.WorkTeamMember.objects.get(cadre=village_cadre, ended_on__isnull=True)
    assert not member.is_leader
    assert _audits("team_member.add") == 1

    leader_url = f"/assistance/structure/teams/{team.pk}/leader/"
    response = admin.post(leader_url, {"username": ""})
    assert "请填写账号" in response.content.decode()
    assert admin.post(leader_url, {"username": "township"}).status_code == 302
    leader = m.WorkTeamMember.objects.get(team=team, is_leader=True, ended_on__isnull=True)
    assert leader.cadre == township_cadre
    assert _audits("team_member.add") == 2
    assert "队长" in admin.get("/assistance/structure/").content.decode()

    response = admin.post(f"/assistance/structure/members/{member.pk}/end/")
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.ended_on is not None
    assert _audits("team_member.end") == 1
    assert admin.get(f"/assistance/structure/members/{member.pk}/end/").status_code == 405
    assert admin.post(f"/assistance/structure/members/{member.pk}/end/").status_code == 404


def test_first_secretary_set_and_bad_village(admin, village_cadre, poor_village, unit):
    url = "/assistance/structure/secretaries/new/"
    response = admin.post(url, {"village": "430821999999", "username": "village"})
    assert "您的管辖范围内没有这个村" in response.content.decode()
    response = admin.post(url, {"village": VILLAGE, "username": "village", "started_on": "2010-01-01"})
    assert "日期不能早于 2013 年" in response.content.decode()
    assert not m.FirstSecretary.objects.exists()
    assert _audits("first_secretary.start") == 0
    response = admin.post(url, {"village": VILLAGE, "username": "village", "unit": "县扶贫办"})
    assert response.status_code == 302
    post = m.FirstSecretary.objects.get()
    assert (post.cadre, post.village_id, post.unit, post.ended_on) == (village_cadre, VILLAGE, unit, None)
    assert _audits("first_secretary.start") == 1


def test_others_get_404_and_write_nothing(village_cadre, township_cadre, helper_user, county_leader, team):
    for user in (village_cadre, township_cadre, helper_user, county_leader):
        client = _client(user)
        for url in (
            "/assistance/structure/",
            "/assistance/structure/units/new/",
            "/assistance/structure/leaders/new/",
            "/assistance/structure/unit-links/new/",
            "/assistance/structure/teams/new/",
            f"/assistance/structure/teams/{team.pk}/members/new/",
            f"/assistance/structure/teams/{team.pk}/leader/",
            "/assistance/structure/secretaries/new/",
        ):
            assert client.get(url).status_code == 404, (user, url)
        response = client.post(
            "/assistance/structure/units/new/", {"name": "越权单位", "affiliation": "县直"}
        )
        assert response.status_code == 404
        assert 'data-testid="structure-link"' not in client.get("/assistance/").content.decode()
    assert not m.HelpUnit.objects.filter(name="越权单位").exists()


def test_unit_link_needs_a_unit(admin, regions):
    response = admin.post("/assistance/structure/unit-links/new/", {"unit": " ", "village": VILLAGE})
    assert response.status_code == 200
    assert "请填写帮扶单位名称" in response.content.decode()
    assert not m.UnitVillageLink.objects.exists()
    assert _audits("unit_link.start") == 0
