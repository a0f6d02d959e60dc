"""Create forms on the pages: problems, petitions, cases (supervisors), directives (members of the issuing
command post, to posts below only, with attachments), indicators broken down to townships and departments.
Errors are Chinese, beside the fields, with what was typed kept; an invalid form writes nothing."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from jingzhun.ledger.models import Attachment, Indicator, Item, Post, Recipient
from tests.ledger.conftest import png_upload

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _problem_form(unit, **kw):
    data = {
        "code": "WT-NEW-1",
        "source": "市县巡察",
        "assigned_on": "2018-03-01",
        "deadline": "2018-03-31",
        "description": "危房改造未完成，群众反映强烈",
        "measures": "四月底前完成改造",
        "region": "430821102204",
        "unit": str(unit.pk),
        "responsible_name": "赵书记",
    }
    data.update(kw)
    return data


def test_a_supervisor_creates_a_problem_on_the_page(county_admin, unit):
    response = _client(county_admin).post(reverse("ledger:new", args=["problem"]), _problem_form(unit))
    item = Item.objects.get(kind="problem", code="WT-NEW-1")
    assert response.status_code == 302 and response["Location"] == reverse("ledger:detail", args=[item.pk])
    assert item.status == "已交办" and item.unit == unit and item.measures == "四月底前完成改造"
    assert list(item.steps.values_list("label", flat=True)) == ["交办"]


def test_an_invalid_problem_keeps_what_was_typed_and_writes_nothing(county_admin, unit):
    form = _problem_form(unit, deadline="2018-02-01")
    response = _client(county_admin).post(reverse("ledger:new", args=["problem"]), form)
    html = response.content.decode()
    assert response.status_code == 400
    assert "时限" in html and "不能早于" in html
    assert "危房改造未完成，群众反映强烈" in html and 'value="WT-NEW-1"' in html
    assert not Item.objects.filter(code="WT-NEW-1").exists()
    response = _client(county_admin).post(
        reverse("ledger:new", args=["problem"]), _problem_form(unit, region="430821001200", source="")
    )
    assert response.status_code == 400 and "来源应为" in response.content.decode()


def test_a_township_supervisor_cannot_create_outside_their_region(unit, regions):
    from tests.conftest import _persona

    inspector = _persona("town-insp", "inspector", "430821102000")
    response = _client(inspector).post(
        reverse("ledger:new", args=["problem"]), _problem_form(unit, region="430821001200")
    )
    assert response.status_code == 400 and "不在您的管辖范围内" in response.content.decode()
    assert not Item.objects.filter(code="WT-NEW-1").exists()


def test_handlers_get_no_create_form(village_cadre, township_cadre):
    for user in (village_cadre, township_cadre):
        assert _client(user).get(reverse("ledger:new", args=["problem"])).status_code == 404
    assert _client(village_cadre).get(reverse("ledger:new", args=["case"])).status_code == 404


def test_a_petition_is_registered_with_the_routing_limit(county_admin, unit):
    response = _client(county_admin).post(
        reverse("ledger:new", args=["petition"]),
        {
            "code": "XF-NEW",
            "source": "县本级",
            "assigned_on": "2018-05-02",
            "petitioner_name": "李四",
            "petitioner_phone": "13907440002",
            "description": "低保评定不公",
            "region": "430821102204",
            "unit": str(unit.pk),
        },
    )
    assert response.status_code == 302
    item = Item.objects.get(kind="petition", code="XF-NEW")
    assert item.status == "登记" and item.petitioner_name == "李四"
    assert (item.due_on - item.assigned_on).days == 15


@pytest.fixture
def posts(regions, township_cadre, village_cadre):
    county = Post.objects.create(name="县脱贫攻坚指挥部", level="县", region_id="430821000000")
    town = Post.objects.create(name="溪口镇指挥部", level="乡镇", region_id="430821102000", parent=county)
    room = Post.objects.create(name="杜坪村作战室", level="村", region_id="430821102204", parent=town)
    other = Post.objects.create(name="零阳街道指挥部", level="乡镇", region_id="430821001000", parent=county)
    town.members.add(township_cadre)
    room.members.add(village_cadre)
    return {"county": county, "town": town, "room": room, "other": other}


def _directive(post, recipients, **kw):
    data = {
        "post": str(post.pk),
        "code": "ZL-NEW",
        "title": "开展遍访",
        "description": "十月底前完成遍访",
        "assigned_on": "2018-09-01",
        "deadline": "2018-10-31",
        "recipients": [str(r.pk) for r in recipients],
    }
    data.update(kw)
    return data


def test_a_township_post_member_issues_a_directive_with_an_attachment(posts, township_cadre):
    client = _client(township_cadre)
    page = client.get(reverse("ledger:new", args=["directive"])).content.decode()
    assert "溪口镇指挥部" in page and "杜坪村作战室" in page and "零阳街道指挥部" not in page
    data = _directive(posts["town"], [posts["room"]], attachments=[png_upload("通知.png")])
    response = client.post(reverse("ledger:new", args=["directive"]), data)
    item = Item.objects.get(kind="directive", code="ZL-NEW")
    assert response.status_code == 302
    assert item.post == posts["town"] and item.status == "已下达"
    assert list(Recipient.objects.filter(item=item).values_list("post__name", "status")) == [
        ("杜坪村作战室", "待签收")
    ]
    assert Attachment.objects.filter(step__item=item, name="通知.png").count() == 1


def test_a_directive_goes_only_to_posts_below_the_issuer(posts, township_cadre):
    client = _client(township_cadre)
    response = client.post(
        reverse("ledger:new", args=["directive"]), _directive(posts["town"], [posts["other"]])
    )
    assert response.status_code == 400
    assert "“零阳街道指挥部”不是“溪口镇指挥部”的下级" in response.content.decode()
    # A post the user is not a member of cannot be chosen as the issuer.
    response = client.post(
        reverse("ledger:new", args=["directive"]), _directive(posts["county"], [posts["town"]])
    )
    assert response.status_code == 400 and "下达单位" in response.content.decode()
    assert "十月底前完成遍访" in response.content.decode()
    assert not Item.objects.filter(kind="directive").exists()


def _recipient_boxes(page: str) -> str:
    start = page.index("</legend>", page.index('id="recipients"'))
    return page[start : page.index("</fieldset>", start)]


def test_the_recipient_choice_follows_the_chosen_issuer(posts, county_leader):
    """Only the chosen issuing post's subordinate posts are offered, never every post in the county."""
    client = _client(county_leader)
    url = reverse("ledger:new", args=["directive"])
    page = client.get(url, {"post": posts["town"].pk}).content.decode()
    fieldset = _recipient_boxes(page)
    assert "杜坪村作战室" in fieldset and "零阳街道指挥部" not in fieldset and "溪口镇指挥部" not in fieldset
    page = client.get(url, {"post": posts["county"].pk}).content.decode()
    fieldset = _recipient_boxes(page)
    assert "溪口镇指挥部" in fieldset and "零阳街道指挥部" in fieldset and "杜坪村作战室" in fieldset
    # with JavaScript the issuer's select swaps the recipients in place
    assert f'hx-get="{url}"' in page and 'hx-select="#recipients"' in page


