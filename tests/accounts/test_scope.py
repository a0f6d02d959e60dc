"""Scope (管辖范围) with personas: every read goes through selectors that take the acting user."""

from __future__ import annotations

import pytest
from django.http import Http404

from jingzhun.accounts.access import ANONYMOUS, actor_for
from jingzhun.accounts.roles import Perm
from jingzhun.assistance.services import helper_assign
from jingzhun.registry.presenters import masker
from jingzhun.registry.selectors import household_get, households_visible, member_get
from jingzhun.registry.services.events import household_purge
from tests.factories import OTHER_VILLAGE, VILLAGE, register

SIBLING_VILLAGE = "430821102001"  # 新街居委会, also in 溪口镇


@pytest.fixture
def spread(admin_actor):
    """One household in VILLAGE, one in a sibling village of the same township, one in another township."""
    return {
        "village": register(admin_actor, village=VILLAGE),
        "sibling": register(admin_actor, village=SIBLING_VILLAGE),
        "other": register(admin_actor, village=OTHER_VILLAGE),
    }


def _visible(user) -> set[int]:
    return set(households_visible(actor_for(user)).values_list("id", flat=True))


def _ids(spread, *names) -> set[int]:
    return {spread[n].pk for n in names}


def test_it_shows_the_county_admin_everything(county_admin, spread):
    assert _visible(county_admin) == _ids(spread, "village", "sibling", "other")


def test_it_shows_the_county_leader_everything(county_leader, spread):
    assert _visible(county_leader) == _ids(spread, "village", "sibling", "other")


def test_it_shows_a_township_cadre_only_their_township(township_cadre, spread):
    assert _visible(township_cadre) == _ids(spread, "village", "sibling")


def test_it_shows_a_village_cadre_only_their_village(village_cadre, spread):
    assert _visible(village_cadre) == _ids(spread, "village")


def test_it_shows_an_outsider_none_of_the_village(other_village_cadre, spread):
    assert _visible(other_village_cadre) == _ids(spread, "other")
    actor = actor_for(other_village_cadre)
    for name in ("village", "sibling"):
        with pytest.raises(Http404):
            household_get(actor, spread[name].pk)


def test_it_gives_a_forbidden_household_the_same_404_as_a_missing_one(other_village_cadre, spread):
    actor = actor_for(other_village_cadre)
    forbidden = spread["village"].pk
    missing = max(h.pk for h in spread.values()) + 1000
    errors = []
    for pk in (forbidden, missing, "abc", None):
        with pytest.raises(Http404) as caught:
            household_get(actor, pk)
        errors.append((type(caught.value), str(caught.value)))
    assert len(set(errors)) == 1


def test_it_hides_members_of_households_out_of_scope(village_cadre, other_village_cadre, spread):
    member = spread["village"].members.get(relation="户主")
    assert member_get(actor_for(village_cadre), member.pk) == member
    with pytest.raises(Http404):
        member_get(actor_for(other_village_cadre), member.pk)
    with pytest.raises(Http404):
        member_get(actor_for(village_cadre), 10**9)


def test_it_lets_each_persona_open_a_household_in_scope(county_admin, township_cadre, village_cadre, spread):
    for user in (county_admin, township_cadre, village_cadre):
        assert household_get(actor_for(user), spread["village"].pk) == spread["village"]


def test_it_shows_an_anonymous_or_roleless_user_nothing(django_user_model, spread):
    assert not households_visible(ANONYMOUS).exists()
    nobody = django_user_model.objects.create_user(username="nobody", password="Pass-word-123")
    assert not households_visible(actor_for(nobody)).exists()
    with pytest.raises(Http404):
        household_get(actor_for(nobody), spread["village"].pk)


def test_it_shows_an_inactive_user_nothing(village_cadre, spread):
    village_cadre.is_active = False
    assert not households_visible(actor_for(village_cadre)).exists()


