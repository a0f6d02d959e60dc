"""The county admin manages accounts; nobody else reaches those pages."""

from __future__ import annotations

import pytest
from django.test import Client

from jingzhun.accounts.models import User
from jingzhun.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_it_creates_an_account_with_a_role_and_shows_the_password_once(county_admin):
    client = _client(county_admin)
    response = client.post(
        "/account/users/new/",
        {
            "username": "xikou",
            "display_name": "溪口镇 干部",
            "role": "township_cadre",
            "region": "430821102000",
        },
        follow=True,
    )
    assert response.status_code == 200
    created = User.objects.get(username="xikou")
    grant = created.grants.get()
    assert (grant.role, grant.region_id) == ("township_cadre", "430821102000")
    assert "初始密码" in response.content.decode()
    assert AuditEntry.objects.filter(action="user.create", object_id=str(created.pk)).exists()
    assert AuditEntry.objects.filter(action="user.grant", object_id=str(created.pk)).exists()


def test_it_refuses_a_duplicate_user_name_with_a_message_at_the_field(county_admin):
    client = _client(county_admin)
    response = client.post(
        "/account/users/new/",
        {
            "username": "admin",
            "role": "village_cadre",
            "region": "430821102204",
        },
    )
    assert response.status_code == 200
    assert "已存在" in response.content.decode()
    assert User.objects.filter(username="admin").count() == 1


def test_it_revokes_a_grant_deactivates_and_resets(county_admin, village_cadre):
    client = _client(county_admin)
    grant = village_cadre.grants.get()
    client.post(f"/account/users/{village_cadre.pk}/revoke/", {"grant": grant.pk})
    assert not village_cadre.grants.exists()
    client.post(f"/account/users/{village_cadre.pk}/deactivate/")
    village_cadre.refresh_from_db()
    assert village_cadre.is_active is False
    old_hash = village_cadre.password
    client.post(f"/account/users/{village_cadre.pk}/reset/")
    village_cadre.refresh_from_db()
    assert village_cadre.password != old_hash


def test_it_hides_account_pages_from_everyone_but_the_admin(village_cadre, township_cadre, county_leader):
    for user in (village_cadre, township_cadre, county_leader):
        client = _client(user)
        assert client.get("/account/users/").status_code == 404
        assert client.post(f"/account/users/{user.pk}/reset/").status_code == 404
