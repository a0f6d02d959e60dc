"""Account services: users, role grants per region, API tokens; each write leaves an audit row."""

from __future__ import annotations

import pytest
from django.conf import settings

from jingzhun.accounts.access import actor_for
from jingzhun.accounts.models import ApiToken
from jingzhun.accounts.roles import ROLE_PERMISSIONS, Perm, RoleCode
from jingzhun.accounts.services import api_token_create, api_token_user, role_grant, user_create
from jingzhun.core.errors import ValidationFailed
from jingzhun.core.models import AuditEntry
from tests.factories import VILLAGE


def test_it_audits_user_creation_and_grants(regions, county_admin):
    user, password = user_create(username="new", display_name="新用户", actor=county_admin)
    assert len(password) >= 8 and user.check_password(password)
    role_grant(user=user, role="village_cadre", region_code=VILLAGE, actor=county_admin)
    role_grant(user=user, role="village_cadre", region_code=VILLAGE, actor=county_admin)  # already granted
    entries = AuditEntry.objects.filter(object_type="user", object_id=str(user.pk)).order_by("id")
    assert [(e.action, e.actor) for e in entries] == [
        ("user.create", county_admin),
        ("user.grant", county_admin),
    ]
    assert entries[1].after == {"role": "village_cadre", "region": VILLAGE}
    assert user.grants.count() == 1


def test_it_refuses_an_unknown_role_or_region(regions):
    user, _ = user_create(username="someone", password="Pass-word-123")
    with pytest.raises(ValidationFailed) as caught:
        role_grant(user=user, role="emperor", region_code=VILLAGE)
    assert "未知角色" in caught.value.errors["role"]
    with pytest.raises(ValidationFailed) as caught:
        role_grant(user=user, role="village_cadre", region_code="430821999999")
    assert caught.value.errors == {"region": "行政区划代码 430821999999 不存在"}
    assert not user.grants.exists()


def test_it_issues_a_token_whose_key_is_shown_once_and_stored_hashed(village_cadre):
    token, key = api_token_create(user=village_cadre, name="手机")
    assert key.startswith("jz_")
    assert key not in token.key_hash and len(token.key_hash) == 64
    assert api_token_user(key) == village_cadre
    assert api_token_user(key + "x") is None
    assert api_token_user("") is None
    assert AuditEntry.objects.filter(action="token.create", object_id=str(token.pk)).exists()


def test_it_refuses_a_revoked_token_or_an_inactive_users_token(village_cadre):
    token, key = api_token_create(user=village_cadre, name="旧")
    ApiToken.objects.filter(pk=token.pk).update(revoked=True)
    assert api_token_user(key) is None
    _, other_key = api_token_create(user=village_cadre, name="新")
    village_cadre.is_active = False
    village_cadre.save()
    assert api_token_user(other_key) is None


def test_it_gives_each_role_its_permissions():
    assert ROLE_PERMISSIONS[RoleCode.COUNTY_ADMIN] >= {
        Perm.MANAGE_USERS,
        Perm.VIEW_SENSITIVE,
        Perm.EDIT_REGISTRY,
    }
    assert Perm.VIEW_SENSITIVE not in ROLE_PERMISSIONS[RoleCode.COUNTY_LEADER]
    assert Perm.EDIT_REGISTRY not in ROLE_PERMISSIONS[RoleCode.COUNTY_LEADER]
    assert Perm.EDIT_REGISTRY not in ROLE_PERMISSIONS[RoleCode.HELPER]
    administrators = {RoleCode.SYSTEM_ADMIN, RoleCode.SECURITY_ADMIN, RoleCode.AUDIT_ADMIN}
    assert all(Perm.VIEW_REGISTRY in p for r, p in ROLE_PERMISSIONS.items() if r not in administrators)
    # 三员分立: the administrators see no register at all
    assert not any(Perm.VIEW_REGISTRY in ROLE_PERMISSIONS[r] for r in administrators)
    assert set(ROLE_PERMISSIONS) == set(RoleCode.values)


def test_it_gives_personas_their_roles(county_leader, township_cadre):
    leader = actor_for(county_leader)
    assert leader.roles == ("county_leader",)
    assert leader.can(Perm.VIEW_REGISTRY) and not leader.can(Perm.EDIT_REGISTRY)
    assert actor_for(township_cadre).prefixes == (VILLAGE[:9],)


def test_it_expires_idle_sessions_and_hashes_with_argon2_first():
    assert settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert 0 < settings.SESSION_COOKIE_AGE <= 24 * 3600
    assert settings.AXES_FAILURE_LIMIT == 5
