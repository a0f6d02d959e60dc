"""The one place where access is decided (deny by default).

`Actor` bundles a user's permissions and scopes; selectors in each app take an Actor and filter by it.
A region scope is a code prefix (`430821001` = one township); a 帮扶责任人's scope is the households
paired with them (assistance pairings), held as a flag and resolved in the queryset.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.http import Http404

from jingzhun.accounts.roles import PAIRED_HOUSEHOLD_ROLES, ROLE_PERMISSIONS, Perm
from jingzhun.regions.models import code_prefix, code_range

# Scopes of assigned objects, registered by the app that owns the assignment (a seam): a 帮扶责任人's
# households are those with an open pairing, which only `assistance` knows. A resolver returns a Q over
# households (prefix "" = the Household model itself; otherwise the path to it, e.g. "household__").
AssignedHouseholds = Any  # Callable[[Actor, str], Q]
_ASSIGNED_HOUSEHOLDS: list[AssignedHouseholds] = []


def register_assigned_households(resolver: AssignedHouseholds) -> None:
    if resolver not in _ASSIGNED_HOUSEHOLDS:
        _ASSIGNED_HOUSEHOLDS.append(resolver)


def assigned_households_q(actor: Actor, prefix: str = "") -> Q:
    """Households assigned to this actor (deny by default: nothing when no app resolves them)."""
    if actor.user is None or not _ASSIGNED_HOUSEHOLDS:
        return Q(pk__in=[])
    q = Q(pk__in=[])
    for resolver in _ASSIGNED_HOUSEHOLDS:
        q |= resolver(actor, prefix)
    return q


@dataclass(frozen=True)
class Actor:
    user: Any
    permissions: frozenset[str] = frozenset()
    prefixes: tuple[str, ...] = ()  # region subtrees, by code prefix
    paired_only: bool = False  # 帮扶责任人: only households paired with the user
    roles: tuple[str, ...] = ()
    region_codes: tuple[str, ...] = field(default=())

    @property
    def is_authenticated(self) -> bool:
        return bool(self.permissions)

    def can(self, perm: str) -> bool:
        return perm in self.permissions

    def require(self, perm: str) -> None:
        """Missing and forbidden look the same (404), so nothing leaks about what exists."""
        if perm not in self.permissions:
            raise Http404

    @property
    def sees_sensitive(self) -> bool:
        return Perm.VIEW_SENSITIVE in self.permissions

    def covers_code(self, code: str) -> bool:
        return any(code.startswith(p) for p in self.prefixes)

    def region_q(self, field_name: str) -> Q:
        """Q filtering a 12-digit code column to this actor's region subtrees (index-friendly ranges)."""
        if not self.prefixes:
            return Q(pk__in=[])
        q = Q()
        for prefix in self.prefixes:
            low, high = code_range(prefix)
            q |= Q(**{f"{field_name}__gte": low, f"{field_name}__lt": high})
        return q


ANONYMOUS = Actor(user=None)


def actor_for(user: Any) -> Actor:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return ANONYMOUS
    cached = getattr(user, "_jingzhun_actor", None)
    if cached is not None:
        return cached
    perms: set[str] = set()
    prefixes: set[str] = set()
    roles: list[str] = []
    codes: list[str] = []
    paired_only = True
    has_region_role = False
    for grant in user.grants.select_related("region"):
        perms |= ROLE_PERMISSIONS.get(grant.role, frozenset())
        roles.append(grant.role)
        codes.append(grant.region_id)
        if grant.role in PAIRED_HOUSEHOLD_ROLES:
            continue
        has_region_role = True
        prefixes.add(code_prefix(grant.region.code, grant.region.level))
    if has_region_role:
        paired_only = False
    if not roles:
        paired_only = False
    # Drop prefixes covered by a shorter one.
    minimal = tuple(sorted(p for p in prefixes if not any(p != q and p.startswith(q) for q in prefixes)))
    actor = Actor(
        user=user,
        permissions=frozenset(perms),
        prefixes=minimal,
        paired_only=paired_only,
        roles=tuple(roles),
        region_codes=tuple(codes),
    )
    user._jingzhun_actor = actor
    return actor


def regions_in_scope(actor: Actor) -> list[Any]:
    """The regions an administrator may grant over: those in their prefixes, townships and villages and
    the county (never the province or city above it), in code order."""
    from jingzhun.regions.models import Region

    query = Region.objects.none()
    for prefix in actor.prefixes:
        low, high = code_range(prefix)
        query = query | Region.objects.filter(code__gte=low, code__lt=high).exclude(
            level__in=["province", "city"]
        )
    return list(query.order_by("code"))


def region_in_scope(actor: Actor, code: str) -> Any:
    """The region of that code when the actor covers it, else None."""
    from jingzhun.regions.models import Region

    if not code or not actor.covers_code(code):
        return None
    return Region.objects.filter(code=code).first()
