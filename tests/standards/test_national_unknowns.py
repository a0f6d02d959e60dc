"""What a national person list does not carry stays unknown through the assessment (issue 14): the rules
report 数据缺失, never a pass or a guessed fail; the CSV of `assess households` keeps its contract; the
疑似错退 board leaves out households missing only data, which the 数据待补 list shows by village instead
(page and xlsx, scoped, masked for 县领导, audited). docs/national-list.md "数据缺失与疑似错退".

Households are stored as the national import stores them (docs/national-list.md "未知值的存储"): a
registered household, then its unknowns written with the ORM.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from jingzhun.core.models import AuditEntry
from jingzhun.engines.python.household import FAIL, PASS, UNKNOWN, assess_household
from jingzhun.registry.models import Household, IncomeRecord, Member
from jingzhun.standards import services
from jingzhun.standards.commands import run_assess
from jingzhun.standards.loading import household_data
from tests.conftest import TOWNSHIP
from tests.factories import OTHER_VILLAGE, VILLAGE, register

YEAR = 2018  # line 3535
PHONE = "13800001234"


def nationalise(household, *, dilapidated=None, per_capita=None, exited=True, medical=None):
    """Make a registered household look as a national list leaves it: 不愁吃/穿 and 参加基本医疗保险
    unknown, the housing grade unknown (危房户 as given), the income per-capita only (or none)."""
    Household.objects.filter(pk=household.pk).update(
        food_secure=None,
        clothing_secure=None,
        housing_safety="",
        housing_grade_unknown=True,
        dilapidated=dilapidated,
        exit_status="已脱贫" if exited else "未脱贫",
        exit_year=None,
        phone=PHONE,
    )
    Member.objects.filter(household=household).update(medical_insurance=medical)
    IncomeRecord.objects.filter(household=household).delete()
    if per_capita is not None:
        IncomeRecord.objects.create(
            household=household,
            year=YEAR,
            per_capita_net=Decimal(per_capita),
            wage=None,
            business=None,
            property_income=None,
            transfer=None,
            business_expense=None,
        )
    household.refresh_from_db()
    return household


def _statuses(household, spec):
    result = assess_household(household_data(household, year=YEAR), year=YEAR, spec=spec)
    return {r.code: r.status for r in result.results}, result


@pytest.mark.django_db
def test_unknowns_are_data_missing_never_pass_or_fail(spec, admin_actor):
    h = nationalise(register(admin_actor), dilapidated=False, per_capita="3600.00")
    statuses, result = _statuses(h, spec)
    assert statuses == {
        "H-INCOME": PASS,  # 3600 > 3535: the stated per-capita figure decides
        "H-FOOD": UNKNOWN,
        "H-CLOTHING": UNKNOWN,
        "H-EDUCATION": PASS,  # the son (12) is 在校 (初中)
        "H-MEDICAL": UNKNOWN,
        "H-HOUSING": UNKNOWN,  # 危房户 = 否: the grade is unknown, not "never appraised"
        "H-WATER": PASS,
    }
    assert result.per_capita == Decimal("3600.00")
    income = next(r for r in result.results if r.code == "H-INCOME")
    assert "名单所载人均纯收入" in income.reasons[0]
    assert result.missing_codes == ["H-FOOD", "H-CLOTHING", "H-MEDICAL", "H-HOUSING"]
    assert not result.failed_codes and not result.passed
    assert result.suspected_wrong_exit  # the CSV's contract: 已脱贫 and not 达标
    assert not result.on_wrong_exit_board and result.awaiting_data


@pytest.mark.django_db
def test_dilapidated_of_unknown_grade_fails_housing_and_the_per_capita_line_is_strict(spec, admin_actor):
    h = nationalise(register(admin_actor), dilapidated=True, per_capita="3535.00")
    statuses, result = _statuses(h, spec)
    assert statuses["H-HOUSING"] == FAIL  # 危房户 = 是: 危房, grade unknown — C or D, never A/B
    assert statuses["H-INCOME"] == FAIL  # equal to the line fails, as with components
    assert result.on_wrong_exit_board
    housing = next(r for r in result.results if r.code == "H-HOUSING")
    assert "危房（等级未知）" in housing.reasons[0]


@pytest.mark.django_db
def test_grade_unknown_passes_housing_when_relocated_and_no_income_is_missing(spec, admin_actor):
    h = nationalise(register(admin_actor), dilapidated=None)
    Household.objects.filter(pk=h.pk).update(relocation="已搬迁入住")
    h.refresh_from_db()
    statuses, _ = _statuses(h, spec)
    assert statuses["H-HOUSING"] == PASS
    assert statuses["H-INCOME"] == UNKNOWN  # no income record at all (2016–2019 layout)
    # never appraised (a workbook household with an empty grade) still fails, as before
    Household.objects.filter(pk=h.pk).update(relocation="否", housing_grade_unknown=False)
    h.refresh_from_db()
    assert _statuses(h, spec)[0]["H-HOUSING"] == FAIL


@pytest.fixture
def county(standard, admin_actor):
    """N001 data only (已脱贫), N002 fails (危房, 已脱贫), N003 data only in another village, W001 a workbook
    household that fails water (已脱贫)."""
    nationalise(register(admin_actor, code="N001"), dilapidated=False, per_capita="3600.00")
    nationalise(register(admin_actor, code="N002"), dilapidated=True, per_capita="3600.00")
    nationalise(register(admin_actor, code="N003", village=OTHER_VILLAGE), dilapidated=False, exited=False)
    w = register(admin_actor, code="W001", water_safe="否")
    Household.objects.filter(pk=w.pk).update(exit_status="已脱贫", exit_year=2017)
    services.assess(year=YEAR)


@pytest.mark.django_db
def test_assess_households_csv_keeps_its_contract(county, tmp_path):
    out = tmp_path / "h.csv"
    assert run_assess(level="households", year=YEAR, region=None, out=str(out), progress=None) == 0
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert rows[0] == [
        "户编号",
        "行政区划代码",
        "脱贫状态",
        "计划脱贫年度",
        "家庭人口数",
        "人均纯收入",
        "是否达标",
        "未达标项",
        "数据缺失项",
        "疑似错退",
    ]
    by_code = {r[0]: r for r in rows[1:]}
    assert by_code["N001"][5:] == ["3600.00", "否", "", "H-FOOD;H-CLOTHING;H-MEDICAL;H-HOUSING", "是"]
    assert by_code["N002"][5:] == ["3600.00", "否", "H-HOUSING", "H-FOOD;H-CLOTHING;H-MEDICAL", "是"]
    assert by_code["N003"][5:] == ["", "否", "", "H-INCOME;H-FOOD;H-CLOTHING;H-MEDICAL;H-HOUSING", "否"]


def _board(client, user, code="430821000000"):
    client.force_login(user)
    page = client.get(reverse("standards:dashboard_region", args=[code]) + f"?year={YEAR}")
    assert page.status_code == 200
    xlsx = client.get(reverse("standards:dashboard_xlsx", args=[code, "suspected"]) + f"?year={YEAR}")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    return page.content.decode(), sorted(r[0] for r in sheet.iter_rows(min_row=2, values_only=True))


@pytest.mark.django_db
def test_the_wrong_exit_board_leaves_out_households_missing_only_data(client, county, county_leader):
    page, listed = _board(client, county_leader)
    assert listed == ["N002", "W001"]  # N001 failed nothing: not on the board
    assert 'data-testid="suspected-count">2<' in page
    assert 'data-testid="data-gaps-count">3<' in page  # N001, N002, N003: listed on 数据待补 instead
    assert "N001" not in page.split('data-testid="suspected"')[1].split("</table>")[0]


def _gaps(client, user, code):
    client.force_login(user)
    return client.get(reverse("standards:data_gaps", args=[code]) + f"?year={YEAR}")


@pytest.mark.django_db
def test_data_gaps_page_for_the_village_cadre(client, county, village_cadre):
    response = _gaps(client, village_cadre, VILLAGE)
    assert response.status_code == 200
    page = response.content.decode()
    assert f'data-testid="gaps-village-{VILLAGE}" data-households="2"' in page  # N001, N002
    assert 'data-testid="gaps-rule-H-MEDICAL" data-n="2"' in page
    assert 'data-testid="gaps-rule-H-HOUSING" data-n="1"' in page  # N002's housing failed, not missing
    assert 'data-testid="gap-N001"' in page and 'data-testid="gap-N002"' in page
    assert "N003" not in page and "W001" not in page  # another village; nothing missing
    row = page.split('data-testid="gap-N001"')[1].split("</tr>")[0]
    assert "不愁吃" in row and "参加基本医疗保险（每名成员）" in row and "住房安全等级" in row
    assert PHONE in row  # the village cadre sees phones
    # the outsider village cadre: the village is not theirs
    assert _gaps(client, village_cadre, OTHER_VILLAGE).status_code == 404


@pytest.mark.django_db
def test_data_gaps_page_for_township_and_masked_for_the_leader(client, county, township_cadre, county_leader):
    page = _gaps(client, township_cadre, TOWNSHIP).content.decode()
    assert 'data-testid="gaps-total">2<' in page and "N003" not in page
    page = _gaps(client, county_leader, "430821000000").content.decode()
    assert 'data-testid="gaps-total">3<' in page
    assert f'data-testid="gaps-village-{OTHER_VILLAGE}" data-households="1"' in page
    row = page.split('data-testid="gap-N003"')[1].split("</tr>")[0]
    assert "收入（" in row  # no income record: income is to be collected
    assert PHONE not in page and "138****1234" in page


@pytest.mark.django_db
def test_data_gaps_xlsx_masked_for_the_leader_and_audited(client, county, county_leader, helper_user):
    client.force_login(county_leader)
    response = client.get(reverse("workbook:list_xlsx", args=["data-gaps"]))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0] == (
        "乡镇",
        "村",
        "行政区划代码",
        "村民小组",
        "户编号",
        "户主",
        "联系电话",
        "脱贫状态",
        "数据缺失项",
        "待补数据",
        "未达标项",
    )
    by_code = {r[4]: r for r in rows[1:]}
    assert sorted(by_code) == ["N001", "N002", "N003"]
    assert by_code["N001"][6] == "138****1234"
    assert by_code["N001"][8] == "不愁吃、不愁穿、基本医疗有保障、住房安全有保障"
    assert by_code["N002"][10] == "住房安全有保障"
    entry = AuditEntry.objects.get(action="list.export", object_id="data-gaps")
    assert entry.actor_id == county_leader.pk and entry.after == {"rows": 3, "masked": True}
    client.force_login(helper_user)
    assert client.get(reverse("workbook:list_xlsx", args=["data-gaps"])).status_code == 404


@pytest.mark.django_db
def test_household_page_says_data_to_collect_not_wrong_exit(client, county, village_cadre):
    client.force_login(village_cadre)
    for code, board, awaiting in (("N001", False, True), ("N002", True, True), ("W001", True, False)):
        h = Household.objects.get(code=code)
        page = client.get(reverse("registry:household_detail", args=[h.pk]) + f"?year={YEAR}")
        text = page.content.decode()
        assert ('data-testid="suspected-wrong-exit"' in text) is board, code
        assert ('data-testid="awaiting-data"' in text) is awaiting, code
        assert ('data-testid="income-per-capita-only"' in text) is code.startswith("N"), code


@pytest.mark.django_db
def test_imported_national_lists_through_to_the_csv_and_the_board(standard, system_actor, tmp_path):
    """The golden lists (LibreOffice xlsx), imported by the national importer with --year 2019, assessed:
    the CSV says 数据缺失 for what the lists do not carry; the board holds only the household that failed."""
    from jingzhun.standards import reports
    from jingzhun.standards.loading import load_spec
    from jingzhun.workbook.importer import import_path
    from tests.workbook.national_files import golden_list

    for name in ("national/2016.xlsx", "national/2021.xlsx"):
        assert import_path(golden_list(name), actor=system_actor, year=2019).ok
    out = tmp_path / "h.csv"
    assert run_assess(level="households", year=2019, region=None, out=str(out), progress=None) == 0
    rows = {r[0]: r for r in csv.reader(out.open(encoding="utf-8"))}
    all_missing = "H-INCOME;H-FOOD;H-CLOTHING;H-MEDICAL;H-HOUSING;H-WATER"
    # 2016–2019: 已脱贫(不享受政策) with nothing failed: 疑似错退 = 是 in the CSV (contract), not on the board
    assert rows["4308211022040001"][2:] == ["已脱贫", "", "3", "", "否", "", all_missing, "是"]
    assert rows["4308210010010002"][2:] == ["未脱贫", "2019", "1", "", "否", "", all_missing, "否"]
    # 2021+: 脱贫户 with 危房户 = 是 fails H-HOUSING; 人均纯收入 6,523.40 passes H-INCOME
    assert rows["4308211062100007"][2:] == [
        "已脱贫", "", "3", "6523.40", "否", "H-HOUSING", "H-FOOD;H-CLOTHING;H-MEDICAL", "是",
    ]  # fmt: skip
    # 一般农户: 脱贫状态 unknown (empty), 危房户 = 否 leaves the grade unknown, 安全饮用水 否 fails
    assert rows["4308211030010011"][2:] == [
        "", "", "1", "5200.00", "否", "H-WATER", "H-FOOD;H-CLOTHING;H-MEDICAL;H-HOUSING", "否",
    ]  # fmt: skip
    spec = load_spec(standard)
    board = reports.suspected_wrong_exits(spec, 2019, "430821")
    assert [s["code"] for s in board] == ["4308211062100007"]
