"""Sign-ins in the audit trail (等保 2.0: 身份鉴别 events are audited): each login, failed login and logout
leaves an entry — who (or which user name was tried), from which address. Never the password."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.dispatch import receiver

from jingzhun.core import audit


def _address(request: Any) -> str:
    if request is None or getattr(request, "META", None) is None:
        return ""
    from jingzhun.accounts.throttle import client_address

    return client_address(request)


def _record(*, actor: Any, action: str, user: Any, username: str, request: Any) -> None:
    with transaction.atomic():
        audit.record(
            actor=actor,
            action=action,
            object_type="user",
            object_id=getattr(user, "pk", None) or "",
            object_label=username[:150],
            after={"address": _address(request)},
        )


@receiver(user_logged_in, dispatch_uid="jingzhun.audit.login")
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    _record(actor=user, action="user.login", user=user, username=user.get_username(), request=request)


@receiver(user_logged_out, dispatch_uid="jingzhun.audit.logout")
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        _record(actor=user, action="user.logout", user=user, username=user.get_username(), request=request)


@receiver(user_login_failed, dispatch_uid="jingzhun.audit.login_failed")
def _login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    from jingzhun.accounts.models import User

    username = str(credentials.get("username") or "")
    user = User.objects.filter(username=username).first() if username else None
    _record(actor=None, action="user.login_failed", user=user, username=username, request=request)
