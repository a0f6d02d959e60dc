"""The clue pages: summary sentence and precision per rule, lists with counts, the clue page with the
departmental record beside the registry's (masked for the 县领导), the household panel, the xlsx list
(masked, audited), the moves and the follow-up through the pages."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.test import Client

from jingzhun.accounts.access import actor_for
from jingzhun.core.models import AuditEntry
from jingzhun.ledger import services
from jingzhun.rules.hits import Hit
from jingzhun.verification.clue_store import store_hits
from jingzhun.verification.models import Clue
from tests.verification.conftest import death_hit, png_upload, spouse_hit

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def clues(admin, village, household, people):
    """Three clues: X-DEATH (待核查), Q-SPOUSE-SEX closed 不属实, X-PAYROLL closed 属实."""
    spouse, son = people["配偶"], people["之子"]
    store_hits(
        hits=[death_hit(household, spouse)], rules_run={"X-DEATH"}, year=2018, actor=admin, records=5000
    )
    store_hits(
        hits=[spouse_hit(household, spouse)], rules_run={"Q-SPOUSE-SEX"}, year=2018, actor=admin, records=300
    )
    payroll = Hit(
        rule="X-PAYROLL",
        household_id=household.pk,
        member_id=son.pk,
        explanation="财政供养名单载有张小明",
        dataset="财政供养",
        match="证件号码",
        record_key="p1",
        record={"证件号码": son.id_number, "工作单位": "县一中"},
    )
    store_hits(hits=[payroll], rules_run={"X-PAYROLL"}, year=2018, actor=admin, records=7000)
    for rule, action in (("Q-SPOUSE-SEX", "close_false"), ("X-PAYROLL", "close_true")):
        item = Clue.objects.get(rule=rule).item
        services.item_move(actor=village, item=item, action="start")
        services.item_move(actor=village, item=item, action=action, note="入户核实")
    return {c.rule: c for c in Clue.objects.all()}


def test_the_summary_speaks_the_counties_words_and_measures_precision(county_admin, clues):
    page = client_for(county_admin).get("/verification/").content.decode()
    # N = the latest 数据清洗 run (300) + the latest 部门比对 run (7000)
    assert "比对 7300 条记录，发现疑点 3 条，已核实 2 条，属实 1 条" in page
    assert 'data-rule="X-PAYROLL"' in page and 'data-rule="Q-SPOUSE-SEX"' in page
    rows = page.split('data-testid="precision-table"')[1]
    payroll = rows.split('data-rule="X-PAYROLL"')[1].split("</tr>")[0]
    spouse = rows.split('data-rule="Q-SPOUSE-SEX"')[1].split("</tr>")[0]
    death = rows.split('data-rule="X-DEATH"')[1].split("</tr>")[0]
    assert "100%" in payroll and "0%" in spouse and "—" in death


def test_the_lists_count_by_rule_township_and_village(township_cadre, clues, household):
    client = client_for(township_cadre)
    page = client.get("/verification/clues/").content.decode()
    assert "共 3 条" in page and "溪口镇" in page
    # each row names its rule in words first (a cadre does not read codes), the code beside it
    rows = page.split('data-testid="clue-rows"')[1].split('data-testid="list-rule-counts"')[0]
    assert '<span data-testid="clue-rule-name">已死亡仍在册</span> X-DEATH' in rows
    assert "共 1 条" in client.get("/verification/clues/?rule=X-DEATH").content.decode()
    assert "共 1 条" in client.get("/verification/clues/?dataset=财政供养").content.decode()
    assert "共 1 条" in client.get("/verification/clues/?status=待核查").content.decode()
    by_village = client.get(f"/verification/clues/?region={household.village_id[:9]}000").content.decode()
    assert "杜坪村" in by_village.split('data-testid="list-region-counts"')[1]


def test_the_clue_page_shows_the_record_beside_the_registry_masked_for_the_leader(
    county_leader, village_cadre, clues, people
):
    clue = clues["X-DEATH"]
    full_id = people["配偶"].id_number
    leader_page = client_for(county_leader).get(f"/verification/clues/{clue.item_id}/").content.decode()
    assert full_id not in leader_page
    assert f"{full_id[:6]}********{full_id[-4:]}" in leader_page and "2018-06-02" in leader_page
    assert "开始核查" not in leader_page
    cadre_page = client_for(village_cadre).get(f"/verification/clues/{clue.item_id}/").content.decode()
    assert full_id in cadre_page and 'data-testid="move-start"' in cadre_page


def test_the_ledger_item_page_of_a_clue_leads_to_the_clue_page(county_admin, clues):
    clue = clues["X-DEATH"]
    response = client_for(county_admin).get(f"/ledger/items/{clue.item_id}/")
    assert response.status_code == 302 and response["Location"] == f"/verification/clues/{clue.item_id}/"


def test_outsiders_and_helpers_get_404(other_village_cadre, helper_user, clues):
    clue = clues["X-DEATH"]
    for user in (other_village_cadre, helper_user):
        client = client_for(user)
        assert client.get(f"/verification/clues/{clue.item_id}/").status_code == 404
        assert (
            client.post(f"/verification/clues/{clue.item_id}/move/", {"action": "start"}).status_code == 404
        )
    assert Clue.objects.get(pk=clue.pk).item.status == "待核查"


def test_checking_through_the_page_with_a_photo(village_cadre, clues, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    clue = clues["X-DEATH"]
    client = client_for(village_cadre)
    client.post(f"/verification/clues/{clue.item_id}/move/", {"action": "start"})
    client.post(
        f"/verification/clues/{clue.item_id}/move/",
        {"action": "close_true", "note": "已去世", "attachments": [png_upload()]},
    )
    clue.refresh_from_db()
    assert clue.item.status == "属实" and clue.item.steps.get(action="close_true").attachments.count() == 1
    page = client.get(f"/verification/clues/{clue.item_id}/").content.decode()
    assert "自然减少（死亡）" in page and 'data-testid="apply"' not in page  # a village cadre may not apply


def test_the_county_admin_applies_the_follow_up_from_the_page(county_admin, clues, people):
    clue = clues["X-PAYROLL"]
    client = client_for(county_admin)
    page = client.get(f"/verification/clues/{clue.item_id}/").content.decode()
    assert 'data-testid="apply-purge"' in page
    client.post(f"/verification/clues/{clue.item_id}/apply/", {})
    clue.refresh_from_db()
    assert clue.applied_item is not None and clue.applied_item.kind == "problem"
    assert clue.applied_item.source == "数据比对"


def test_the_household_page_shows_open_clues(village_cadre, clues, household):
    page = client_for(village_cadre).get(f"/households/{household.pk}/").content.decode()
    panel = page.split('data-testid="household-clues"')[1].split("</div></div>")[0]
    assert clues["X-DEATH"].item.code in panel and clues["X-PAYROLL"].item.code not in panel


def test_the_clue_xlsx_is_masked_for_the_leader_and_audited(county_leader, clues, people):
    response = client_for(county_leader).get("/lists/clues.xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.values)
    assert len(rows) == 4
    ids = [r[7] for r in rows[1:]]
    assert all("********" in i for i in ids)
    assert people["配偶"].id_number not in str(rows)
    entry = AuditEntry.objects.get(action="list.export", object_id="clues")
    assert entry.after == {"rows": 3, "masked": True}


def test_only_the_county_admin_configures_four_eyes(county_admin, township_cadre):
    assert client_for(township_cadre).post("/verification/settings/", {"four_eyes": "1"}).status_code == 404
    client_for(county_admin).post("/verification/settings/", {"four_eyes": "1"})
    from jingzhun.verification.kind import four_eyes_on

    assert four_eyes_on()
    assert AuditEntry.objects.filter(action="clue.settings").count() == 1


def test_the_page_offers_only_the_moves_the_county_setting_allows(village_cadre, township_cadre, clues):
    from jingzhun.verification.models import ClueSettings

    clue = clues["X-DEATH"]
    services.item_move(actor=actor_for(village_cadre), item=clue.item, action="start")
    url = f"/verification/clues/{clue.item_id}/"
    cadre = client_for(village_cadre).get(url).content.decode()
    assert 'data-testid="move-close_true"' in cadre and 'data-testid="move-report_true"' not in cadre
    assert 'data-testid="move-confirm_true"' not in client_for(township_cadre).get(url).content.decode()
    ClueSettings.objects.update_or_create(pk=1, defaults={"four_eyes": True})
    cadre = client_for(village_cadre).get(url).content.decode()
    assert 'data-testid="move-report_true"' in cadre and 'data-testid="move-close_true"' not in cadre
    client_for(village_cadre).post(f"{url}move/", {"action": "report_true", "note": "已去世"})
    town = client_for(township_cadre).get(url).content.decode()
    assert 'data-testid="move-confirm_true"' in town and 'data-testid="finding"' in town


def test_a_masked_role_sees_the_explanation_masked_on_every_clue_page(
    admin, county_leader, household, people
):
    """The 说明 of X-DISABILITY names the category, level and 健康状况: the 县领导 sees *** in the list,
    on the clue page, in the household panel and in the xlsx — the values never leave the server."""
    spouse = people["配偶"]
    store_hits(
        hits=[
            Hit(
                rule="X-DISABILITY",
                household_id=household.pk,
                member_id=spouse.pk,
                explanation=f"{spouse.name} 在残联名单中（残疾类别为肢体、残疾等级为四级），健康状况为健康",
                dataset="残疾人",
                match="证件号码",
                record_key="d1",
                record={
                    "证件号码": spouse.id_number + "41",
                    "姓名": spouse.name,
                    "残疾类别": "肢体",
                    "残疾等级": "四级",
                },
            )
        ],
        rules_run={"X-DISABILITY"},
        year=2018,
        actor=admin,
    )
    clue = Clue.objects.get()
    client = client_for(county_leader)
    pages = {
        "list": client.get("/verification/clues/").content.decode(),
        "clue": client.get(f"/verification/clues/{clue.item_id}/").content.decode(),
        "household": client.get(f"/households/{household.pk}/").content.decode(),
    }
    book = openpyxl.load_workbook(io.BytesIO(b"".join(client.get("/lists/clues.xlsx").streaming_content)))
    pages["xlsx"] = str(list(book.active.values))
    for name, text in pages.items():
        assert "肢体" not in text and "四级" not in text and "健康状况为健康" not in text, name
        assert spouse.id_number not in text, name
    assert "健康状况为***" in pages["household"] and "残疾类别为***" in pages["clue"]
