"""督查组 scope: a member sees and supervises the ledger items of the regions assigned to their group (and
no others, even inside their granted region); an inspector in no assigned group keeps the granted region.
The assignment page is for grant managers only, all or nothing, audited."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from jingzhun.accounts.access import actor_for
from jingzhun.core.errors import ValidationFailed
from jingzhun.core.models import AuditEntry
from jingzhun.ledger import selectors
from jingzhun.ledger.models import InspectionGroup
from jingzhun.ledger.services import item_move
from jingzhun.regions.models import Region
from tests.conftest import _persona
from tests.factories import OTHER_VILLAGE
from tests.ledger.conftest import new_item

pytestmark = pytest.mark.django_db
LINGYANG = OTHER_VILLAGE[:9] + "000"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world(admin, village_region, unit, handler, other_village_cadre):
    today = date.today()
    other = Region.objects.get(code=OTHER_VILLAGE)
    mine = new_item(
        admin, "problem", "WT-XK", village_region, unit, responsible=handler.user, assigned_on=today
    )
    theirs = new_item(
        admin, "problem", "WT-LY", other, unit, responsible=other_village_cadre, assigned_on=today
    )
    inspector = _persona("insp", "inspector", "430821000000")
    group = InspectionGroup.objects.create(name="第一督查组")
    group.regions.add(Region.objects.get(code=LINGYANG))
    group.members.add(inspector)
    return {"xk": mine, "ly": theirs, "inspector": inspector, "group": group}


def test_a_group_member_sees_only_the_assigned_regions(world):
    client = _client(world["inspector"])
    assert client.get(reverse("ledger:detail", args=[world["ly"].pk])).status_code == 200
    assert client.get(reverse("ledger:detail", args=[world["xk"].pk])).status_code == 404
    listing = client.get(reverse("ledger:list", args=["problem"])).content.decode()
    assert "WT-LY" in listing and "WT-XK" not in listing
    summary = client.get(reverse("ledger:summary")).content.decode()
    assert "问题整改" in summary
    codes = set(selectors.items_visible(actor_for(world["inspector"])).values_list("code", flat=True))
    assert codes == {"WT-LY"}


def test_an_inspector_in_no_assigned_group_keeps_the_granted_region(world):
    other = _persona("insp2", "inspector", "430821000000")
    listing = _client(other).get(reverse("ledger:list", args=["problem"])).content.decode()
    assert "WT-LY" in listing and "WT-XK" in listing


def test_the_assignment_reaches_beyond_a_narrow_grant(world, village_region):
    """A member granted only 溪口镇 whose group is sent to 零阳街道 supervises 零阳街道 (the rota), not 溪口镇."""
    narrow = _persona("insp3", "inspector", village_region.code[:9] + "000")
    world["group"].members.add(narrow)
    codes = set(selectors.items_visible(actor_for(narrow)).values_list("code", flat=True))
    assert codes == {"WT-LY"}


def test_a_member_accepts_a_closing_only_in_the_assigned_regions(world, handler, other_village_cadre):
    from tests.ledger.conftest import png_upload

    on = date.today()
    for item, who in ((world["ly"], other_village_cadre), (world["xk"], handler.user)):
        cadre = actor_for(who)
        item_move(actor=cadre, item=item, action="start", note="开始整改", on=on)
        item_move(
            actor=cadre, item=item, action="apply_close", note="已整改", attachments=[png_upload()], on=on
        )
    inspector = actor_for(world["inspector"])
    moved = item_move(
        actor=inspector, item=world["ly"], action="accept", note="验收合格", evidence="现场核查", on=on
    )
    assert moved.status == "已销号"
    with pytest.raises(ValidationFailed, match="不在您的管辖范围内"):
        item_move(
            actor=inspector, item=world["xk"], action="accept", note="验收合格", evidence="现场核查", on=on
        )
    response = _client(world["inspector"]).post(
        reverse("ledger:move", args=[world["xk"].pk]), {"action": "accept", "note": "x"}
    )
    assert response.status_code == 404


def test_the_overdue_board_is_per_assignment(world, admin, unit):
    """Two inspectors with the same grant but different groups see different boards."""
    overdue = new_item(
        admin,
        "problem",
        "WT-OLD",
        world["xk"].region,
        unit,
        assigned_on=date.today() - timedelta(days=30),
        deadline=date.today() - timedelta(days=5),
    )
    assert overdue.region_id.startswith("430821102")
    first = _client(world["inspector"]).get(reverse("ledger:overdue")).content.decode()
    other = _persona("insp4", "inspector", "430821000000")
    second = _client(other).get(reverse("ledger:overdue")).content.decode()
    assert "溪口镇" not in first and "溪口镇" in second


def test_the_assignment_page_is_for_grant_managers(world, county_admin, township_cadre, county_leader):
    for user in (township_cadre, county_leader, world["inspector"]):
        assert _client(user).get(reverse("ledger:groups")).status_code == 404
    client = _client(county_admin)
    page = client.get(reverse("ledger:groups")).content.decode()
    assert "第一督查组" in page and "零阳街道" in page
    response = client.post(
        reverse("ledger:groups"),
        {
            "name": "第二督查组",
            "regions": ["430821102000"],
            "extra_regions": OTHER_VILLAGE,
            "members": "insp",
        },
    )
    assert response.status_code == 302
    group = InspectionGroup.objects.get(name="第二督查组")
    assert set(group.regions.values_list("code", flat=True)) == {"430821102000", OTHER_VILLAGE}
    assert AuditEntry.objects.filter(action="ledger.inspection_group", object_id=str(group.pk)).exists()
    codes = set(selectors.items_visible(actor_for(_fresh(world["inspector"]))).values_list("code", flat=True))
    assert codes == {"WT-LY", "WT-XK"}


def _fresh(user):
    from jingzhun.accounts.models import User

    return User.objects.get(pk=user.pk)


def test_a_wrong_assignment_writes_nothing_and_says_why(world, county_admin, village_cadre):
    client = _client(county_admin)
    response = client.post(
        reverse("ledger:groups"), {"name": "第三督查组", "extra_regions": "430821999999", "members": "insp"}
    )
    assert response.status_code == 400 and "区划代码不存在：430821999999" in response.content.decode()
    response = client.post(
        reverse("ledger:groups"), {"name": "第三督查组", "members": village_cadre.username}
    )
    assert response.status_code == 400 and "没有督查组角色" in response.content.decode()
    assert 'value="第三督查组"' in response.content.decode()
    assert not InspectionGroup.objects.filter(name="第三督查组").exists()


def test_a_county_scope_is_a_prefix_match_that_still_stops_at_the_county(admin, unit, regions):
    """The county-wide scope is written as a prefix match (for the planner); it must still exclude an item
    outside the county (a city-level item here), as the range did."""
    from jingzhun.ledger.models import Item

    city = Region.objects.filter(level="city", code__startswith="4308").first()
    assert city is not None
    new_item(admin, "problem", "WT-IN", Region.objects.get(code=OTHER_VILLAGE), unit)
    outside = Item.objects.create(
        kind="problem",
        code="WT-CITY",
        region=city,
        description="市级事项",
        assigned_on=date(2018, 3, 1),
        deadline=date(2018, 3, 31),
        due_on=date(2018, 3, 31),
        status="已交办",
    )
    county = _persona("leader2", "county_leader", "430821000000")
    codes = set(selectors.items_visible(actor_for(county)).values_list("code", flat=True))
    assert "WT-IN" in codes and outside.code not in codes
