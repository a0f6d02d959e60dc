"""Accounts at county scale: search by name, user name, pinyin initials, role and region, numbered
pages; a new account's role has no default; the region is picked township → village."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from jingzhun.accounts.models import User
from jingzhun.accounts.services import role_grant, user_create
from tests.conftest import TOWNSHIP
from tests.factories import OTHER_VILLAGE, VILLAGE

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _names(html: str) -> list[str]:
    return re.findall(r'data-testid="user-([^"]+)"', html)


@pytest.fixture
def people(regions):
    made = {}
    for username, name, role, region in (
        ("zhangsan", "张三", "helper", VILLAGE),
        ("zhangsi", "张思", "village_cadre", OTHER_VILLAGE),
        ("lisi", "李四", "township_cadre", TOWNSHIP),
        ("wangwu", "王五", "helper", OTHER_VILLAGE),
    ):
        user, _ = user_create(username=username, password="Pass-word-123", display_name=name)
        role_grant(user=user, role=role, region_code=region)
        made[username] = user
    return made


def test_it_finds_accounts_by_name_initials_role_and_region(county_admin, people):
    client = _client(county_admin)
    assert _names(client.get("/account/users/?q=zs").content.decode()) == ["zhangsan", "zhangsi"]
    assert _names(client.get("/account/users/?q=张").content.decode()) == ["zhangsan", "zhangsi"]
    assert _names(client.get("/account/users/?q=lis").content.decode()) == ["lisi"]  # user name
    assert _names(client.get("/account/users/?role=helper").content.decode()) == ["wangwu", "zhangsan"]
    # a township covers the grants of its villages; role and region hold in the same grant
    assert _names(client.get(f"/account/users/?region_township={TOWNSHIP}").content.decode()) == [
        "lisi",
        "zhangsan",
    ]
    both = client.get(f"/account/users/?role=helper&region_township={TOWNSHIP}&region=").content.decode()
    assert _names(both) == ["zhangsan"]
    assert _names(client.get(f"/account/users/?region={OTHER_VILLAGE}").content.decode()) == [
        "wangwu",
        "zhangsi",
    ]
    assert "共 2 个账号" in client.get("/account/users/?q=zs").content.decode()


def test_it_pages_the_account_list(county_admin, people, monkeypatch):
    from jingzhun.accounts import admin_views

    monkeypatch.setattr(admin_views, "USER_PAGE_SIZE", 2)
    client = _client(county_admin)
    first = client.get("/account/users/").content.decode()
    assert "共 5 个账号，第 1–2 条" in first and _names(first) == ["admin", "lisi"]
    third = client.get("/account/users/?page=3").content.decode()
    assert _names(third) == ["zhangsi"]
    # two helpers fill one page: a page past the end shows the last page, with the filter kept
    helpers = client.get("/account/users/?role=helper&page=2").content.decode()
    assert _names(helpers) == ["wangwu", "zhangsan"] and "共 2 个账号" in helpers
    assert 'data-testid="next-page"' not in helpers  # one page: no pager links


def test_a_new_account_has_no_default_role(county_admin):
    client = _client(county_admin)
    form = client.get("/account/users/new/").content.decode()
    select = re.search(r'<select name="role".*?</select>', form, re.S).group(0)
    assert '<option value="" selected>请选择角色</option>' in select
    assert "selected" not in select.replace('<option value="" selected>', "")
    response = client.post("/account/users/new/", {"username": "nobody", "region": VILLAGE})
    assert response.status_code == 200 and "请选择角色" in response.content.decode()
    assert not User.objects.filter(username="nobody").exists()


def test_the_region_is_picked_township_then_village(county_admin):
    client = _client(county_admin)
    form = client.get("/account/users/new/").content.decode()
    township = re.search(r'<select[^>]*name="region_township".*?</select>', form, re.S).group(0)
    assert "（全县）" in township and "溪口镇" in township
    assert township.count("<option") < 40  # townships only, not the 457 regions
    response = client.post(
        "/account/users/new/",
        {"username": "dp", "role": "village_cadre", "region_township": TOWNSHIP, "region": VILLAGE},
    )
    assert response.status_code == 302
    assert User.objects.get(username="dp").grants.get().region_id == VILLAGE
    # the township alone, the village left empty, grants the township
    client.post(
        "/account/users/new/",
        {"username": "xk", "role": "township_cadre", "region_township": TOWNSHIP, "region": ""},
    )
    assert User.objects.get(username="xk").grants.get().region_id == TOWNSHIP


def test_the_villages_endpoint_answers_within_scope(county_admin, village_cadre, helper_user):
    admin = json.loads(_client(county_admin).get(f"/regions/{TOWNSHIP}/villages.json").content)
    codes = [v["code"] for v in admin["villages"]]
    assert VILLAGE in codes and all(c.startswith(TOWNSHIP[:9]) for c in codes) and len(codes) > 1
    village = json.loads(_client(village_cadre).get(f"/regions/{TOWNSHIP}/villages.json").content)
    assert [v["code"] for v in village["villages"]] == [VILLAGE]
    other = json.loads(_client(village_cadre).get(f"/regions/{OTHER_VILLAGE[:9]}000/villages.json").content)
    assert other["villages"] == []
    assert (
        json.loads(_client(helper_user).get(f"/regions/{TOWNSHIP}/villages.json").content)["villages"] == []
    )
    assert _client(county_admin).get(f"/regions/{VILLAGE}/villages.json").status_code == 404
