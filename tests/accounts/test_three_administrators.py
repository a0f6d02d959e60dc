"""三员分立 (等保 L3): the system administrator manages users and settings, the security administrator roles
and grants, the audit administrator reads the audit trail; none of them can do another's work, and a
refused attempt changes nothing."""

from __future__ import annotations

import pytest
from django.test import Client

from jingzhun.accounts.models import RoleGrant, User
from jingzhun.core.models import AuditEntry
from tests.conftest import COUNTY
from tests.factories import VILLAGE, row_counts


def _admin(username: str, role: str):
    from jingzhun.accounts.services import role_grant, user_create

    user, _ = user_create(username=username, password="Pass-word-123")
    role_grant(user=user, role=role, region_code=COUNTY)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def sysadmin(regions):
    return _admin("sysadmin", "system_admin")


@pytest.fixture
def secadmin(regions):
    return _admin("secadmin", "security_admin")


@pytest.fixture
def auditadmin(regions):
    return _admin("auditadmin", "audit_admin")


def _state():
    return row_counts() | {"grants": RoleGrant.objects.count(), "users": User.objects.count()}


def test_the_system_administrator_manages_users_but_grants_no_role(sysadmin, village_cadre, household):
    created = sysadmin.post("/account/users/new/", {"username": "xinren", "display_name": "新人"})
    assert created.status_code == 302
    newcomer = User.objects.get(username="xinren")
    assert not newcomer.grants.exists()  # the security administrator grants the role
    assert sysadmin.post(f"/account/users/{village_cadre.pk}/deactivate/").status_code == 302
    village_cadre.refresh_from_db()
    assert not village_cadre.is_active
    assert sysadmin.post(f"/account/users/{village_cadre.pk}/reset/").status_code == 302
    assert sysadmin.get("/assistance/settings/").status_code == 200
    before = _state()
    grant = village_cadre.grants.get()
    assert (
        sysadmin.post(
            f"/account/users/{newcomer.pk}/", {"role": "county_admin", "region": COUNTY}
        ).status_code
        == 404
    )
    assert sysadmin.post(f"/account/users/{village_cadre.pk}/revoke/", {"grant": grant.pk}).status_code == 404
    assert sysadmin.get("/audit/verify/").status_code == 404
    assert household.code not in sysadmin.get("/households/").content.decode()  # an empty register
    assert sysadmin.get(f"/households/{household.pk}/").status_code == 404
    assert _state() == before


def test_the_security_administrator_grants_and_revokes_but_manages_no_user(secadmin, village_cadre):
    assert secadmin.get("/account/users/").status_code == 200
    granted = secadmin.post(f"/account/users/{village_cadre.pk}/", {"role": "helper", "region": VILLAGE})
    assert granted.status_code == 302
    grant = village_cadre.grants.get(role="helper")
    assert secadmin.post(f"/account/users/{village_cadre.pk}/revoke/", {"grant": grant.pk}).status_code == 302
    assert not village_cadre.grants.filter(role="helper").exists()
    before = _state()
    assert secadmin.get("/account/users/new/").status_code == 404
    assert (
        secadmin.post(
            "/account/users/new/", {"username": "x2", "role": "helper", "region": VILLAGE}
        ).status_code
        == 404
    )
    for action in ("deactivate", "activate", "reset", "reset_otp", "revoke_tokens"):
        assert secadmin.post(f"/account/users/{village_cadre.pk}/{action}/").status_code == 404, action
    assert secadmin.get("/assistance/settings/").status_code == 404
    assert secadmin.get("/audit/verify/").status_code == 404
    village_cadre.refresh_from_db()
    assert village_cadre.is_active
    assert _state() == before


def test_the_audit_administrator_reads_the_audit_and_changes_nothing(auditadmin, village_cadre):
    assert auditadmin.get("/audit/verify/").status_code == 200
    before = _state()
    entries = AuditEntry.objects.count()
    assert auditadmin.get("/account/users/").status_code == 404
    assert auditadmin.post("/account/users/new/", {"username": "x3"}).status_code == 404
    assert (
        auditadmin.post(
            f"/account/users/{village_cadre.pk}/", {"role": "helper", "region": VILLAGE}
        ).status_code
        == 404
    )
    for action in ("deactivate", "reset", "reset_otp", "revoke"):
        assert auditadmin.post(f"/account/users/{village_cadre.pk}/{action}/").status_code == 404, action
    assert auditadmin.get("/assistance/settings/").status_code == 404
    assert auditadmin.get("/households/new/").status_code == 404
    assert _state() == before and AuditEntry.objects.count() == entries


def test_the_three_administrators_sign_in_with_the_second_factor(regions):
    from jingzhun.accounts.identification import otp_required
    from jingzhun.accounts.services import role_grant, user_create

    for role in ("system_admin", "security_admin", "audit_admin"):
        user, _ = user_create(username=role, password="Pass-word-123")
        role_grant(user=user, role=role, region_code=COUNTY)
        assert otp_required(user), role