def test_changing_the_issuer_without_javascript_re_renders_and_keeps_what_was_typed(posts, county_leader):
    client = _client(county_leader)
    data = _directive(posts["town"], [posts["other"]], refresh_recipients="1")
    response = client.post(reverse("ledger:new", args=["directive"]), data)
    page = response.content.decode()
    assert response.status_code == 200 and 'data-testid="recipients-refreshed"' in page
    fieldset = _recipient_boxes(page)
    assert "杜坪村作战室" in fieldset and "零阳街道指挥部" not in fieldset
    assert "十月底前完成遍访" in page  # typed text kept
    assert not Item.objects.filter(kind="directive").exists()  # a refresh creates nothing


def test_a_recipient_above_or_beside_the_issuer_is_refused_by_the_server(posts, county_leader):
    """A hand-made POST naming a post that is not below the issuer gets a Chinese error; nothing written."""
    client = _client(county_leader)
    response = client.post(
        reverse("ledger:new", args=["directive"]),
        _directive(posts["town"], [posts["room"], posts["county"]]),
    )
    assert response.status_code == 400
    assert "“县脱贫攻坚指挥部”不是“溪口镇指挥部”的下级" in response.content.decode()
    response = client.post(
        reverse("ledger:new", args=["directive"]), {**_directive(posts["town"], []), "recipients": ["99999"]}
    )
    assert response.status_code == 400 and "所选接收单位不存在" in response.content.decode()
    assert not Item.objects.filter(kind="directive").exists()
    assert not Recipient.objects.exists()


def test_a_village_room_member_has_no_one_below_to_direct(posts, village_cadre):
    assert _client(village_cadre).get(reverse("ledger:new", args=["directive"])).status_code == 404


def test_the_county_supervisor_issues_from_the_county_post(posts, county_leader):
    response = _client(county_leader).post(
        reverse("ledger:new", args=["directive"]),
        _directive(posts["county"], [posts["town"], posts["other"], posts["room"]]),
    )
    assert response.status_code == 302
    assert Recipient.objects.filter(item__code="ZL-NEW").count() == 3


def _grid_form(client):
    page = client.get(reverse("ledger:new", args=["task"])).content.decode()
    assert "溪口镇" in page and "县直部门" in page
    return page


def test_an_indicator_is_broken_down_to_townships_and_departments(county_admin, unit):
    client = _client(county_admin)
    _grid_form(client)
    from jingzhun.regions.models import Region

    towns = list(Region.objects.filter(level="township").order_by("code").values_list("code", flat=True))
    data = {
        "code": "ZB-2018",
        "metric": "预脱贫人数",
        "year": "2018",
        "deadline": "2018-12-31",
        "progress_source": "ready_people",
        "row_count": "4",
        "row-0-region": towns[0],
        "row-0-target": "1200",
        "row-0-responsible": "王镇长",
        "row-1-region": towns[1],
        "row-1-target": "",
        "row-2-region": towns[2],
        "row-2-target": "800",
        "row-3-region": "430821000000",
        "row-3-target": "50",
        "row-3-unit": str(unit.pk),
    }
    response = client.post(reverse("ledger:new", args=["task"]), data)
    assert response.status_code == 302
    got = list(
        Indicator.objects.order_by("item__code").values_list(
            "item__code", "item__region_id", "target", "item__unit"
        )
    )
    assert got == [
        ("ZB-2018-01", towns[0], 1200, None),
        ("ZB-2018-02", towns[2], 800, None),
        ("ZB-2018-03", "430821000000", 50, unit.pk),
    ]
    # A bad row: nothing of the breakdown is written, and the message names the row.
    data.update({"code": "ZB-BAD", "row-2-target": "八百"})
    response = client.post(reverse("ledger:new", args=["task"]), data)
    assert response.status_code == 400 and "第 3 行" in response.content.decode()
    data.update({"row-2-target": "800", "deadline": "2017-12-31"})
    response = client.post(reverse("ledger:new", args=["task"]), data)
    html = response.content.decode()
    assert response.status_code == 400 and "第 1 行" in html and 'value="1200"' in html
    assert not Item.objects.filter(code__startswith="ZB-BAD").exists()
