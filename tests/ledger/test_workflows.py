"""Directives (sign → act → report, complete when all reported), task indicators (computed and reported
progress, traffic light), discipline cases (figures, 纪委 only)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from jingzhun.accounts.access import actor_for
from jingzhun.core.errors import ValidationFailed
from jingzhun.ledger import progress
from jingzhun.ledger.models import Post, Recipient
from jingzhun.ledger.workflows import (
    case_figures,
    computed_progress,
    directive_issue,
    indicator_create,
    indicator_report,
    recipient_move,
)
from jingzhun.regions.models import Region
from tests.conftest import _persona
from tests.ledger.conftest import new_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def posts(regions, township_cadre, village_cadre):
    county = Post.objects.create(name="县脱贫攻坚指挥部", level="县", region_id="430821000000")
    town = Post.objects.create(name="溪口镇指挥部", level="乡镇", region_id="430821102000", parent=county)
    room = Post.objects.create(name="杜坪村作战室", level="村", region_id="430821102204", parent=town)
    other = Post.objects.create(name="零阳街道指挥部", level="乡镇", region_id="430821001000", parent=county)
    town.members.add(township_cadre)
    room.members.add(village_cadre)
    return {"county": county, "town": town, "room": room, "other": other}


def test_a_directive_completes_when_every_recipient_has_reported(posts, leader, township, handler, regions):
    item = directive_issue(
        actor=leader,
        post=posts["county"],
        code="ZL-1",
        title="开展遍访",
        description="全面遍访",
        deadline=date(2018, 12, 31),
        recipients=[posts["town"], posts["room"]],
        on=date(2018, 9, 1),
    )
    assert set(item.recipients.values_list("status", flat=True)) == {"待签收"}
    town = Recipient.objects.get(item=item, post=posts["town"])
    room = Recipient.objects.get(item=item, post=posts["room"])
    with pytest.raises(ValidationFailed, match="成员"):
        recipient_move(actor=handler, recipient=town, action="sign")
    with pytest.raises(ValidationFailed, match="不能执行该操作"):
        recipient_move(actor=township, recipient=town, action="report", note="x")
    for action in ("sign", "act"):
        recipient_move(actor=township, recipient=town, action=action)
    with pytest.raises(ValidationFailed, match="反馈内容"):
        recipient_move(actor=township, recipient=town, action="report")
    recipient_move(actor=township, recipient=town, action="report", note="已完成遍访")
    item.refresh_from_db()
    assert item.status == "已下达"
    assert list(item.recipients.filter(status="待签收").values_list("post__name", flat=True)) == [
        "杜坪村作战室"
    ]
    for action in ("sign", "act"):
        recipient_move(actor=handler, recipient=room, action=action)
    recipient_move(actor=handler, recipient=room, action="report", note="已完成")
    item.refresh_from_db()
    assert item.status == "已完成" and item.closed_on == date.today()


def test_a_directive_goes_only_to_posts_below(posts, leader):
    with pytest.raises(ValidationFailed, match="不是“溪口镇指挥部”的下级"):
        directive_issue(
            actor=leader,
            post=posts["town"],
            code="ZL-2",
            title="t",
            description="d",
            deadline=date(2018, 12, 31),
            recipients=[posts["other"]],
            on=date(2018, 9, 1),
        )


def test_the_directive_page_shows_who_has_not_signed(posts, leader, county_leader, township):
    from django.test import Client

    item = directive_issue(
        actor=leader,
        post=posts["county"],
        code="ZL-3",
        title="t",
        description="d",
        deadline=date(2018, 12, 31),
        recipients=[posts["town"], posts["room"]],
        on=date(2018, 9, 1),
    )
    recipient_move(
        actor=township, recipient=Recipient.objects.get(item=item, post=posts["town"]), action="sign"
    )
    client = Client()
    client.force_login(county_leader)
    page = client.get(f"/ledger/items/{item.pk}/recipients/").content.decode()
    assert "未签收 1" in page and "杜坪村作战室" in page


def test_indicator_progress_reported_by_hand_and_its_light(admin, regions, township):
    town = Region.objects.get(code="430821102000")
    item = indicator_create(
        actor=admin,
        code="ZB-1",
        metric="出列村数",
        target=4,
        year=2018,
        region=town,
        deadline=date(2018, 12, 31),
    )
    indicator_report(actor=township, item=item, value=3, note="三个村已验收")
    item.indicator.refresh_from_db()
    assert item.indicator.reported == 3
    assert item.steps.last().note == "进度 3/4：三个村已验收"
    kw = dict(start=date(2018, 1, 1), deadline=date(2018, 12, 31))
    assert progress.light(3, 4, as_of=date(2018, 8, 1), **kw) == progress.GREEN
    assert progress.light(2, 4, as_of=date(2018, 8, 1), **kw) == progress.YELLOW  # 50 % at 58 % of the year
    assert progress.light(1, 4, as_of=date(2018, 8, 1), **kw) == progress.RED
    assert progress.light(3, 4, as_of=date(2019, 1, 1), **kw) == progress.RED
    assert progress.light(4, 4, as_of=date(2019, 1, 1), **kw) == progress.GREEN


def test_indicator_progress_computed_from_the_assessment(admin, regions, household):
    from jingzhun.registry.models import Household
    from jingzhun.standards.defaults import ensure_defaults
    from jingzhun.standards.services import assess_all

    ensure_defaults()
    Household.objects.filter(pk=household.pk).update(planned_exit_year=2018)
    assess_all(year=2018)
    town = Region.objects.get(code="430821102000")
    item = indicator_create(
        actor=admin,
        code="ZB-2",
        metric="预脱贫人数",
        target=100,
        year=2018,
        region=town,
        deadline=date(2018, 12, 31),
        source="ready_people",
    )
    from jingzhun.standards.models import HouseholdVerdict

    verdict = HouseholdVerdict.objects.get(household=household, year=2018)
    assert verdict.passed and verdict.people > 0  # the factory household meets the standard
    assert computed_progress([item.indicator]) == {item.indicator.pk: verdict.people}
    Household.objects.filter(pk=household.pk).update(planned_exit_year=2019)
    assess_all(year=2018)
    assert computed_progress([item.indicator]) == {item.indicator.pk: 0}
    with pytest.raises(ValidationFailed, match="自动计算"):
        indicator_report(actor=admin, item=item, value=5)


def test_indicator_progress_of_village_exits_computed_from_the_v_rules(admin, regions, household):
    """出列村数 from the data: the poor villages of the indicator's region that meet every V-* rule of the
    year, live from the registry and the 村情 figures; a village failing one rule does not count."""
    from decimal import Decimal

    from jingzhun.standards.defaults import ensure_defaults
    from tests.factories import VILLAGE

    ensure_defaults()
    village = dict(
        registered_population=400,
        collective_income_wan=Decimal("4.00"),
        hardened_road=True,
        households_without_safe_water=0,
        power=True,
        standard_clinic=True,
        licensed_doctors=1,
        service_centre=True,
        broadband=True,
        is_poor_village=True,
        exit_state="未出列",
        planned_exit_year=2018,
    )
    Region.objects.filter(code=VILLAGE).update(**village)
    town = Region.objects.get(code="430821102000")
    item = indicator_create(
        actor=admin,
        code="ZB-CL",
        metric="贫困村出列",
        target=2,
        year=2018,
        region=town,
        deadline=date(2018, 12, 31),
        source="exit_villages",
    )
    elsewhere = indicator_create(
        actor=admin,
        code="ZB-CL2",
        metric="贫困村出列",
        target=1,
        year=2018,
        region=Region.objects.get(code="430821001000"),
        deadline=date(2018, 12, 31),
        source="exit_villages",
    )
    indicators = [item.indicator, elsewhere.indicator]
    assert computed_progress(indicators) == {item.indicator.pk: 1, elsewhere.indicator.pk: 0}
    Region.objects.filter(code=VILLAGE).update(broadband=False)  # fails V-SERVICES
    assert computed_progress(indicators) == {item.indicator.pk: 0, elsewhere.indicator.pk: 0}
    Region.objects.filter(code=VILLAGE).update(broadband=True, is_poor_village=False)
    assert computed_progress([item.indicator]) == {item.indicator.pk: 0}  # not a poor village
    with pytest.raises(ValidationFailed, match="自动计算"):
        indicator_report(actor=admin, item=item, value=1)


def test_case_figures_for_the_discipline_commission_only(admin, village_region, unit, leader, regions):
    case = new_item(admin, "case", "AJ-9", village_region, unit)
    jw = actor_for(_persona("jw", "discipline", "430821000000"))
    detail = case_figures(
        actor=jw, item=case, party=2, government=1, judicial=1, recovered="12,000.50", returned="8000"
    )
    assert (detail.party_discipline, detail.recovered, detail.returned) == (
        2,
        Decimal("12000.50"),
        Decimal("8000.00"),
    )
    with pytest.raises(ValidationFailed, match="不能超过追缴金额"):
        case_figures(actor=jw, item=case, recovered="10", returned="20")
    from django.http import Http404

    with pytest.raises(Http404):
        case_figures(actor=leader, item=case, party=1)


def test_a_village_post_opens_and_signs_a_directive_issued_from_above_its_region(
    posts, leader, village_cadre, other_village_cadre
):
    """乡镇指挥部 → 村作战室: the directive belongs to the township's region, outside the village cadre's
    scope, yet the members of a recipient post must open it and sign (签收); nobody else may."""
    from django.test import Client

    item = directive_issue(
        actor=leader,
        post=posts["town"],  # issued by the township's 指挥部: the item's region is the township
        code="ZL-9",
        title="入户核查",
        description="d",
        deadline=date(2018, 12, 31),
        recipients=[posts["room"]],
        on=date(2018, 9, 1),
    )
    recipient = Recipient.objects.get(item=item, post=posts["room"])
    member = Client()
    member.force_login(village_cadre)
    assert member.get(f"/ledger/items/{item.pk}/recipients/").status_code == 200
    stranger = Client()
    stranger.force_login(other_village_cadre)
    assert stranger.get(f"/ledger/items/{item.pk}/recipients/").status_code == 404
    recipient_move(actor=actor_for(village_cadre), recipient=recipient, action="sign")
    recipient.refresh_from_db()
    assert recipient.status == "已签收"


def test_every_recipient_move_of_the_table_works_and_every_other_is_refused(posts, leader, township):
    """The per-recipient table of a directive (待签收 → 已签收 → 落实中 → 已反馈), every state × every action."""
    from jingzhun.ledger import kinds

    actions = sorted({action for _, action in kinds.RECIPIENT_MOVES})
    for n, state in enumerate(kinds.RECIPIENT_STATES):
        item = directive_issue(
            actor=leader,
            post=posts["county"],
            code=f"ZL-T{n}",
            title="t",
            description="d",
            deadline=date(2018, 12, 31),
            recipients=[posts["town"], posts["other"]],
            on=date(2018, 9, 1),
        )
        for action in actions:
            recipient = Recipient.objects.get(item=item, post=posts["town"])
            Recipient.objects.filter(pk=recipient.pk).update(status=state)
            allowed = kinds.RECIPIENT_MOVES.get((state, action))
            if allowed is None:
                with pytest.raises(ValidationFailed, match="不能执行该操作"):
                    recipient_move(actor=township, recipient=recipient, action=action, note="已办")
                assert Recipient.objects.get(pk=recipient.pk).status == state, (state, action)
            else:
                moved = recipient_move(actor=township, recipient=recipient, action=action, note="已办")
                assert moved.status == allowed[0], (state, action)
        item.refresh_from_db()
        assert item.status == "已下达"  # the other post has not reported: never complete on one report


def test_a_directive_has_no_moves_of_its_own(posts, leader):
    """已下达 → 已完成 only by the last report: every move of the item itself is refused."""
    from jingzhun.ledger import kinds
    from jingzhun.ledger.services import item_move

    item = directive_issue(
        actor=leader,
        post=posts["county"],
        code="ZL-NONE",
        title="t",
        description="d",
        deadline=date(2018, 12, 31),
        recipients=[posts["town"]],
        on=date(2018, 9, 1),
    )
    every_action = {m.action for k in kinds.KINDS.values() for m in k.moves}
    for action in sorted(every_action):
        with pytest.raises(ValidationFailed, match="不能执行该操作"):
            item_move(actor=leader, item=item, action=action, note="x", evidence="y")
    item.refresh_from_db()
    assert item.status == "已下达"


def test_a_directive_is_in_the_inbox_of_each_recipient_post_until_it_has_reported(
    posts, leader, township, handler, township_cadre, village_cadre
):
    """我的待办 holds what to sign too: a directive is in the inbox (and the navigation's count) of the
    members of every recipient post until that post has reported, then leaves it."""
    from django.test import Client
    from django.urls import reverse

    from jingzhun.ledger.selectors import inbox_count

    item = directive_issue(
        actor=leader,
        post=posts["county"],
        code="ZL-INBOX",
        title="开展遍访",
        description="全面遍访",
        deadline=date(2018, 12, 31),
        recipients=[posts["town"], posts["room"]],
        on=date(2018, 9, 1),
    )

    def inbox(user) -> str:
        client = Client()
        client.force_login(user)
        return client.get(reverse("ledger:inbox")).content.decode()

    assert (inbox_count(township), inbox_count(handler)) == (1, 1)
    assert "ZL-INBOX" in inbox(township_cadre) and "ZL-INBOX" in inbox(village_cadre)
    town = Recipient.objects.get(item=item, post=posts["town"])
    recipient_move(actor=township, recipient=town, action="sign")
    recipient_move(actor=township, recipient=town, action="act")
    assert "ZL-INBOX" in inbox(township_cadre)  # signed, not yet reported: still to do
    recipient_move(actor=township, recipient=town, action="report", note="已完成")
    assert "ZL-INBOX" not in inbox(township_cadre) and inbox_count(township) == 0
    assert inbox_count(handler) == 1 and 'data-testid="inbox-count">1<' in inbox(village_cadre)
    assert inbox_count(leader) == 0  # the issuer has nothing to sign
