"""等保 L3 identification (身份鉴别), decided in one middleware for every signed-in page and API call:

1. idle timeout: a session idle for JINGZHUN_IDLE_TIMEOUT_MINUTES ends, the next request goes to the login;
2. second factor: a user who must use TOTP (otp_required) and has not verified it in this session is sent
   to enrol a device (none yet) or to verify a code — nothing else answers before that;
3. password age: a password older than JINGZHUN_PASSWORD_MAX_AGE_DAYS (or reset by an administrator) must
   be changed before anything else.
API calls signed in by a bearer token are not session sign-ins and pass (a token is its own credential).
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils import timezone

from jingzhun.accounts.roles import Perm, RoleCode

# Roles that sign in with a second factor whatever their permissions (issue 15: 县扶贫办管理员, 县领导, 纪委
# and the three administrators); anyone else who may export personal data needs it too.
OTP_ROLES = frozenset(
    {
        RoleCode.COUNTY_ADMIN,
        RoleCode.COUNTY_LEADER,
        RoleCode.DISCIPLINE,
        RoleCode.SYSTEM_ADMIN,
        RoleCode.SECURITY_ADMIN,
        RoleCode.AUDIT_ADMIN,
    }
)
OTP_PERMS = frozenset({Perm.EXPORT_REGISTRY})
LAST_SEEN = "jingzhun_last_seen"
# Pages a user on the way to a full sign-in may still open (the steps themselves, and leaving).
OPEN_PREFIXES = ("/login/", "/logout/", "/account/otp/", "/static/", "/healthz")
PASSWORD_PAGE = "/account/password/"


def otp_required(user: Any) -> bool:
    from jingzhun.accounts.access import actor_for

    if not getattr(settings, "JINGZHUN_OTP_REQUIRED", True):
        return False
    actor = actor_for(user)
    return bool(set(actor.roles) & OTP_ROLES) or bool(actor.permissions & OTP_PERMS)


def password_expired(user: Any, now=None) -> bool:
    changed = getattr(user, "password_changed_at", None)
    if changed is None:
        return True
    days = getattr(settings, "JINGZHUN_PASSWORD_MAX_AGE_DAYS", 0)
    return bool(days) and (now or timezone.now()) - changed > timedelta(days=days)


def _refuse(request: HttpRequest, target: str, message: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"error": {"code": "identification_required", "message": message, "fields": {}}}, status=401
        )
    return redirect(f"{target}?next={request.get_full_path()}" if request.method == "GET" else target)


class IdentificationMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        now = time.time()
        idle = getattr(settings, "JINGZHUN_IDLE_TIMEOUT_MINUTES", 0) * 60
        last = request.session.get(LAST_SEEN)
        if idle and last is not None and now - last > idle:
            logout(request)
            if request.path.startswith("/api/"):
                return _refuse(request, "/login/", "会话已超时，请重新登录")
            return redirect(f"/login/?next={request.get_full_path()}&timeout=1")
        request.session[LAST_SEEN] = now
        path = request.path
        if path.startswith(OPEN_PREFIXES):
            return self.get_response(request)
        if otp_required(user) and not user.is_verified():
            from django_otp import devices_for_user

            if any(True for _ in devices_for_user(user, confirmed=True)):
                return _refuse(request, "/account/otp/verify/", "请先输入动态口令")
            return _refuse(request, "/account/otp/enrol/", "请先绑定动态口令")
        if path != PASSWORD_PAGE and password_expired(user):
            return _refuse(request, PASSWORD_PAGE, "密码已过期，请先修改密码")
        return self.get_response(request)
