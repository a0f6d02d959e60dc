"""Sign-in throttling (登录限速, issue 15 #12): who the client is, and how long it must wait.

Behind the reverse proxy every request comes from the proxy's address, so REMOTE_ADDR alone would make
one address of the whole county and anyone could lock any cadre out. The client address is therefore
taken from X-Forwarded-For only when the direct peer is one of `JINGZHUN_TRUSTED_PROXIES` (the right-most
entry not itself a trusted proxy, so a client cannot forge its way in front); from any other peer the
header is ignored.

Failed sign-ins are counted by django-axes per user name and client address, but nothing is locked: after
`AXES_FAILURE_LIMIT` failures each further attempt from that address for that user must wait
2^(failures − limit + 1) seconds since the last failure, capped at `JINGZHUN_LOGIN_DELAY_CAP_SECONDS`.
A success from the address clears its count (AXES_RESET_ON_SUCCESS). The real user at another address is
never delayed by an attacker's failures.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Max, Sum
from django.http import HttpRequest
from django.utils import timezone


def client_address(request: HttpRequest) -> str:
    """The client's address: X-Forwarded-For's nearest untrusted hop if the peer is a trusted proxy."""
    peer = request.META.get("REMOTE_ADDR", "") or ""
    trusted = set(getattr(settings, "JINGZHUN_TRUSTED_PROXIES", []) or [])
    if peer not in trusted:
        return peer
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
    for address in reversed(forwarded):
        if address not in trusted:
            return address
    return peer


def delay_seconds(failures: int) -> int:
    """The wait after `failures` failed attempts (0 below the limit): 2, 4, 8, … capped. A pure rule."""
    limit = settings.AXES_FAILURE_LIMIT
    if failures < limit:
        return 0
    cap = settings.JINGZHUN_LOGIN_DELAY_CAP_SECONDS
    return min(2 ** min(failures - limit + 1, 30), cap)


def _failures(username: str, address: str) -> tuple[int, datetime | None]:
    from axes.models import AccessAttempt

    # attempts older than the cool-off are forgotten, as axes forgets them
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    row = AccessAttempt.objects.filter(
        username=username, ip_address=address, attempt_time__gte=since
    ).aggregate(n=Sum("failures_since_start"), last=Max("attempt_time"))
    return int(row["n"] or 0), row["last"]


def wait_remaining(username: str, address: str) -> int:
    """Seconds this user name must still wait before trying from this address (0: may try now)."""
    if not username:
        return 0
    failures, last = _failures(username, address)
    wait = delay_seconds(failures)
    if not wait or last is None:
        return 0
    remaining = (last + timedelta(seconds=wait)) - timezone.now()
    return max(0, int(remaining.total_seconds() + 0.999))
