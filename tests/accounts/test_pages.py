"""Pages through Django's test client: login, lockout, hashing, and scope on every page."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.urls import reverse

from jingzhun.accounts.services import user_create
from jingzhun.core.errors import ValidationFailed
from tests.factories import VILLAGE

PASSWORD = "Pass-word-123"


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login


def test_it_stores_passwords_with_argon2(village_cadre):
    assert village_cadre.password.startswith("argon2")
    assert identify_hasher(village_cadre.password).algorithm == "argon2"
    assert village_cadre.check_password(PASSWORD)


def test_it_refuses_a_weak_password_with_a_chinese_message(db):
    with pytest.raises(ValidationFailed) as caught:
        user_create(username="weak", password="123")
    assert "password" in caught.value.errors


def test_it_refuses_a_duplicate_username(village_cadre):
    with pytest.raises(ValidationFailed) as caught:
        user_create(username="village", password=PASSWORD)
    assert caught.value.errors == {"username": "用户名 village 已存在"}


def test_it_logs_in_with_the_right_password(client, village_cadre):
    response = client.post(reverse("accounts:login"), {"username": "village", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(village_cadre.pk)


def test_after_five_failed_logins_the_next_attempt_must_wait(client, village_cadre):
    url = reverse("accounts:login")
    for _ in range(5):
        response = client.post(url, {"username": "village", "password": "wrong-password"})
        assert response.status_code == 200
        assert "用户名或密码错误" in response.content.decode()
    delayed = client.post(url, {"username": "village", "password": PASSWORD})
    assert delayed.status_code == 429
    assert "秒后再试" in delayed.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_redirects_an_anonymous_visitor_to_login(client, household):
    for url in (
        reverse("registry:household_list"),
        reverse("registry:household_detail", args=[household.pk]),
        reverse("regions:detail", args=[VILLAGE]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")


def test_it_shows_a_village_cadre_their_household(login, village_cadre, household):
    response = login(village_cadre).get(reverse("registry:household_detail", args=[household.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "张三" in body
    assert household.head_id_number in body


def test_it_gives_another_villages_household_page_a_404(login, other_village_cadre, household):
    client = login(other_village_cadre)
    forbidden = client.get(reverse("registry:household_detail", args=[household.pk]))
    missing = client.get(reverse("registry:household_detail", args=[household.pk + 1000]))
    assert forbidden.status_code == missing.status_code == 404
    member = household.members.get(relation="户主")
    assert client.get(reverse("registry:member_edit", args=[member.pk])).status_code == 404
    assert client.get(reverse("regions:detail", args=[VILLAGE])).status_code == 404


def test_it_lists_only_the_households_in_scope(
    login, village_cadre, other_village_cadre, household, other_household
):
    own = login(village_cadre).get(reverse("registry:household_list")).content.decode()
    assert household.code in own and other_household.code not in own
    outsider = login(other_village_cadre).get(reverse("registry:household_list")).content.decode()
    assert other_household.code in outsider and household.code not in outsider


def test_it_finds_a_household_by_pinyin_initials_on_the_list(login, county_admin, household, other_household):
    body = login(county_admin).get(reverse("registry:household_list"), {"q": "zs"}).content.decode()
    assert household.code in body


def test_it_masks_id_numbers_on_the_page_for_the_county_leader(login, county_leader, household):
    body = (
        login(county_leader).get(reverse("registry:household_detail", args=[household.pk])).content.decode()
    )
    assert household.head_id_number not in body
    assert household.head_id_number[:6] + "********" + household.head_id_number[-4:] in body


def test_it_lets_a_village_cadre_edit_a_member_and_see_it_in_history(login, village_cadre, household):
    member = household.members.get(relation="之子")
    client = login(village_cadre)
    url = reverse("registry:member_edit", args=[member.pk])
    assert client.get(url).status_code == 200
    from jingzhun.registry.services.common import MEMBER_EDITABLE

    data = {}
    for name in MEMBER_EDITABLE:
        value = getattr(member, name)
        if value is None:
            continue
        data[name] = {True: "是", False: "否"}.get(value, value) if isinstance(value, bool) else str(value)
    data["health"] = "长期慢性病"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    member.refresh_from_db()
    assert member.health == "长期慢性病"
    page = client.get(reverse("registry:household_detail", args=[household.pk])).content.decode()
    assert "长期慢性病" in page
