"""Reads of the ledgers that respect scope (deny by default; out of scope == missing == 404).

Township and village users see the items of their region subtree; county roles the whole county; a
行业部门 user only the items of their own unit; 违纪案件 only roles with `ledger.cases` (纪委). A 指令 is
also open (by id) to the members of its recipient posts, who sign and report on it even when it was
issued from above their region (乡镇指挥部 → 村作战室)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.http import Http404

from jingzhun.accounts.access import Actor
from jingzhun.accounts.roles import Perm, RoleCode
from jingzhun.assistance.models import HelpUnit
from jingzhun.ledger import kinds
from jingzhun.ledger.escalation import ladder
from jingzhun.ledger.models import (
    Attachment,
    CaseDetail,
    Escalation,
    Indicator,
    InspectionGroup,
    Item,
    Post,
    Recipient,
)
from jingzhun.regions.home import home_prefixes
from jingzhun.regions.models import Region, code_prefix, code_range
from jingzhun.registry.models import Household


def system_actor() -> Actor:
    """The county acting without a user (CLI, jobs, demo): every ledger permission, whole county."""
    perms = frozenset(
        {
            Perm.LEDGER_VIEW,
            Perm.LEDGER_HANDLE,
            Perm.LEDGER_ASSIGN,
            Perm.LEDGER_IMPORT,
            Perm.LEDGER_CASES,
            Perm.VIEW_SENSITIVE,
        }
    )
    return Actor(user=None, permissions=perms, prefixes=home_prefixes())


def _sector_unit_id(actor: Actor) -> int | None | bool:
    """A user whose only roles are 行业部门 sees their unit's items: the unit id, or None when they have
    no unit (then nothing). False when the actor is not sector-only."""
    if not actor.roles or any(r != RoleCode.SECTOR for r in actor.roles):
        return False
    cadre = getattr(actor.user, "cadre", None) if actor.user is not None else None
    return getattr(cadre, "unit_id", None)


def ledger_actor(actor: Actor) -> Actor:
    """The actor with the ledger's region scope. A 督查组 member's inspector grant is replaced by the
    regions assigned to their groups (`InspectionGroup`), so a group sent to two townships sees those two
    and no others; an inspector in no assigned group keeps the granted region. Other roles' grants
    count as they are. Worked out once per user and request (the user object carries it)."""
    if actor.user is None or RoleCode.INSPECTOR not in actor.roles:
        return actor
    cached = getattr(actor.user, "_jingzhun_ledger_actor", None)
    if cached is not None and cached[0] is actor:
        return cached[1]
    assigned = [
        code_prefix(code, level)
        for code, level in InspectionGroup.objects.filter(members=actor.user)
        .values_list("regions__code", "regions__level")
        .distinct()
        if code
    ]
    scoped = actor
    if assigned:
        levels = dict(Region.objects.filter(code__in=actor.region_codes).values_list("code", "level"))
        prefixes = set(assigned) | {
            code_prefix(code, levels[code])
            for role, code in zip(actor.roles, actor.region_codes, strict=True)
            if role not in (RoleCode.INSPECTOR, RoleCode.HELPER) and code in levels
        }
        minimal = tuple(sorted(p for p in prefixes if not any(p != q and p.startswith(q) for q in prefixes)))
        scoped = replace(actor, prefixes=minimal)
    actor.user._jingzhun_ledger_actor = (actor, scoped)
    return scoped


def scope_q(actor: Actor) -> Q:
    """The actor's region subtrees over `region_id`. A county-wide prefix covers the whole ledger, so a
    range on the region index is the worst plan for it — yet SQLite's planner, which cannot tell, picks
    that index over the kind, status and responsible ones for every list, count and inbox query (1–1.5 s
    each at 100,000 items). County prefixes are therefore written as a prefix match, which no index
    serves; township and village prefixes, which are selective, stay index ranges (Actor.region_q)."""
    if not actor.prefixes:
        return Q(pk__in=[])
    q = Q()
    for prefix in actor.prefixes:
        if len(prefix) <= 6:
            q |= Q(region__code__startswith=prefix)  # the FK column itself (no join: code is the key)
        else:
            low, high = code_range(prefix)
            q |= Q(region_id__gte=low, region_id__lt=high)
    return q


def items_visible(actor: Actor, *, kind: str | None = None) -> QuerySet[Item]:
    if not actor.can(Perm.LEDGER_VIEW):
        return Item.objects.none()
    actor = ledger_actor(actor)
    query = Item.objects.filter(scope_q(actor))
    if not actor.can(Perm.LEDGER_CASES):
        query = query.exclude(kind="case")
    unit = _sector_unit_id(actor)
    if unit is not False:
        query = query.filter(unit_id=unit) if unit is not None else query.none()
    if kind:
        query = query.filter(kind=kind)
    return query


def item_get(actor: Actor, pk: Any) -> Item:
    related = ("region", "unit", "household", "origin")
    try:
        return items_visible(actor).select_related(*related).get(pk=pk)
    except (Item.DoesNotExist, ValueError, TypeError) as exc:
        if actor.user is None or not actor.can(Perm.LEDGER_VIEW) or isinstance(exc, (ValueError, TypeError)):
            raise Http404 from exc
        received = Recipient.objects.filter(post__members=actor.user).values("item_id")
        try:
            return Item.objects.select_related(*related).get(pk=pk, kind="directive", pk__in=received)
        except Item.DoesNotExist as exc2:
            raise Http404 from exc2


def attachment_get(actor: Actor, pk: Any) -> Attachment:
    try:
        attachment = Attachment.objects.select_related("step").get(pk=pk)
    except (Attachment.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    item_get(actor, attachment.step.item_id)
    return attachment


def _inbox_parts(actor: Actor) -> list[QuerySet[Item]]:
    """我的待办 in disjoint parts, each served by an index: open items I am responsible for (to act on;
    responsible+status), items waiting for a supervisor's acceptance that are not my own (status+due),
    and directives my command posts have not yet reported on (to sign, act, report; through the
    recipients of my posts). The navigation shows the count on every page, so it must never scan the
    ledger."""
    if actor.user is None or not actor.can(Perm.LEDGER_VIEW):
        return []
    parts = []
    if actor.can(Perm.LEDGER_HANDLE):
        parts.append(items_visible(actor).filter(responsible=actor.user).exclude(status__in=_closed_states()))
    if actor.can(Perm.LEDGER_ASSIGN):
        parts.append(
            items_visible(actor)
            .filter(status__in=WAITING, kind__in=kinds.ORDER)
            .exclude(responsible=actor.user)
        )
    # directives my command posts have to sign, act on or report on (issued to a place, not a person)
    parts.append(
        Item.objects.filter(
            kind="directive",
            pk__in=Recipient.objects.filter(
                post__members=actor.user, status__in=kinds.RECIPIENT_STATES[:-1]
            ).values("item_id"),
        ).exclude(responsible=actor.user)
    )
    for spec in kinds.KINDS.values():
        if spec.inbox is not None:
            part = spec.inbox(actor)
            if part is not None:
                parts.append(part)
    return parts


def inbox_count(actor: Actor) -> int:
    return sum(part.count() for part in _inbox_parts(actor))


def inbox(actor: Actor, limit: int = 500) -> list[Item]:
    """The inbox items (the first `limit`), overdue (earliest deadline) first."""
    rows: list[Item] = []
    for part in _inbox_parts(actor):
        rows += list(part.select_related("unit", "region").order_by("due_on", "code")[:limit])
    rows.sort(key=lambda i: (i.due_on, i.code))
    return rows[:limit]


def inbox_page(actor: Actor, page: int = 1, size: int = 50) -> tuple[list[Item], int]:
    """One page of 我的待办 (overdue — earliest deadline — first) and the total. Each part is read in
    deadline order through its own index, only as far as the page reaches, and the parts are merged here:
    one OR query would walk the deadline index over the whole ledger (0.5 s at 100,000 items)."""
    parts = _inbox_parts(actor)
    total = sum(part.count() for part in parts)
    end = max(page, 1) * size
    rows: list[Item] = []
    for part in parts:
        rows += list(part.select_related("unit", "region").order_by("due_on", "code")[:end])
    rows.sort(key=lambda i: (i.due_on, i.code))
    return rows[end - size : end], total


def rungs_of(items: list[Item], as_of: date) -> dict[int, str]:
    """The highest rung of the escalation ladder (提醒 < 督办 < 通报 < 约谈, or the configured ladder's order)
    each item had reached by D, for the rows of a list or 我的待办 the responsible person and their
    superiors open (one query per page)."""
    order = {r.code: n for n, r in enumerate(ladder())}  # a rung no longer configured ranks lowest
    top: dict[int, tuple[int, str]] = {}
    rows = Escalation.objects.filter(item_id__in=[i.pk for i in items], as_of__lte=as_of)
    for item_id, code, label in rows.values_list("item_id", "rung", "label"):
        rank = order.get(code, -1)
        if item_id not in top or rank > top[item_id][0]:
            top[item_id] = (rank, label)
    return {item_id: label for item_id, (_, label) in top.items()}


WAITING = ("申请销号", "已答复")  # states waiting for the supervising side's acceptance


def _closed_states() -> list[str]:
    return kinds.CLOSED_STATES


def recipient_get(actor: Actor, pk: Any) -> Recipient:
    """A directive's recipient row, when its directive is open to this actor (else 404)."""
    recipient = Recipient.objects.filter(pk=pk).first() if str(pk).isdigit() else None
    if recipient is None:
        raise Http404
    item_get(actor, recipient.item_id)
    return recipient


def indicators_visible(actor: Actor) -> QuerySet[Indicator]:
    """The task indicators of the 任务指标 items this actor sees, with their item, region and unit."""
    return Indicator.objects.filter(item__in=items_visible(actor, kind="task")).select_related(
        "item", "item__region", "item__unit"
    )


def case_detail(item: Item) -> CaseDetail:
    """A case's figures (an unsaved empty row before the first are entered)."""
    return CaseDetail.objects.filter(item=item).first() or CaseDetail(item=item)


# The pickers of the ledger pages: help units, the county's townships and regions, command posts, the
# inspection groups and the inspectors. Every ledger user may pick any of them; scope is the services'.


def units() -> list[tuple[int, str]]:
    return list(HelpUnit.objects.order_by("name").values_list("pk", "name"))


def unit_names() -> list[str]:
    return sorted(HelpUnit.objects.values_list("name", flat=True))


def unit_ids() -> dict[int | None, str]:
    return dict(HelpUnit.objects.values_list("pk", "name"))


def unit_get(raw: Any) -> HelpUnit | None:
    """The help unit of a picker's value (its id), or None."""
    raw = str(raw or "").strip()
    return HelpUnit.objects.filter(pk=int(raw)).first() if raw.isdigit() else None


def region_find(code: Any) -> Region | None:
    return Region.objects.filter(code=str(code or "").strip()).first()


def _in_home_counties() -> Q:
    """Regions under any of the installation's counties (none when no county is loaded)."""
    q = Q(pk__in=[])
    for prefix in home_prefixes():
        low, high = code_range(prefix)
        q |= Q(code__gte=low, code__lt=high)
    return q


def county_townships() -> QuerySet[Region]:
    """The townships of the installation's counties, by code."""
    return Region.objects.filter(_in_home_counties(), level="township").order_by("code")


def township_names() -> dict[str, str]:
    return dict(Region.objects.filter(level="township").values_list("code", "name"))


def county_and_townships() -> QuerySet[Region]:
    return (
        Region.objects.filter(_in_home_counties(), level__in=("county", "township"))
        .order_by("code")
        .only("code", "name", "level")
    )


def household_find(code: str) -> Household | None:
    return Household.objects.filter(code=code).first()


def issuing_posts(actor: Actor) -> list[Post]:
    """The posts this actor may issue from: those they are a member of, and — for a county supervisor —
    every post in their scope; only posts with posts below them (a directive goes downwards)."""
    if actor.user is None:
        return []
    query = Post.objects.filter(children__isnull=False).distinct().select_related("region")
    mine = set(Post.objects.filter(members=actor.user).values_list("pk", flat=True))
    if actor.can(Perm.LEDGER_ASSIGN):
        scoped = ledger_actor(actor)
        return [p for p in query.order_by("level", "name") if p.pk in mine or scoped.covers_code(p.region_id)]
    return [p for p in query.order_by("level", "name") if p.pk in mine]


def post_tree() -> dict[int | None, list[Post]]:
    """The command tree in one read: each post's children by its parent's id."""
    tree: dict[int | None, list[Post]] = {}
    for p in Post.objects.order_by("name"):
        tree.setdefault(p.parent_id, []).append(p)
    return tree


def posts_by_pk(pks: list[str]) -> dict[str, Post]:
    return {str(p.pk): p for p in Post.objects.filter(pk__in=pks)}


def group_find(raw: Any) -> InspectionGroup | None:
    return InspectionGroup.objects.filter(pk=raw).first() if str(raw or "").isdigit() else None


def group_get(raw: Any) -> InspectionGroup:
    group = group_find(raw)
    if group is None:
        raise Http404
    return group


def groups_all() -> QuerySet[InspectionGroup]:
    return InspectionGroup.objects.order_by("name")


def inspectors() -> QuerySet[Any]:
    return get_user_model().objects.filter(grants__role=RoleCode.INSPECTOR).distinct().order_by("username")
