"""登记新户: the village is picked township → village, and member rows are added as needed."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.test import Client

from jingzhun.registry.models import Household
from tests.conftest import TOWNSHIP
from tests.factories import OTHER_VILLAGE, VILLAGE, household_row, member_row

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _payload(village: str, members: list[dict], rows: int) -> dict[str, str]:
    data = {k: v for k, v in household_row("N0001", village).items() if k != "village_code"}
    data.update(
        {"village_code_township": village[:9] + "000", "village_code": village, "member_rows": str(rows)}
    )
    for i, member in enumerate(members):
        data.update({f"m{i}-{k}": v for k, v in member.items()})
    return data


def _members() -> list[dict]:
    return [
        member_row("陈一", "户主", date(1970, 5, 1)),
        member_row("陈二", "配偶", date(1972, 3, 9), male=False),
        member_row("陈三", "之子", date(1995, 1, 1)),
        member_row("陈四", "之女", date(1998, 1, 1), male=False),
    ]


def test_the_form_picks_the_village_township_first(county_admin, village_cadre):
    page = _client(county_admin).get("/households/new/").content.decode()
    township = re.search(r'<select[^>]*name="village_code_township".*?</select>', page, re.S).group(0)
    assert "溪口镇" in township and "（全县）" not in township
    assert 'name="village_code"' in page and 'type="text" name="village_code"' not in page
    # a village cadre has one township and one village: both chosen already
    own = _client(village_cadre).get("/households/new/").content.decode()
    assert f'<option value="{TOWNSHIP}" selected>' in own and f'<option value="{VILLAGE}" selected>' in own
    assert OTHER_VILLAGE not in own


def test_it_adds_member_rows_as_needed_and_registers_them_all(village_cadre):
    client = _client(village_cadre)
    first = client.get("/households/new/").content.decode()
    assert first.count("<fieldset") == 3 and 'data-testid="add-member"' in first
    members = _members()
    more = client.post("/households/new/", {**_payload(VILLAGE, members[:3], 3), "add_member": "1"})
    html = more.content.decode()
    assert more.status_code == 200 and html.count("<fieldset") == 4
    assert 'value="陈三"' in html and 'name="member_rows" value="4"' in html
    assert 'class="errorlist"' not in html  # adding a row checks nothing yet
    assert not Household.objects.exists()

    saved = client.post("/households/new/", _payload(VILLAGE, members, 4))
    assert saved.status_code == 302
    household = Household.objects.get(code="N0001")
    assert household.village_id == VILLAGE and household.members.count() == 4


def test_a_village_outside_the_scope_is_refused(village_cadre):
    response = _client(village_cadre).post("/households/new/", _payload(OTHER_VILLAGE, _members()[:1], 3))
    assert response.status_code == 200 and not Household.objects.exists()
