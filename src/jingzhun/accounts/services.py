"""Writes for accounts: create users, grant roles, issue API tokens. Each leaves an audit row."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from jingzhun.accounts.models import ApiToken, RoleGrant, User
from jingzhun.accounts.roles import RoleCode
from jingzhun.core import audit
from jingzhun.core.errors import ValidationFailed
from jingzhun.regions.models import Region


def random_password() -> str:
    return secrets.token_urlsafe(9)


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str | None = None,
    display_name: str = "",
    actor: object = None,
    check_password: bool = True,
) -> tuple[User, str]:
    username = username.strip()
    if not username:
        raise ValidationFailed({"username": "用户名不能为空"})
    if User.objects.filter(username=username).exists():
        raise ValidationFailed({"username": f"用户名 {username} 已存在"})
    # An initial password made up here is shown to the administrator: the user changes it at first sign-in.
    chosen = password is not None
    password = password or random_password()
    if check_password:
        try:
            # against the would-be user, so a password equal to the user name is refused
            validate_password(password, user=User(username=username, display_name=display_name))
        except ValidationError as exc:
            raise ValidationFailed({"password": "；".join(exc.messages)}) from exc
    user = User.objects.create_user(
        username=username,
        password=password,
        display_name=display_name,
        password_changed_at=timezone.now() if chosen else None,
    )
    audit.record(
        actor=actor,
        action="user.create",
        object_type="user",
        object_id=user.pk,
        object_label=username,
        after={"username": username, "display_name": display_name},
    )
    return user, password


@transaction.atomic
def role_grant(*, user: User, role: str, region_code: str, actor: object = None) -> RoleGrant:
    if role not in RoleCode.values:
        raise ValidationFailed({"role": f"未知角色 {role}，可选：{'、'.join(RoleCode.values)}"})
    region = Region.objects.filter(code=region_code).first()
    if region is None:
        raise ValidationFailed({"region": f"行政区划代码 {region_code} 不存在"})
    grant, created = RoleGrant.objects.get_or_create(user=user, role=role, region=region)
    if created:
        audit.record(
            actor=actor,
            action="user.grant",
            object_type="user",
            object_id=user.pk,
            object_label=user.username,
            after={"role": role, "region": region_code},
        )
    return grant


def user_create_with_role(
    *,
    username: str,
    role: str,
    region_code: str,
    password: str | None = None,
    display_name: str = "",
    actor: object = None,
) -> tuple[User, str]:
    """A user and their one role grant, both or neither (raises ValidationFailed)."""
    with transaction.atomic():
        user, password = user_create(
            username=username, password=password, display_name=display_name, actor=actor
        )
        role_grant(user=user, role=role, region_code=region_code, actor=actor)
    return user, password


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


TOKEN_DAYS_CHOICES = (30, 90, 180, 365)  # 令牌有效期（天）: every token expires
TOKEN_DAYS_DEFAULT = 90


@transaction.atomic
def api_token_create(*, user: User, name: str, days: int = TOKEN_DAYS_DEFAULT) -> tuple[ApiToken, str]:
    """Return the token and its key; only the hash is stored, so the key is shown this once. The token
    expires after `days` (one of TOKEN_DAYS_CHOICES)."""
    if days not in TOKEN_DAYS_CHOICES:
        raise ValidationFailed({"days": f"有效期应为 {'、'.join(map(str, TOKEN_DAYS_CHOICES))} 天之一"})
    key = "jz_" + secrets.token_urlsafe(30)
    expires = timezone.now() + timedelta(days=days)
    token = ApiToken.objects.create(
        user=user, name=name[:60] or "API", key_hash=_hash(key), expires_at=expires
    )
    audit.record(
        actor=user,
        action="token.create",
        object_type="api_token",
        object_id=token.pk,
        object_label=token.name,
        after={"name": token.name, "expires_at": expires.isoformat()},
    )
    return token, key


def api_token_user(key: str) -> User | None:
    """The user of a live token (not revoked, not expired, its owner active), and its last use noted."""
    if not key:
        return None
    now = timezone.now()
    token = ApiToken.objects.select_related("user").filter(key_hash=_hash(key)).first()
    if token is None or not token.is_live(now) or not token.user.is_active:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: object, note: str = "") -> bool:
    """Revoke one token (its owner, or an account administrator). False when it was already revoked."""
    updated = ApiToken.objects.filter(pk=token.pk, revoked=False).update(
        revoked=True, revoked_at=timezone.now()
    )
    if updated:
        audit.record(
            actor=actor,
            action="token.revoke",
            object_type="api_token",
            object_id=token.pk,
            object_label=f"{token.user.username} · {token.name}",
            before={"revoked": False},
            after={"revoked": True},
            note=note,
        )
    return bool(updated)


def api_tokens_revoke_all(*, user: User, actor: object, note: str) -> int:
    """Revoke every live token of `user` (password reset, the administrator's 撤销全部令牌)."""
    return sum(
        api_token_revoke(token=t, actor=actor, note=note)
        for t in ApiToken.objects.filter(user=user, revoked=False)
    )


@transaction.atomic
def role_revoke(*, grant: RoleGrant, actor: object = None) -> None:
    before = {"role": grant.role, "region": grant.region_id}
    user = grant.user
    grant.delete()
    audit.record(
        actor=actor,
        action="user.revoke",
        object_type="user",
        object_id=user.pk,
        object_label=user.username,
        before=before,
        after=None,
    )


@transaction.atomic
def user_set_active(*, user: User, active: bool, actor: object = None) -> User:
    if user.is_active != active:
        user.is_active = active
        user.save(update_fields=["is_active"])
        audit.record(
            actor=actor,
            action="user.activate" if active else "user.deactivate",
            object_type="user",
            object_id=user.pk,
            object_label=user.username,
            before={"is_active": not active},
            after={"is_active": active},
        )
    return user


@transaction.atomic
def user_reset_password(*, user: User, actor: object = None) -> str:
    """Set a new random password (shown once) and lift a login lockout."""
    from axes.utils import reset

    password = random_password()
    user.set_password(password)
    user.password_changed_at = None  # a password someone else has seen: to be changed at first sign-in
    user.save(update_fields=["password", "password_changed_at"])
    reset(username=user.username)
    # a reset means the account may be in other hands: its API tokens die with the old password
    api_tokens_revoke_all(user=user, actor=actor, note="重置密码，令牌随之作废")
    audit.record(
        actor=actor,
        action="user.reset_password",
        object_type="user",
        object_id=user.pk,
        object_label=user.username,
        note="重置密码并解除锁定",
    )
    return password


def otp_device_pending(user: User) -> Any:
    """The user's authenticator being enrolled (unconfirmed), created on first use of the enrol page."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="认证器", confirmed=False)
    return device


@transaction.atomic
def otp_devices_reset(*, user: User, actor: object = None) -> int:
    """Recovery of a lost second factor: an administrator removes the user's TOTP devices (audited); at
    the next sign-in the user enrols a new one."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    count, _ = TOTPDevice.objects.filter(user=user).delete()
    audit.record(
        actor=actor,
        action="user.reset_otp",
        object_type="user",
        object_id=user.pk,
        object_label=user.username,
        after={"devices_removed": count},
    )
    return count
