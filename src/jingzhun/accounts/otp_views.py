"""Two-factor sign-in (动态口令, TOTP via django-otp): enrol a device after the password, then verify a
code at each sign-in. Losing the phone is recovered by an administrator resetting the device (audited, in
the user pages); the user then enrols again."""

from __future__ import annotations

import base64
from typing import cast

from django import forms
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from jingzhun.accounts.models import User
from jingzhun.accounts.services import otp_device_pending
from jingzhun.core import audit


class TokenForm(forms.Form):
    token = forms.RegexField(
        label="动态口令",
        regex=r"^\d{6}$",
        error_messages={"invalid": "请输入认证器应用显示的6位数字"},
        widget=forms.TextInput(
            attrs={"class": "form-control", "autocomplete": "one-time-code", "inputmode": "numeric"}
        ),
    )


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return "/"
    return target


@login_required
def enrol(request: HttpRequest) -> HttpResponse:
    """绑定动态口令: the secret as text and as an otpauth URI for an authenticator app, then one code."""
    user = cast(User, request.user)
    if any(True for _ in devices_for_user(user, confirmed=True)):
        return redirect("accounts:otp_verify")
    device = otp_device_pending(user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            with transaction.atomic():
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                audit.record(
                    actor=user,
                    action="user.otp_enrol",
                    object_type="user",
                    object_id=user.pk,
                    object_label=user.username,
                )
            otp_login(request, device)
            return redirect(_next(request))
        form.add_error("token", "动态口令不正确，请核对手机时间后重试")
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return render(
        request,
        "accounts/otp_enrol.html",
        {"form": form, "secret": secret, "uri": device.config_url, "next": _next(request)},
    )


@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """输入动态口令: the second step of every sign-in of a user who must use one."""
    user = cast(User, request.user)
    devices = [d for d in devices_for_user(user, confirmed=True) if isinstance(d, TOTPDevice)]
    if not devices:
        return redirect("accounts:otp_enrol")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        for device in devices:
            allowed, _ = device.verify_is_allowed()
            if not allowed:
                form.add_error("token", "输错次数过多，请稍后再试")
                break
            if device.verify_token(form.cleaned_data["token"]):
                otp_login(request, device)
                return redirect(_next(request))
        else:
            form.add_error("token", "动态口令不正确")
    return render(request, "accounts/otp_verify.html", {"form": form, "next": _next(request)})
