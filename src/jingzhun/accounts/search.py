"""Finding accounts by the pinyin initials of their names (zs → 张三). Users keep no initials column,
and converting 87k names takes about a second, so the (id, initials) index is built once and kept for
ten minutes in the cache — rebuilt at once when an account is added (the key carries the count and
the newest id)."""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import Count, Max, Q

from jingzhun.lib.pinyin import initials

INITIALS_SECONDS = 600


def initials_index() -> list[tuple[int, str]]:
    from jingzhun.accounts.models import User

    fingerprint = User.objects.aggregate(n=Count("id"), top=Max("id"))
    key = f"accounts:initials:{fingerprint['n']}:{fingerprint['top']}"
    index = cache.get(key)
    if index is None:
        names = User.objects.exclude(display_name="").values_list("id", "display_name")
        index = [(pk, initials(name)) for pk, name in names]
        cache.set(key, index, INITIALS_SECONDS)
    return index


def name_q(term: str) -> Q:
    """Accounts whose name or user name contains `term`, or whose name's initials start with it."""
    term = term.strip()
    match = Q(username__icontains=term) | Q(display_name__icontains=term)
    if term.isascii() and term.isalpha():
        wanted = term.lower()
        match |= Q(pk__in=[pk for pk, code in initials_index() if code.startswith(wanted)])
    return match