def test_it_shows_a_helper_only_paired_households(helper_user, admin_actor, spread):
    assert _visible(helper_user) == set()
    helper_assign(actor=admin_actor, household=spread["village"], helper=helper_user)
    helper_assign(actor=admin_actor, household=spread["other"], helper=helper_user)
    assert _visible(helper_user) == _ids(spread, "village", "other")
    with pytest.raises(Http404):
        household_get(actor_for(helper_user), spread["sibling"].pk)


def test_it_drops_a_household_from_a_helper_when_the_pairing_ends(
    helper_user, admin_actor, spread, django_user_model
):
    helper_assign(actor=admin_actor, household=spread["village"], helper=helper_user)
    helper_assign(actor=admin_actor, household=spread["sibling"], helper=helper_user)
    successor = django_user_model.objects.create_user(username="successor", password="Pass-word-123")
    helper_assign(actor=admin_actor, household=spread["village"], helper=successor)
    assert _visible(helper_user) == _ids(spread, "sibling")
    with pytest.raises(Http404):
        household_get(actor_for(helper_user), spread["village"].pk)
    assert spread["village"].pairings.filter(ended_on__isnull=True).get().helper == successor


def test_it_keeps_one_open_pairing_when_the_same_helper_is_assigned_twice(helper_user, admin_actor, spread):
    first = helper_assign(actor=admin_actor, household=spread["village"], helper=helper_user)
    again = helper_assign(actor=admin_actor, household=spread["village"], helper=helper_user)
    assert first.pk == again.pk


def test_it_gives_a_helper_read_only_permissions(helper_user):
    actor = actor_for(helper_user)
    assert actor.paired_only
    assert actor.can(Perm.VIEW_REGISTRY)
    assert not actor.can(Perm.EDIT_REGISTRY)
    assert not actor.sees_sensitive


def test_it_hides_closed_households_from_lists_but_keeps_their_page(admin_actor, village_cadre, spread):
    household_purge(actor=admin_actor, household=spread["village"], reason="错评")
    actor = actor_for(village_cadre)
    assert not households_visible(actor).exists()
    assert households_visible(actor, include_closed=True).get() == spread["village"]
    assert household_get(actor, spread["village"].pk) == spread["village"]


def test_it_merges_grants_over_several_regions(regions, spread):
    from jingzhun.accounts.services import role_grant
    from tests.conftest import _persona

    user = _persona("two_villages", "village_cadre", VILLAGE)
    role_grant(user=user, role="village_cadre", region_code=OTHER_VILLAGE)
    assert _visible(user) == _ids(spread, "village", "other")
    actor = actor_for(user)
    assert actor.prefixes == tuple(sorted((VILLAGE, OTHER_VILLAGE)))


def test_it_collapses_a_village_grant_inside_a_township_grant(regions):
    from jingzhun.accounts.services import role_grant
    from tests.conftest import TOWNSHIP, _persona

    user = _persona("both", "township_cadre", TOWNSHIP)
    role_grant(user=user, role="village_cadre", region_code=VILLAGE)
    assert actor_for(user).prefixes == (TOWNSHIP[:9],)


def test_it_masks_sensitive_values_for_the_county_leader(county_leader, household):
    actor = actor_for(county_leader)
    assert not actor.sees_sensitive
    mask = masker(actor)
    assert mask("head_id_number", household.head_id_number) == (
        household.head_id_number[:6] + "********" + household.head_id_number[-4:]
    )
    assert mask("phone", "13812345678") == "138****5678"
    assert mask("bank_account", "6228480123456789") == "************6789"
    assert mask("head_name", "张三") == "张三"


@pytest.mark.parametrize("persona", ["county_admin", "township_cadre", "village_cadre"])
def test_it_shows_full_values_to_roles_that_need_them(request, persona, household):
    actor = actor_for(request.getfixturevalue(persona))
    assert actor.sees_sensitive
    assert masker(actor)("head_id_number", household.head_id_number) == household.head_id_number
