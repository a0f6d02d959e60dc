"""User (账号) and RoleGrant (授权: a role over a region subtree)."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models

from jingzhun.accounts.roles import RoleCode


class User(AbstractUser):
    display_name = models.CharField("姓名", max_length=60, blank=True)
    phone = models.CharField("手机号", max_length=20, blank=True)
    # 等保 L3 password age: set whenever the password is set; None = must change it (after an admin reset).
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)

    class Meta:
        verbose_name = "账号"

    def set_password(self, raw_password):
        from django.utils import timezone

        super().set_password(raw_password)
        self.password_changed_at = timezone.now()

    def __str__(self) -> str:
        return self.display_name or self.username


class RoleGrant(models.Model):
    """A role granted to a user over a region (and its subtree)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grants")
    role = models.CharField("角色", max_length=30, choices=RoleCode.choices)
    region = models.ForeignKey(
        "regions.Region", verbose_name="管辖区域", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "授权"
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "region"], name="grant_unique_user_role_region")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.region}"


def _new_token_key() -> str:
    return secrets.token_hex(20)


class ApiToken(models.Model):
    """API token (令牌). Only its SHA-256 is stored; the key is shown once when created."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("名称", max_length=60)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    expires_at = models.DateTimeField(
        "到期时间", null=True, blank=True
    )  # null: tokens made before expiry existed
    revoked = models.BooleanField(default=False)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)

    class Meta:
        verbose_name = "API 令牌"

    def __str__(self) -> str:
        return f"{self.user} · {self.name}"

    def is_live(self, now: Any) -> bool:
        return not self.revoked and (self.expires_at is None or self.expires_at > now)
