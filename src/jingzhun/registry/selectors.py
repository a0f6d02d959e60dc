"""Scoped reads of the registry. Every function takes the acting Actor; deny by default."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import CharField, Func, Q, QuerySet
from django.http import Http404

from jingzhun.accounts.access import Actor, assigned_households_q
from jingzhun.accounts.roles import Perm
from jingzhun.regions.models import Region, code_range
from jingzhun.registry import enums
from jingzhun.registry.models import Household, Member


def households_visible(actor: Actor, *, include_closed: bool = False) -> QuerySet[Household]:
    if not actor.can(Perm.VIEW_REGISTRY):
        return Household.objects.none()
    query = Household.objects.all()
    if actor.paired_only:
        query = query.filter(assigned_households_q(actor))
    else:
        query = _in_regions(query, actor)
    if not include_closed:
        query = query.filter(registry_status=enums.RegistryStatus.ACTIVE)
    return query


class _NoIndex(Func):
    """`+column`: SQLite's way of saying "do not use an index for this term" (a no-op on the value).

    An expression, not `extra(where=…)` text, so Django writes the column with the alias of the query it
    ends up in: as a subquery (`household_id__in=households_visible(actor).values("id")`) the literal table
    name of an `extra()` bound to the outer query's joined household instead, turning the subquery into a
    correlated one re-run for every outer row (issue 11: 1,452 s for the county export as 县领导)."""

    template = "+%(expressions)s"
    arity = 1
    output_field = CharField()


def _in_regions(query: QuerySet[Household], actor: Actor) -> QuerySet[Household]:
    """Restrict to the actor's region subtrees.

    SQLite keeps no statistics for ranges, so for a county-wide scope it would walk the village index over
    every household and sort them all by id (1.2 s per list page at 300k households, measured). Such a
    scope matches nearly every row, so there the range is written with unary `+` (`_NoIndex`): pages then
    scan in id order and stop after one page, and other filters (status, pinyin initials) keep their own
    indexes. Narrow scopes keep the indexed range."""
    if not actor.prefixes or connection.vendor != "sqlite" or any(len(p) > 6 for p in actor.prefixes):
        return query.filter(actor.region_q("village_id"))
    return query.alias(_scope_village=_NoIndex("village_id")).filter(actor.region_q("_scope_village"))


def household_get(actor: Actor, pk: Any) -> Household:
    """The household if the actor may see it; otherwise the same 404 as a missing one."""
    try:
        return (
            households_visible(actor, include_closed=True)
            .select_related("village", "village__parent")
            .get(pk=pk)
        )
    except (Household.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def household_get_by_code(actor: Actor, code: str) -> Household:
    try:
        return households_visible(actor, include_closed=True).get(code=code)
    except Household.DoesNotExist as exc:
        raise Http404 from exc


def member_get(actor: Actor, pk: Any) -> Member:
    try:
        member = Member.objects.select_related("household").get(pk=pk)
    except (Member.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    household_get(actor, member.household_id)
    return member


@dataclass(frozen=True)
class HouseholdFilter:
    region: str = ""  # a region code; its subtree
    exit_status: str = ""
    attribute: str = ""
    main_cause: str = ""
    planned_exit_year: int | None = None
    q: str = ""  # name, ID number, 户编号 or pinyin initials


def filter_households(
    query: QuerySet[Household], flt: HouseholdFilter, *, actor: Actor
) -> QuerySet[Household]:
    """`query` narrowed by `flt`. The actor decides how an ID number may be searched (see `_search_q`)."""
    if flt.region:
        prefix = _prefix_of(flt.region)
        low, high = code_range(prefix)
        query = query.filter(village_id__gte=low, village_id__lt=high)
    if flt.exit_status:
        query = query.filter(exit_status=flt.exit_status)
    if flt.attribute:
        query = query.filter(attribute=flt.attribute)
    if flt.main_cause:
        query = query.filter(main_cause=flt.main_cause)
    if flt.planned_exit_year:
        query = query.filter(planned_exit_year=flt.planned_exit_year)
    term = flt.q.strip()
    if term:
        query = query.filter(_search_q(term, full_id_only=not actor.sees_sensitive))
    return query


def _prefix_of(code: str) -> str:
    region = Region.objects.filter(code=code.strip()).only("code", "level").first()
    return region.prefix if region else code.strip()


def prefix_q(field_name: str, term: str) -> Q:
    """Prefix match that uses an index: a range on SQLite (its LIKE cannot use one); LIKE on
    PostgreSQL, whose range semantics depend on the database collation."""
    if connection.vendor == "postgresql":
        return Q(**{f"{field_name}__startswith": term})
    return Q(**{f"{field_name}__gte": term, f"{field_name}__lt": term + "\U0010ffff"})


def _search_q(term: str, *, full_id_only: bool) -> Q:
    """`full_id_only` (an actor without registry.view_sensitive): an ID number matches only as a whole.
    A prefix search would be an oracle: the masked ID shows the first six and last four characters, and
    one query per digit would recover the hidden birth date."""
    upper = term.upper()
    if term.isascii() and term.isalpha():
        # pinyin initials of the head (zs → 张三)
        return prefix_q("head_initials", term.lower())
    if len(upper) >= 6 and upper[:-1].isdigit() and full_id_only:
        whole = Member.objects.filter(Q(id_number=upper) | Q(resident_id=upper)).values("household_id")
        return Q(head_id_number=upper) | prefix_q("code", term) | Q(id__in=whole)
    if len(upper) >= 6 and upper[:-1].isdigit():
        member_households = Member.objects.filter(prefix_q("id_number", upper)).values("household_id")
        return prefix_q("head_id_number", upper) | prefix_q("code", term) | Q(id__in=member_households)
    if term.isdigit() or "-" in term:
        return prefix_q("code", term)
    member_households = Member.objects.filter(prefix_q("name", term), is_active=True).values("household_id")
    # 户编号 is free text (spec/registry-workbook.md), so a code like `T0001` must be findable too.
    return prefix_q("head_name", term) | prefix_q("code", term) | Q(id__in=member_households)


def page_households(
    query: QuerySet[Household], *, after: int | None, size: int = 50
) -> tuple[list[Household], int | None]:
    """Keyset pagination by id: no OFFSET and no full COUNT, fast at 300k households."""
    if after:
        query = query.filter(id__gt=after)
    rows = list(query.select_related("village").order_by("id")[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return rows, (rows[-1].id if more and rows else None)
