"""Signing a persona in the way a real sign-in ends: password checked and, where the role requires it,
the second factor (TOTP) verified in the session — as django_otp.login does after a correct code."""

from __future__ import annotations

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

_original_force_login = Client.force_login


def device_for(user) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="测试认证器", confirmed=True)


def current_code(device: TOTPDevice) -> str:
    """The code an authenticator app shows now for this device."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):0{device.digits}d}"


def force_login_unverified(client: Client, user, backend=None) -> None:
    """Password step only (what the tests of the second factor start from)."""
    _original_force_login(client, user, backend)


def force_login_verified(client: Client, user, backend=None) -> None:
    _original_force_login(client, user, backend)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device_for(user).persistent_id
    session.save()


def install() -> None:
    """Make Client.force_login sign in fully (both factors): the tests of pages are about the pages, and
    the tests of the second factor use force_login_unverified."""
    Client.force_login = force_login_verified  # type: ignore[method-assign]
