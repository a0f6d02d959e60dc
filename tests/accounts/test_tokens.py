"""Issue 15 #11: API tokens expire, can be revoked by their owner and by an account administrator, show
when they were last used, and die when their owner's password is reset."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from jingzhun.accounts.models import ApiToken
from jingzhun.accounts.services import api_token_create, user_reset_password
from jingzhun.core.errors import ValidationFailed
from jingzhun.core.models import AuditEntry


def _call(key: str, household):
    return Client().get(f"/api/v1/households/{household.pk}", headers={"Authorization": f"Bearer {key}"})


def _page(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_token_expires_after_its_days(village_cadre, household):
    token, key = api_token_create(user=village_cadre, name="脚本")
    assert timedelta(days=89) < token.expires_at - timezone.now() <= timedelta(days=90)
    assert _call(key, household).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = _call(key, household)
    assert response.status_code == 401 and response.json()["error"]["code"] == "unauthorized"


def test_it_refuses_a_lifetime_it_does_not_offer(village_cadre):
    with pytest.raises(ValidationFailed):
        api_token_create(user=village_cadre, name="永久", days=100_000)
    assert not ApiToken.objects.exists()


def test_the_page_creates_a_token_with_the_chosen_lifetime(village_cadre):
    response = _page(village_cadre).post("/account/tokens/", {"name": "月报", "days": "30"})
    assert response.status_code == 200 and 'data-testid="new-token"' in response.content.decode()
    token = ApiToken.objects.get()
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)


def test_a_use_is_recorded_and_shown(village_cadre, household):
    token, key = api_token_create(user=village_cadre, name="脚本")
    assert token.last_used_at is None
    _call(key, household)
    token.refresh_from_db()
    assert token.last_used_at is not None
    page = _page(village_cadre).get("/account/tokens/").content.decode()
    assert timezone.localtime(token.last_used_at).strftime("%Y-%m-%d %H:%M") in page


def test_the_owner_revokes_a_token(village_cadre, household):
    token, key = api_token_create(user=village_cadre, name="脚本")
    response = _page(village_cadre).post(f"/account/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    assert _call(key, household).status_code == 401
    token.refresh_from_db()
    assert token.revoked and token.revoked_at is not None
    assert AuditEntry.objects.filter(
        action="token.revoke", actor=village_cadre, object_id=str(token.pk)
    ).exists()
    assert "脚本" not in _page(village_cadre).get("/account/tokens/").content.decode()


def test_nobody_else_revokes_my_token_from_the_token_page(village_cadre, township_cadre, household):
    token, key = api_token_create(user=village_cadre, name="脚本")
    assert _page(township_cadre).post(f"/account/tokens/{token.pk}/revoke/").status_code == 404
    assert _call(key, household).status_code == 200


def test_the_account_administrator_revokes_all_tokens_of_a_user(county_admin, village_cadre, household):
    _, key1 = api_token_create(user=village_cadre, name="一")
    _, key2 = api_token_create(user=village_cadre, name="二")
    client = _page(county_admin)
    assert "撤销全部令牌" in client.get(f"/account/users/{village_cadre.pk}/").content.decode()
    assert client.post(f"/account/users/{village_cadre.pk}/revoke_tokens/").status_code == 302
    assert _call(key1, household).status_code == 401 and _call(key2, household).status_code == 401
    assert AuditEntry.objects.filter(action="token.revoke", actor=county_admin).count() == 2


def test_a_user_who_is_not_an_administrator_cannot_revoke_anothers_tokens(
    village_cadre, township_cadre, household
):
    _, key = api_token_create(user=village_cadre, name="一")
    assert _page(township_cadre).post(f"/account/users/{village_cadre.pk}/revoke_tokens/").status_code == 404
    assert _call(key, household).status_code == 200


def test_a_password_reset_kills_the_owners_tokens(county_admin, village_cadre, household):
    _, key = api_token_create(user=village_cadre, name="脚本")
    assert _call(key, household).status_code == 200
    user_reset_password(user=village_cadre, actor=county_admin)
    assert _call(key, household).status_code == 401
    assert ApiToken.objects.get().revoked


def test_a_reset_through_the_admin_page_kills_them_too(county_admin, village_cadre, household):
    _, key = api_token_create(user=village_cadre, name="脚本")
    assert _page(county_admin).post(f"/account/users/{village_cadre.pk}/reset/").status_code == 302
    assert _call(key, household).status_code == 401
