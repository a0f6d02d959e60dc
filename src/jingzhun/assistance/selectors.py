"""Scoped reads for help and responsibility: pairings, visits, measures, attendance and the five
responsibility alerts. Every function takes the acting Actor and sees no more than households_visible."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Sum
from django.http import Http404

from jingzhun.accounts.access import Actor
from jingzhun.accounts.roles import Perm
from jingzhun.assistance import models as m
from jingzhun.assistance.models import HelperPairing
from jingzhun.assistance.rules import WeekResult, five_days_four_nights, not_visited_since
from jingzhun.core.periods import current_q, during_q
from jingzhun.regions.models import Region
from jingzhun.registry import enums
from jingzhun.registry.models import Household

POOR_STATUSES = (enums.ExitStatus.NOT_EXITED, enums.ExitStatus.RETURNED)
PAGE = 50


def paired_household_ids_q(actor: Actor, prefix: str = "") -> Q:
    """Households with an open pairing to this helper (a 帮扶责任人's whole scope); registered with
    accounts.access as the resolver of assigned households."""
    if actor.user is None or not actor.paired_only:
        return Q(pk__in=[])
    ids = HelperPairing.objects.current().filter(helper=actor.user).values("household_id")
    return Q(**{f"{prefix}id__in": ids})


def _households(actor: Actor) -> QuerySet[Household]:
    from jingzhun.registry.selectors import households_visible

    if not actor.can(Perm.VIEW_ASSISTANCE):
        return Household.objects.none()
    return households_visible(actor)


def _related_household_q(actor: Actor, prefix: str = "household") -> Q:
    """Rows of another table whose household is visible, as a join filter (not a subquery of ids)."""
    if not actor.can(Perm.VIEW_ASSISTANCE):
        return Q(pk__in=[])
    q = Q(**{f"{prefix}__registry_status": enums.RegistryStatus.ACTIVE})
    if actor.paired_only:
        if actor.user is None:
            return Q(pk__in=[])
        # one filter() call: the helper and the open period are of the same pairing row (one join)
        return q & Q(**{f"{prefix}__pairings__helper": actor.user}) & current_q(f"{prefix}__pairings__")
    return q & actor.region_q(f"{prefix}__village_id")


def villages_visible(actor: Actor) -> QuerySet[Region]:
    """Villages in the actor's region scope (a helper, whose scope is households, sees none)."""
    if not actor.can(Perm.VIEW_ASSISTANCE) or actor.paired_only:
        return Region.objects.none()
    return Region.objects.filter(level="village").filter(actor.region_q("code"))


# --- per household ------------------------------------------------------------------------------
def household_visits(household: Household, limit: int = 20) -> list[m.Visit]:
    return list(
        household.visits.select_related("visitor")
        .prefetch_related("photos")
        .order_by("-visited_on", "-id")[:limit]
    )


def household_measures(household: Household) -> list[m.HelpMeasure]:
    return list(household.measures.order_by("-started_on", "-id"))


def visit_get(actor: Actor, pk: Any) -> m.Visit:
    from jingzhun.registry.selectors import household_get

    actor.require(Perm.VIEW_ASSISTANCE)
    try:
        visit = m.Visit.objects.select_related("household", "visitor").get(pk=pk)
    except (m.Visit.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    household_get(actor, visit.household_id)
    return visit


def photo_get(actor: Actor, pk: Any) -> m.VisitPhoto:
    try:
        photo = m.VisitPhoto.objects.select_related("visit").get(pk=pk)
    except (m.VisitPhoto.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    visit_get(actor, photo.visit_id)
    return photo


def measure_get(actor: Actor, pk: Any) -> m.HelpMeasure:
    from jingzhun.registry.selectors import household_get

    actor.require(Perm.VIEW_ASSISTANCE)
    try:
        measure = m.HelpMeasure.objects.select_related("household").get(pk=pk)
    except (m.HelpMeasure.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    household_get(actor, measure.household_id)
    return measure


# --- alerts -------------------------------------------------------------------------------------
def _open_pairing() -> Exists:
    return Exists(HelperPairing.objects.current().filter(household=OuterRef("pk")))


def poor_without_helper(actor: Actor) -> QuerySet[Household]:
    """贫困户 (未脱贫/返贫) with no open pairing."""
    return (
        _households(actor)
        .filter(exit_status__in=POOR_STATUSES)
        .filter(~_open_pairing())
        .select_related("village", "village__parent")
    )


def not_visited(actor: Actor, *, days: int, today: date | None = None) -> QuerySet[Household]:
    """Households in scope without a visit on or after today − N days (rules.not_visited_since)."""
    since = not_visited_since(today or date.today(), days)
    recent = Exists(m.Visit.objects.filter(household=OuterRef("pk"), visited_on__gte=since))
    return _households(actor).filter(~recent).select_related("village", "village__parent")


def page_by_village(
    query: QuerySet[Household], *, after: str = "", size: int = PAGE
) -> tuple[list[Household], str]:
    """Keyset pages in (village, id) order — the order of the hh_village_idx index, so a page stops
    after `size` matches instead of evaluating the alert for every household and sorting by id.
    `after` is the "village:id" of the previous page's last row; returns the token of the next page."""
    village, _, last_id = after.partition(":")
    if village.isdigit() and last_id.isdigit():
        query = query.filter(Q(village_id__gt=village) | Q(village_id=village, id__gt=int(last_id)))
    rows = list(query.order_by("village_id", "id")[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return rows, (f"{rows[-1].village_id}:{rows[-1].pk}" if more and rows else "")


def with_last_visit(rows: list[Household]) -> list[Household]:
    """Attach `last_visited_on` to a page of households (one query for the page)."""
    latest = dict(
        m.Visit.objects.filter(household_id__in=[h.pk for h in rows])
        .values("household_id")
        .annotate(last=Max("visited_on"))
        .values_list("household_id", "last")
    )
    helpers = {
        p.household_id: p.helper
        for p in HelperPairing.objects.current()
        .filter(household_id__in=[h.pk for h in rows])
        .select_related("helper")
    }
    for row in rows:
        row.last_visited_on = latest.get(row.pk)  # type: ignore[attr-defined]
        row.current_helper = helpers.get(row.pk)  # type: ignore[attr-defined]
    return rows


HELPER_SEARCH_LIMIT = 20


def helper_candidates(actor: Actor, household: Household, q: str = "") -> QuerySet[Any]:
    """帮扶责任人 who may be paired with the household: active accounts with the helper role granted
    inside the actor's region scope or over the household's own village, township or county; by name,
    user name or pinyin initials (zs → 张三)."""
    from jingzhun.accounts.models import RoleGrant
    from jingzhun.accounts.roles import RoleCode
    from jingzhun.accounts.search import name_q

    if actor.paired_only or not actor.prefixes:
        return get_user_model().objects.none()
    village = household.village_id
    over_household = Q(region_id__in=[village, village[:9] + "000", village[:6] + "000000"])
    grants = RoleGrant.objects.filter(
        Q(role=RoleCode.HELPER) & (actor.region_q("region_id") | over_household)
    )
    users = get_user_model().objects.filter(is_active=True, pk__in=grants.values("user_id"))
    if q.strip():
        users = users.filter(name_q(q))
    return users.annotate(load=Count("pairings", filter=current_q("pairings__"), distinct=True)).order_by(
        "display_name", "username"
    )


OPEN_MEASURE_STATUSES = (m.MeasureStatus.PLANNED, m.MeasureStatus.ACTIVE)


def with_open_measures(rows: list[Household]) -> list[Household]:
    """Attach `open_measures` (计划 or 实施中) to a page of households, one query for the page."""
    counts = dict(
        m.HelpMeasure.objects.filter(household_id__in=[h.pk for h in rows], status__in=OPEN_MEASURE_STATUSES)
        .values("household_id")
        .annotate(n=Count("id"))
        .values_list("household_id", "n")
    )
    for row in rows:
        row.open_measures = counts.get(row.pk, 0)  # type: ignore[attr-defined]
    return rows


@dataclass(frozen=True)
class HelperLoad:
    helper: Any
    households: int


def overloaded_helpers(actor: Actor, *, limit: int) -> list[HelperLoad]:
    """Helpers (with a household in scope) whose open pairings number more than `limit`.

    Counting runs over all open pairings first (the overloaded few are a small set), then keeps the
    helpers with at least one household in scope — cheaper than joining every pairing to its household."""
    if not actor.can(Perm.VIEW_ASSISTANCE):
        return []
    counts = dict(
        HelperPairing.objects.current()
        .values("helper_id")
        .annotate(n=Count("id"))
        .filter(n__gt=limit)
        .values_list("helper_id", "n")
    )
    in_scope = set(
        HelperPairing.objects.current()
        .filter(helper_id__in=list(counts))
        .filter(_related_household_q(actor))
        .values_list("helper_id", flat=True)
    )
    ids = sorted(in_scope, key=lambda h: (-counts[h], h))[:500]
    users = get_user_model().objects.in_bulk(ids)
    return [HelperLoad(helper=users[h], households=counts[h]) for h in ids]


def helper_households(actor: Actor, helper_id: Any) -> QuerySet[Household]:
    return (
        _households(actor)
        .filter(current_q("pairings__"), pairings__helper_id=helper_id)
        .select_related("village")
    )


@dataclass(frozen=True)
class VillageGap:
    village: Region
    has_team: bool
    has_secretary: bool


def poor_villages(actor: Actor) -> QuerySet[Region]:
    return (
        villages_visible(actor)
        .filter(is_poor_village=True)
        .annotate(
            has_team=Exists(m.WorkTeam.objects.current().filter(village=OuterRef("pk"))),
            has_secretary=Exists(m.FirstSecretary.objects.current().filter(village=OuterRef("pk"))),
        )
        .select_related("parent")
    )


def villages_without_team_or_secretary(actor: Actor) -> list[VillageGap]:
    rows = poor_villages(actor).filter(Q(has_team=False) | Q(has_secretary=False)).order_by("code")
    return [
        VillageGap(village=v, has_team=v.has_team, has_secretary=v.has_secretary)  # type: ignore[attr-defined]
        for v in rows
    ]


@dataclass(frozen=True)
class Person:
    """A cadre as the attendance lists show them (plain values: hundreds of rows, no model instances)."""

    pk: int
    name: str

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    parent_name: str


@dataclass(frozen=True)
class Attendance:
    cadre: Person
    village: Place
    post: str
    result: WeekResult


def stationed_cadres(actor: Actor, *, start: date) -> list[tuple[Person, Place, str]]:
    """Cadres stationed (team member or first secretary) during the week starting `start`, in scope."""
    if not actor.can(Perm.VIEW_ASSISTANCE) or actor.paired_only:
        return []
    end = start + timedelta(days=6)
    during = during_q(start, end)
    out: dict[int, tuple[Person, Place, str]] = {}
    members = (
        m.WorkTeamMember.objects.filter(during, actor.region_q("team__village_id"))
        .order_by("-is_leader", "id")
        .values_list(
            "cadre_id",
            "cadre__display_name",
            "cadre__username",
            "team__village_id",
            "team__village__name",
            "team__village__parent__name",
            "is_leader",
        )
    )
    for cadre_id, display, username, code, name, parent, leader in members:
        out.setdefault(
            cadre_id,
            (
                Person(cadre_id, display or username),
                Place(code, name, parent or ""),
                "队长" if leader else "队员",
            ),
        )
    posts = m.FirstSecretary.objects.filter(during, actor.region_q("village_id")).values_list(
        "cadre_id",
        "cadre__display_name",
        "cadre__username",
        "village_id",
        "village__name",
        "village__parent__name",
    )
    for cadre_id, display, username, code, name, parent in posts:
        if cadre_id in out:
            person, place, role = out[cadre_id]
            out[cadre_id] = (person, place, f"第一书记、{role}")
        else:
            out[cadre_id] = (
                Person(cadre_id, display or username),
                Place(code, name, parent or ""),
                "第一书记",
            )
    return list(out.values())


def attendance_week(actor: Actor, *, start: date, min_days: int, min_nights: int) -> list[Attendance]:
    cadres = stationed_cadres(actor, start=start)
    ids = [c.pk for c, _, _ in cadres]
    by_cadre: dict[int, list[tuple[date, bool]]] = {}
    for cadre_id, day, overnight in m.CheckIn.objects.filter(
        cadre_id__in=ids, day__gte=start, day__lte=start + timedelta(days=6)
    ).values_list("cadre_id", "day", "overnight"):
        by_cadre.setdefault(cadre_id, []).append((day, overnight))
    rows = [
        Attendance(
            cadre=c,
            village=v,
            post=post,
            result=five_days_four_nights(
                by_cadre.get(c.pk, []), start=start, min_days=min_days, min_nights=min_nights
            ),
        )
        for c, v, post in cadres
    ]
    return sorted(rows, key=lambda a: (a.village.code, a.cadre.pk))


def attendance_missed(actor: Actor, *, start: date, min_days: int, min_nights: int) -> list[Attendance]:
    return [
        a
        for a in attendance_week(actor, start=start, min_days=min_days, min_nights=min_nights)
        if not a.result.passed
    ]


# --- coverage of measure categories -------------------------------------------------------------
@dataclass(frozen=True)
class Coverage:
    category: str
    households: int
    measures: int
    funds: Any
    share: float  # percent of households in scope


def measure_coverage(actor: Actor) -> tuple[int, list[Coverage]]:
    """Households in scope with a (non-stopped) measure of each category, and the share of all."""
    total = _households(actor).count()
    rows: dict[str, dict[str, Any]] = {
        r["category"]: dict(r)
        for r in (
            m.HelpMeasure.objects.filter(_related_household_q(actor))
            .exclude(status=m.MeasureStatus.STOPPED)
            .values("category")
            .annotate(
                households=Count("household_id", distinct=True), measures=Count("id"), funds=Sum("funds")
            )
        )
    }
    out = []
    for category in m.MeasureCategory.values:
        row: dict[str, Any] = rows.get(category, {})
        households = row.get("households", 0)
        out.append(
            Coverage(
                category=category,
                households=households,
                measures=row.get("measures", 0),
                funds=row.get("funds") or 0,
                share=(100.0 * households / total) if total else 0.0,
            )
        )
    return total, out


def region_responsibility(village: Region) -> dict[str, Any]:
    """Who answers for a village: its units, team with members, first secretary, and the township leader."""
    team = m.WorkTeam.objects.current().filter(village=village).select_related("unit").first()
    return {
        "units": list(m.UnitVillageLink.objects.current().filter(village=village).select_related("unit")),
        "team": team,
        "team_members": list(team.members.current().select_related("cadre").order_by("-is_leader", "id"))
        if team
        else [],
        "secretary": m.FirstSecretary.objects.current()
        .filter(village=village)
        .select_related("cadre", "unit")
        .first(),
        "leader": m.LeaderLink.objects.current()
        .filter(township_id=village.parent_id)
        .select_related("leader")
        .first(),
    }


# --- reads of the pages' own (a helper's page, 驻村签到, 责任体系) --------------------------------------
def user_get(pk: Any) -> Any:
    """A helper's account (its page is reached only through households in the actor's scope)."""
    return get_user_model().objects.filter(pk=pk).first() or _missing()


def _missing() -> Any:
    raise Http404


def own_checkins(user_id: Any, since: date) -> list[m.CheckIn]:
    """One's own 驻村签到 since `since`, newest first."""
    return list(m.CheckIn.objects.filter(cadre_id=user_id, day__gte=since).order_by("-day"))


def active_user(username: str) -> Any:
    """The active account of that user name, or None (the 责任体系 forms name people by account)."""
    return get_user_model().objects.filter(username=username, is_active=True).first()


def unit_named(name: str) -> m.HelpUnit | None:
    return m.HelpUnit.objects.filter(name=name).first()


def region_in_scope(actor: Actor, code: str, level: str) -> Region | None:
    return Region.objects.filter(actor.region_q("code"), code=code, level=level).first()


def team_get(actor: Actor, pk: Any) -> m.WorkTeam:
    """An open 驻村工作队 of a village in the actor's scope (else 404)."""
    team = (
        m.WorkTeam.objects.current()
        .filter(actor.region_q("village_id"), pk=pk)
        .select_related("village")
        .first()
    )
    return team if team is not None else _missing()


def team_member_get(actor: Actor, pk: Any) -> m.WorkTeamMember:
    """An open team membership in the actor's scope (else 404)."""
    member = (
        m.WorkTeamMember.objects.current()
        .filter(actor.region_q("team__village_id"), pk=pk)
        .select_related("cadre", "team")
        .first()
    )
    return member if member is not None else _missing()


def structure(actor: Actor, limit: int) -> dict[str, Any]:
    """责任体系 in the actor's scope: units, leaders' townships, units' villages, open work teams (each
    with its open members, leader first) and first secretaries, each list at most `limit` long."""
    teams = list(
        m.WorkTeam.objects.current()
        .filter(actor.region_q("village_id"))
        .select_related("village", "village__parent", "unit")
        .order_by("village_id")[:limit]
    )
    members: dict[int, list[m.WorkTeamMember]] = {}
    for member in (
        m.WorkTeamMember.objects.current()
        .filter(team__in=teams)
        .select_related("cadre")
        .order_by("-is_leader", "id")
    ):
        members.setdefault(member.team_id, []).append(member)
    for team in teams:
        team.open_members = members.get(team.pk, [])  # type: ignore[attr-defined]
    return {
        "units": list(m.HelpUnit.objects.order_by("affiliation", "name")[:limit]),
        "leader_links": list(
            m.LeaderLink.objects.current()
            .filter(actor.region_q("township_id"))
            .select_related("leader", "township")
            .order_by("township_id")[:limit]
        ),
        "unit_links": list(
            m.UnitVillageLink.objects.current()
            .filter(actor.region_q("village_id"))
            .select_related("unit", "village", "village__parent")
            .order_by("village_id", "unit__name")[:limit]
        ),
        "teams": teams,
        "secretaries": list(
            m.FirstSecretary.objects.current()
            .filter(actor.region_q("village_id"))
            .select_related("cadre", "unit", "village", "village__parent")
            .order_by("village_id")[:limit]
        ),
    }
