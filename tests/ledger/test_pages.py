"""Ledger pages per role: scope (404 outside it, like a missing item), masking of petitioners, the moves
offered to each actor, a closing sent back and accepted through the pages, export, summary, inbox."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.test import Client
from openpyxl import load_workbook

from jingzhun.accounts.access import actor_for
from jingzhun.ledger.models import Item
from jingzhun.regions.models import Region
from tests.conftest import _persona
from tests.factories import OTHER_VILLAGE
from tests.ledger.conftest import new_item, png_upload

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def items(admin, village_region, unit, handler):
    other = Region.objects.get(code=OTHER_VILLAGE)
    from jingzhun.assistance.models import HelpUnit

    edu = HelpUnit.objects.create(name="县教育局", affiliation="县直")
    today = date.today()
    return {
        "mine": new_item(
            admin,
            "problem",
            "WT-MINE",
            village_region,
            unit,
            responsible=handler.user,
            assigned_on=today - timedelta(days=40),
            deadline=today - timedelta(days=10),
        ),
        "other": new_item(admin, "problem", "WT-OTHER", other, edu, assigned_on=today),
        "petition": new_item(admin, "petition", "XF-P1", village_region, unit, assigned_on=today),
        "case": new_item(admin, "case", "AJ-1", village_region, unit, assigned_on=today),
    }


def _get(user, name, *args, **params):
    from django.urls import reverse

    return _client(user).get(reverse(name, args=args), params)


@pytest.mark.parametrize(
    "persona, sees_mine, sees_other",
    [
        ("county_admin", True, True),
        ("county_leader", True, True),
        ("township_cadre", True, False),
        ("village_cadre", True, False),
        ("other_village_cadre", False, True),
    ],
)
def test_scope_per_role_on_item_pages(request, items, persona, sees_mine, sees_other):
    user = request.getfixturevalue(persona)
    assert _get(user, "ledger:detail", items["mine"].pk).status_code == (200 if sees_mine else 404)
    assert _get(user, "ledger:detail", items["other"].pk).status_code == (200 if sees_other else 404)
    listing = _get(user, "ledger:list", "problem").content.decode()
    assert ("WT-MINE" in listing) == sees_mine and ("WT-OTHER" in listing) == sees_other


def test_a_helper_has_no_ledger(items, helper_user):
    for name, args in (
        ("ledger:list", ("problem",)),
        ("ledger:detail", (items["mine"].pk,)),
        ("ledger:summary", ()),
        ("ledger:inbox", ()),
    ):
        assert _get(helper_user, name, *args).status_code == 404


def test_cases_only_for_the_discipline_commission(items, county_leader, regions):
    assert _get(county_leader, "ledger:detail", items["case"].pk).status_code == 404
    assert _get(county_leader, "ledger:list", "case").status_code == 404
    jw = _persona("jiwei", "discipline", "430821000000")
    assert _get(jw, "ledger:detail", items["case"].pk).status_code == 200
    assert "AJ-1" in _get(jw, "ledger:list", "case").content.decode()


def test_a_sector_user_sees_only_their_units_items(items, unit, regions):
    from jingzhun.assistance.models import Cadre

    user = _persona("shuili", "sector", "430821000000")
    Cadre.objects.create(user=user, unit=unit)
    listing = _get(user, "ledger:list", "problem").content.decode()
    assert "WT-MINE" in listing and "WT-OTHER" not in listing
    assert _get(user, "ledger:detail", items["other"].pk).status_code == 404


def test_a_missing_item_and_an_unknown_kind_are_404(items, county_admin):
    assert _get(county_admin, "ledger:detail", 999999).status_code == 404
    assert _get(county_admin, "ledger:list", "nope").status_code == 404


def test_petitioner_is_masked_without_the_sensitive_permission(items, county_leader, county_admin):
    page = _get(county_leader, "ledger:detail", items["petition"].pk).content.decode()
    assert "张*" in page and "139****0001" in page and "13907440001" not in page
    full = _get(county_admin, "ledger:detail", items["petition"].pk).content.decode()
    assert "张三" in full and "13907440001" in full
    export = _get(county_leader, "ledger:list", "petition", export="xlsx")
    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("编号", "类型", "来源") and rows[1][0] == "XF-P1"
    assert rows[1][-2:] == ("张*", "139****0001")


def test_filters_and_export_of_the_filtered_list(items, county_admin):
    page = _get(county_admin, "ledger:list", "problem", overdue="1").content.decode()
    assert "WT-MINE" in page and "WT-OTHER" not in page and "逾期10天" in page
    page = _get(county_admin, "ledger:list", "problem", unit="县教育局").content.decode()
    assert "WT-OTHER" in page and "WT-MINE" not in page
    page = _get(county_admin, "ledger:list", "problem", region="430821102000").content.decode()
    assert "WT-MINE" in page and "WT-OTHER" not in page
    export = _get(county_admin, "ledger:list", "problem", overdue="1", export="xlsx")
    codes = [r[0] for r in load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True)][1:]
    assert codes == ["WT-MINE"]

    def exported(**params):
        export = _get(county_admin, "ledger:list", "problem", export="xlsx", **params)
        return [r[0] for r in load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True)][
            1:
        ]

    from jingzhun.ledger.services import item_move

    item_move(actor=actor_for(county_admin), item=items["other"], action="start")
    for params, expected in (
        ({"source": "市县巡察"}, ["WT-MINE", "WT-OTHER"]),
        ({"source": "审计"}, []),
        ({"status": "整改中"}, ["WT-OTHER"]),
        ({"status": "已交办"}, ["WT-MINE"]),
        ({"status": "已交办", "overdue": "1", "unit": "县水利局", "region": "430821102000"}, ["WT-MINE"]),
        ({"status": "整改中", "unit": "县水利局"}, []),
    ):
        page = _get(county_admin, "ledger:list", "problem", **params).content.decode()
        assert [c for c in ("WT-MINE", "WT-OTHER") if c in page] == expected, params
        assert exported(**params) == expected, params


def test_moves_offered_follow_permission_and_four_eyes(items, village_cadre, county_leader):
    page = _get(village_cadre, "ledger:detail", items["mine"].pk).content.decode()
    assert 'data-testid="move-start"' in page and 'data-testid="move-note"' in page
    assert 'data-testid="move-pause"' not in page
    leader_page = _get(county_leader, "ledger:detail", items["mine"].pk).content.decode()
    assert 'data-testid="move-start"' not in leader_page and 'data-testid="move-pause"' in leader_page


def test_a_closing_sent_back_then_accepted_through_the_pages(items, village_cadre, county_leader):
    from django.urls import reverse

    item = items["mine"]
    url = reverse("ledger:move", args=[item.pk])
    cadre, leader = _client(village_cadre), _client(county_leader)
    cadre.post(url, {"action": "start"})
    cadre.post(url, {"action": "note", "note": "已铺设管道", "attachments": png_upload()})
    r = cadre.post(url, {"action": "apply_close", "note": "已整改"}, follow=True)
    assert "须提供佐证" in r.content.decode()
    cadre.post(url, {"action": "apply_close", "note": "已整改完毕", "attachments": png_upload()})
    assert Item.objects.get(pk=item.pk).status == "申请销号"
    assert 'data-testid="inbox-count">1<' in leader.get(reverse("ledger:inbox")).content.decode()
    leader.post(url, {"action": "send_back", "note": "照片不清楚"})
    assert Item.objects.get(pk=item.pk).status == "退回整改"
    cadre.post(url, {"action": "restart"})
    cadre.post(url, {"action": "apply_close", "note": "补充照片", "attachments": png_upload()})
    r = cadre.post(url, {"action": "accept", "note": "自己验收", "evidence": "x"}, follow=True)
    assert "没有“验收销号”的权限" in r.content.decode()
    leader.post(url, {"action": "accept", "note": "验收合格", "evidence": "现场核查"})
    item.refresh_from_db()
    assert item.status == "已销号"
    page = cadre.get(reverse("ledger:detail", args=[item.pk])).content.decode()
    assert page.count("<img") >= 3 and "照片不清楚" in page
    step = item.steps.filter(action="note").get()
    photo = cadre.get(reverse("ledger:attachment", args=[step.attachments.get().pk]))
    assert photo.status_code == 200 and photo["Content-Type"] == "image/png"
    outsider = _persona("far", "village_cadre", OTHER_VILLAGE)
    assert (
        _client(outsider).get(reverse("ledger:attachment", args=[step.attachments.get().pk])).status_code
        == 404
    )


def test_summary_and_overdue_board(items, county_admin):
    page = _get(county_admin, "ledger:summary").content.decode()
    assert "问题整改" in page and "合计" in page and "违纪案件" in page
    assert "县本级1件信访件中，已按时办结回复0件，1件正在办理中" in page
    board = _get(county_admin, "ledger:overdue").content.decode()
    assert "溪口镇" in board and "县水利局" in board


def test_inbox_lists_my_open_items_overdue_first(items, village_cadre, admin, village_region, unit, handler):
    new_item(
        admin,
        "problem",
        "WT-LATER",
        village_region,
        unit,
        responsible=handler.user,
        assigned_on=date.today(),
        deadline=date.today() + timedelta(days=30),
    )
    page = _get(village_cadre, "ledger:inbox").content.decode()
    assert page.index("WT-MINE") < page.index("WT-LATER")
    assert 'data-testid="inbox-count">2<' in page  # WT-MINE, WT-LATER (the petition is not theirs)
    assert "WT-OTHER" not in page and "XF-P1" not in page


def test_task_board_and_case_figures_pages(items, county_admin, admin, regions):
    from django.urls import reverse

    from jingzhun.ledger.workflows import indicator_create

    town = Region.objects.get(code="430821102000")
    item = indicator_create(
        actor=admin,
        code="ZB-P",
        metric="出列村数",
        target=4,
        year=2018,
        region=town,
        deadline=date(2018, 12, 31),
    )
    board = _get(county_admin, "ledger:task_board").content.decode()
    assert "出列村数" in board and 'data-testid="light-red"' in board  # past its deadline, 0 of 4
    client = _client(county_admin)
    client.post(reverse("ledger:indicator_report", args=[item.pk]), {"value": "4"})
    assert 'data-testid="light-green"' in _get(county_admin, "ledger:task_board").content.decode()
    jw = _persona("jw2", "discipline", "430821000000")
    r = _client(jw).post(
        reverse("ledger:case_figures", args=[items["case"].pk]),
        {"party": "3", "government": "0", "judicial": "1", "recovered": "5000", "returned": "1000"},
    )
    assert r.status_code == 302
    assert items["case"].case.party_discipline == 3
    leader = _client(county_admin)
    assert leader.get(reverse("ledger:detail", args=[items["case"].pk])).status_code == 200


def test_the_import_page_is_all_or_nothing(county_admin, village_cadre, unit, regions):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    good = (
        "问题编号,问题来源,交办日期,问题描述,涉及地区代码,责任单位,责任人,整改时限\n"
        "WT-U1,审计,2018-04-01,资金滞后,430821102000,县水利局,王科长,2018-06-15\n"
    )
    bad = good + "WT-U2,审计,2018-04-01,单位错,430821102000,县无此局,王科长,2018-06-15\n"
    client = _client(county_admin)
    r = client.post(reverse("ledger:import"), {"file": SimpleUploadedFile("问题.csv", bad.encode())})
    page = r.content.decode()
    assert "导入失败：共 1 个错误" in page and "县无此局" in page and "<td>3</td>" in page
    assert not Item.objects.exists()
    assert client.get(reverse("ledger:import_report")).status_code == 200
    r = client.post(reverse("ledger:import"), {"file": SimpleUploadedFile("问题.csv", good.encode())})
    assert "事项新增 1" in r.content.decode() and Item.objects.get().code == "WT-U1"
    assert _client(village_cadre).get(reverse("ledger:import")).status_code == 404


def test_the_summary_follows_every_move(items, county_admin, leader, handler):
    from jingzhun.ledger.services import item_move

    def totals():
        page = _get(county_admin, "ledger:summary").content.decode()
        row = page[page.index('问题整改</td><td class="">合计') :][:400]
        return [c for c in row.replace("</td>", "|").split("|")]

    before = totals()
    mine = items["mine"]
    item_move(actor=handler, item=mine, action="start")
    item_move(actor=handler, item=mine, action="apply_close", note="已整改", evidence="证明")
    item_move(actor=leader, item=mine, action="accept", note="验收", evidence="复核")
    assert totals() != before
    assert '<td class="text-end">1</td>' in _get(county_admin, "ledger:summary").content.decode()


def test_a_petition_transferred_to_a_problem_from_its_page(items, county_leader, village_cadre, unit):
    from django.urls import reverse

    petition = items["petition"]
    assert 'data-testid="transfer"' not in _get(village_cadre, "ledger:detail", petition.pk).content.decode()
    client = _client(county_leader)
    url = reverse("ledger:transfer", args=[petition.pk])
    r = client.post(
        url,
        {
            "code": "WT-ZB1",
            "unit": unit.pk,
            "responsible_name": "李局长",
            "deadline": (date.today() + timedelta(days=30)).isoformat(),
        },
    )
    problem = Item.objects.get(kind="problem", code="WT-ZB1")
    assert r.status_code == 302 and problem.origin_id == petition.pk and problem.source == "信访转办"
    page = _get(county_leader, "ledger:detail", problem.pk).content.decode()
    assert "转办自" in page and "XF-P1" in page
    assert "WT-ZB1" in _get(county_leader, "ledger:detail", petition.pk).content.decode()
    assert _client(village_cadre).post(url, {"code": "WT-ZB2"}).status_code == 404
