"""结对/更换帮扶责任人 finds the helper by name (or pinyin initials) among helpers in scope, not by a
typed user name; a helper outside the scope can be neither found nor posted."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from jingzhun.accounts.services import role_grant, user_create
from jingzhun.assistance import models as m
from tests.factories import OTHER_VILLAGE, register

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def far_helper(regions):
    user, _ = user_create(username="far", password="Pass-word-123", display_name="第二远方")
    role_grant(user=user, role="helper", region_code=OTHER_VILLAGE)
    return user


def test_it_finds_helpers_by_name_and_initials_with_their_load(
    paired, admin_actor, village_cadre, helper_user, other_helper, far_helper
):
    household = register(admin_actor)
    client = _client(village_cadre)
    url = f"/households/{household.pk}/helper/"
    page = client.get(url + "?q=第二").content.decode()
    assert 'data-testid="candidate-helper2"' in page and "已结对 1 户" in page
    assert 'data-testid="candidate-far"' not in page  # another township's helper
    assert 'data-testid="candidate-helper2"' in client.get(url + "?q=debf").content.decode()  # 第二帮扶人
    by_user_name = client.get(url + "?q=helper").content.decode()
    assert (
        'data-testid="candidate-helper"' in by_user_name and 'data-testid="candidate-helper2"' in by_user_name
    )
    assert (
        'data-testid="candidate-village"' not in client.get(url + "?q=village").content.decode()
    )  # not a helper
    assert "没有找到" in client.get(url + "?q=不存在").content.decode()

    response = client.post(url, {"helper": other_helper.pk, "started_on": "2018-02-01", "q": "第二"})
    assert response.status_code == 302
    pairing = m.HelperPairing.objects.get(household=household, ended_on__isnull=True)
    assert pairing.helper == other_helper and pairing.started_on == date(2018, 2, 1)


def test_it_refuses_a_helper_outside_the_scope_posted_by_id(admin_actor, village_cadre, far_helper):
    household = register(admin_actor)
    response = _client(village_cadre).post(f"/households/{household.pk}/helper/", {"helper": far_helper.pk})
    assert response.status_code == 200 and 'data-testid="error-helper"' in response.content.decode()
    assert not m.HelperPairing.objects.filter(household=household).exists()
    # the county admin covers both townships and may pair them
    ok = _client(admin_actor.user).post(f"/households/{household.pk}/helper/", {"helper": far_helper.pk})
    assert ok.status_code == 302
