"""Sign-ins in the audit trail: logins, failed logins (also of unknown names and while locked) and logouts,
with the address; never the password."""

from __future__ import annotations

import json

from django.urls import reverse

from jingzhun.core.models import AuditEntry
from jingzhun.core.verify import verify_database

PASSWORD = "Pass-word-123"


def _entries(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("id"))


def test_a_login_and_a_logout_are_audited_with_the_user_and_address(client, village_cadre):
    client.post(
        reverse("accounts:login"), {"username": "village", "password": PASSWORD}, REMOTE_ADDR="10.1.2.3"
    )
    client.post(reverse("accounts:logout"))
    (login,) = _entries("user.login")
    assert login.actor == village_cadre and login.object_id == str(village_cadre.pk)
    assert login.after == {"address": "10.1.2.3"}
    (logout,) = _entries("user.logout")
    assert logout.actor == village_cadre
    assert verify_database().ok


def test_failed_logins_are_audited_without_the_password(client, village_cadre):
    url = reverse("accounts:login")
    client.post(url, {"username": "village", "password": "wrong-password-1"})
    client.post(url, {"username": "nobody", "password": "wrong-password-2"})
    failed = _entries("user.login_failed")
    assert [(e.object_label, e.object_id, e.actor_id) for e in failed] == [
        ("village", str(village_cadre.pk), None),
        ("nobody", "", None),
    ]
    stored = json.dumps(
        [[e.after, e.note, e.object_label] for e in AuditEntry.objects.all()], ensure_ascii=False
    )
    assert "wrong-password" not in stored
    assert not _entries("user.login")


def test_attempts_on_a_locked_account_are_audited_too(client, village_cadre):
    url = reverse("accounts:login")
    for _ in range(6):
        client.post(url, {"username": "village", "password": "wrong-password"})
    client.post(url, {"username": "village", "password": PASSWORD})  # refused: locked
    assert len(_entries("user.login_failed")) == 7
    assert not _entries("user.login")


def test_role_changes_are_audited(county_admin, village_cadre):
    from jingzhun.accounts.models import RoleGrant
    from jingzhun.accounts.services import role_revoke

    grant = RoleGrant.objects.get(user=village_cadre)
    role_revoke(grant=grant, actor=county_admin)
    (revoked,) = _entries("user.revoke")
    assert revoked.actor == county_admin and revoked.before["role"] == "village_cadre"
    assert _entries("user.grant")  # the fixtures' grants
