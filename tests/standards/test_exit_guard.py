"""The exit guard: 标注脱贫 and 出列 only when the exit check passes (standards.exit_rules), refused with
the failing items named, or — where the county allows it — overridden by a county administrator with a
written reason, audited and on the 疑似错退 board. Service, page, API and import."""

from __future__ import annotations

import ast
import inspect
from datetime import date
from pathlib import Path

import pytest
from django.test import Client

from jingzhun.accounts.access import actor_for
from jingzhun.core.exit_gate import ExitRefused
from jingzhun.core.models import AuditEntry
from jingzhun.regions.models import Region
from jingzhun.registry.models import Household, HouseholdEvent
from jingzhun.registry.services.events import identification_step_add, mark_exited
from jingzhun.standards import exit_rules
from jingzhun.standards.exit_rules import StepFact, procedure_problems
from jingzhun.standards.models import ExitException, StandardSet
from tests.api.conftest import ApiClient
from tests.factories import VILLAGE, record_exit_procedure, register, row_counts
from tests.workbook.conftest import golden as golden_files

pytestmark = pytest.mark.django_db


golden = golden_files  # the workbook tests' fixture: a copy of a golden file set


@pytest.fixture
def api():
    return ApiClient


def _counts() -> dict[str, int]:
    return {**row_counts(), "ExitException": ExitException.objects.count()}


def _refused(**kwargs) -> ExitRefused:
    before = _counts()
    with pytest.raises(ExitRefused) as caught:
        mark_exited(**kwargs)
    assert _counts() == before  # nothing written on refusal
    assert Household.objects.get(pk=kwargs["household"].pk).exit_status == "未脱贫"
    return caught.value


@pytest.fixture
def failing(standard, admin_actor):
    """未达标 (no safe water) but with the full exit procedure: only the standard fails."""
    household = register(admin_actor, water_safe="否")
    record_exit_procedure(admin_actor, household)
    return household


# ---------------------------------------------------------------- the pure rule


def test_the_rule_module_imports_no_django():
    tree = ast.parse(inspect.getsource(exit_rules))
    imported = [
        n.module if isinstance(n, ast.ImportFrom) else a.name
        for n in ast.walk(tree)
        if isinstance(n, ast.Import | ast.ImportFrom)
        for a in (n.names if isinstance(n, ast.Import) else [n])
    ]
    assert not [m for m in imported if m and m.startswith("django")]


def test_the_procedure_needs_each_step_in_order_and_the_notice_days():
    d = date
    full = [
        StepFact("退出评议", d(2018, 10, 31)),
        StepFact("退出公示", d(2018, 11, 1), d(2018, 11, 7)),
        StepFact("退出公告", d(2018, 11, 8)),
    ]
    assert procedure_problems(full, notice_days=7) == []
    assert [p.code for p in procedure_problems(full, notice_days=8)] == ["EXIT-NOTICE-DAYS"]
    assert [p.code for p in procedure_problems([], notice_days=7)] == [
        "EXIT-REVIEW",
        "EXIT-NOTICE",
        "EXIT-ANNOUNCEMENT",
    ]
    late = [full[0], full[1], StepFact("退出公告", d(2018, 11, 7))]
    assert [p.code for p in procedure_problems(late, notice_days=7)] == ["EXIT-ANNOUNCEMENT-ORDER"]
    reviewed_after = [StepFact("退出评议", d(2018, 11, 2)), full[1], full[2]]
    assert [p.code for p in procedure_problems(reviewed_after, notice_days=7)] == ["EXIT-REVIEW-ORDER"]
    short = procedure_problems(
        [full[0], StepFact("退出公示", d(2018, 11, 1), d(2018, 11, 3)), full[2]], notice_days=7
    )
    assert short[0].text == "退出公示只有3天（2018-11-01至2018-11-03），应不少于7天"


# ---------------------------------------------------------------- the service


def test_a_village_cadre_marking_an_unmet_household_is_refused_with_the_items_named(failing, village_cadre):
    refused = _refused(actor=actor_for(village_cadre), household=failing, exit_year=2018)
    assert refused.decision.codes == ["H-WATER"]
    assert refused.errors["__all__"].startswith("不能标注脱贫：饮水安全有保障未达标（饮水安全为否）")


def test_missing_steps_and_a_short_notice_are_refused(standard, admin_actor, village_cadre):
    household = register(admin_actor)
    refused = _refused(actor=actor_for(village_cadre), household=household, exit_year=2018)
    assert refused.decision.codes == ["EXIT-REVIEW", "EXIT-NOTICE", "EXIT-ANNOUNCEMENT"]
    record_exit_procedure(admin_actor, household, notice_days=6)
    refused = _refused(actor=actor_for(village_cadre), household=household, exit_year=2018)
    assert refused.decision.codes == ["EXIT-NOTICE-DAYS"]
    assert "退出公示只有6天（2018-11-01至2018-11-06），应不少于7天" in refused.errors["__all__"]


def test_the_notice_days_are_a_setting_of_the_standard(standard, admin_actor, village_cadre):
    household = register(admin_actor)
    record_exit_procedure(admin_actor, household, notice_days=5)
    StandardSet.objects.filter(pk=standard.pk).update(exit_notice_days=5)
    from jingzhun.standards.loading import clear_cache

    clear_cache()
    mark_exited(actor=actor_for(village_cadre), household=household, exit_year=2018)
    assert Household.objects.get(pk=household.pk).exit_status == "已脱贫"


def test_a_passing_household_with_the_full_procedure_is_marked(standard, admin_actor, village_cadre):
    household = register(admin_actor)
    record_exit_procedure(admin_actor, household)
    mark_exited(
        actor=actor_for(village_cadre), household=household, exit_year=2018, reason="一评议一公示一公告"
    )
    household.refresh_from_db()
    assert (household.exit_status, household.exit_year) == ("已脱贫", 2018)
    assert HouseholdEvent.objects.get(household=household, kind="标注脱贫").detail == {"exit_year": 2018}
    assert not ExitException.objects.exists()


def test_a_notice_step_needs_its_last_day(admin_actor, household):
    with pytest.raises(Exception) as caught:
        identification_step_add(
            actor=admin_actor,
            household=household,
            step="退出公示",
            occurred_on="2018-11-01",
            performed_by="村",
        )
    assert caught.value.errors == {"ends_on": "请填写公示截止日期"}


def test_steps_before_a_return_to_poverty_do_not_count_again(standard, admin_actor):
    from jingzhun.registry.services.events import mark_returned

    household = register(admin_actor)
    record_exit_procedure(admin_actor, household)
    mark_exited(actor=admin_actor, household=household, exit_year=2018, occurred_on=date(2018, 12, 1))
    mark_returned(actor=admin_actor, household=household, reason="因病返贫", occurred_on=date(2019, 3, 1))
    refused = _refused_returned(admin_actor, household)
    assert refused.decision.codes == ["EXIT-REVIEW", "EXIT-NOTICE", "EXIT-ANNOUNCEMENT"]


def _refused_returned(actor, household) -> ExitRefused:
    with pytest.raises(ExitRefused) as caught:
        mark_exited(actor=actor, household=household, exit_year=2019)
    return caught.value


# ---------------------------------------------------------------- override (例外放行)


def test_a_county_admin_may_override_with_a_reason_audited_and_on_the_board(
    failing, admin_actor, county_admin, settings
):
    settings.JINGZHUN_EXIT_OVERRIDE = True
    mark_exited(
        actor=admin_actor,
        household=failing,
        exit_year=2018,
        override=True,
        override_reason="已打深水井，待验收",
    )
    failing.refresh_from_db()
    assert failing.exit_status == "已脱贫"
    row = ExitException.objects.get()
    assert (row.level, row.source, row.household_id, row.year, row.reason, row.actor) == (
        "household",
        "override",
        failing.pk,
        2018,
        "已打深水井，待验收",
        county_admin,
    )
    assert row.problems[0].startswith("饮水安全有保障未达标")
    entry = AuditEntry.objects.get(action="standards.exit_exception.override")
    assert entry.household_id == failing.pk and entry.after["codes"] == ["H-WATER"]
    event = HouseholdEvent.objects.get(household=failing, kind="标注脱贫")
    assert event.detail["override"]["reason"] == "已打深水井，待验收"
    page = _client(county_admin).get("/exit/?year=2018").content.decode()
    assert f'data-testid="exception-{row.pk}"' in page and "已打深水井，待验收" in page


@pytest.mark.parametrize("persona", ["township_cadre", "village_cadre"])
def test_override_by_township_or_village_is_refused(failing, persona, request, settings):
    settings.JINGZHUN_EXIT_OVERRIDE = True
    actor = actor_for(request.getfixturevalue(persona))
    refused = _refused(actor=actor, household=failing, exit_year=2018, override=True, override_reason="理由")
    assert refused.errors["__all__"].startswith("只有县级管理员可以例外放行")


def test_override_without_a_reason_is_refused(failing, admin_actor, settings):
    settings.JINGZHUN_EXIT_OVERRIDE = True
    refused = _refused(
        actor=admin_actor, household=failing, exit_year=2018, override=True, override_reason="  "
    )
    assert refused.errors["__all__"].startswith("例外放行须填写书面理由")


def test_override_is_refused_while_the_county_has_not_enabled_it(failing, admin_actor, settings):
    settings.JINGZHUN_EXIT_OVERRIDE = False
    refused = _refused(
        actor=admin_actor, household=failing, exit_year=2018, override=True, override_reason="理由"
    )
    assert refused.errors["__all__"].startswith("本县未开启退出核验的例外放行")


# ---------------------------------------------------------------- page and API


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_event_page_refuses_and_names_the_items(failing, village_cadre):
    client = _client(village_cadre)  # signing in leaves its own audit row (user.login)
    before = _counts()
    response = client.post(f"/households/{failing.pk}/events/new/", {"kind": "标注脱贫", "exit_year": "2018"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="exit-refused"' in page
    assert 'data-code="H-WATER"' in page and "饮水安全有保障未达标（饮水安全为否）" in page
    assert "已办理" not in page
    assert _counts() == before


def test_the_event_page_offers_override_only_when_enabled(failing, county_admin, settings):
    url = f"/households/{failing.pk}/events/new/"
    assert 'name="override_reason"' not in _client(county_admin).get(url).content.decode()
    settings.JINGZHUN_EXIT_OVERRIDE = True
    client = _client(county_admin)
    assert 'name="override_reason"' in client.get(url).content.decode()
    response = client.post(
        url, {"kind": "标注脱贫", "exit_year": "2018", "override": "on", "override_reason": "县级复核后放行"}
    )
    assert response.status_code == 302
    assert ExitException.objects.get().reason == "县级复核后放行"


def test_the_api_refuses_with_each_item_under_its_code(failing, village_cadre, api):
    client = api(village_cadre)
    before = _counts()
    response = client.post(f"/households/{failing.pk}/exit", {"exit_year": 2018})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "exit_refused"
    assert list(error["fields"]) == ["H-WATER"]
    assert error["fields"]["H-WATER"] == "饮水安全有保障未达标（饮水安全为否）"
    assert _counts() == before


def test_the_api_records_steps_and_marks_a_passing_household(standard, admin_actor, village_cadre, api):
    household = register(admin_actor)
    client = api(village_cadre)
    for body in (
        {"step": "退出评议", "occurred_on": "2018-10-31", "performed_by": "村两委"},
        {"step": "退出公示", "occurred_on": "2018-11-01", "ends_on": "2018-11-07", "performed_by": "村两委"},
        {"step": "退出公告", "occurred_on": "2018-11-08", "performed_by": "乡镇"},
    ):
        response = client.post(f"/households/{household.pk}/steps", body)
        assert response.status_code == 201, response.content
    assert response.json()["step"] == "退出公告"
    response = client.post(f"/households/{household.pk}/exit", {"exit_year": 2018})
    assert response.status_code == 200, response.content
    assert response.json()["exit_status"] == "已脱贫"


# ---------------------------------------------------------------- village 出列


def _village_facts(**overrides) -> dict[str, str]:
    facts = {
        "is_poor_village": "是",
        "exit_state": "已出列",
        "exit_year": "2018",
        "planned_exit_year": "2018",
        "registered_population": "1520",
        "collective_income_wan": "3.5",
        "hardened_road": "是",
        "households_without_safe_water": "0",
        "power": "是",
        "standard_clinic": "是",
        "licensed_doctors": "1",
        "broadband": "是",
        "service_centre": "是",
    }
    facts.update(overrides)
    return facts


def test_a_village_failing_its_checklist_is_not_marked_exited(standard, township_cadre):
    response = _client(township_cadre).post(f"/regions/{VILLAGE}/edit/", _village_facts())
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-code="V-COLLECTIVE"' in page and "村集体经济收入未达标" in page
    assert Region.objects.get(code=VILLAGE).exit_state == ""
    response = _client(township_cadre).post(
        f"/regions/{VILLAGE}/edit/", _village_facts(collective_income_wan="4")
    )
    assert response.status_code == 302
    assert Region.objects.get(code=VILLAGE).exit_state == "已出列"


def test_a_county_admin_may_override_a_village_exit(standard, county_admin, township_cadre, settings):
    settings.JINGZHUN_EXIT_OVERRIDE = True
    refused = _client(township_cadre).post(
        f"/regions/{VILLAGE}/edit/", {**_village_facts(), "override": "on", "override_reason": "理由"}
    )
    assert "只有县级管理员可以例外放行" in refused.content.decode()
    assert not ExitException.objects.exists()
    response = _client(county_admin).post(
        f"/regions/{VILLAGE}/edit/", {**_village_facts(), "override": "on", "override_reason": "年底到账"}
    )
    assert response.status_code == 302
    row = ExitException.objects.get()
    assert (row.level, row.village_code, row.reason) == ("village", VILLAGE, "年底到账")


def test_villages_checked_together_decide_as_each_alone_with_one_rule_query_per_year(standard, admin_actor):
    """The import checks all its 已出列 villages at once (exit_guard.village_exit_checks): the decisions and
    剩余贫困 figures are those of each village assessed on its own, from one rule query per exit year."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from jingzhun.standards import exit_guard
    from jingzhun.standards.loading import load_spec
    from jingzhun.standards.selectors import village_assessment, villages_assessment
    from tests.factories import OTHER_VILLAGE, register_exit_plan

    register_exit_plan(admin_actor)
    Region.objects.filter(code__in=[VILLAGE, OTHER_VILLAGE]).update(is_poor_village=True)
    village, other = Region.objects.get(code=VILLAGE), Region.objects.get(code=OTHER_VILLAGE)
    asked = [(village, 2018), (other, 2018), (village, 2019), (other, 1990)]
    with CaptureQueriesContext(connection) as queries:
        decisions = exit_guard.village_exit_checks(asked)
    assert sum("FROM registry_household h" in q["sql"] for q in queries.captured_queries) == 2  # 2018, 2019
    spec = load_spec(standard)
    for (region, year), decision in zip(asked[:3], decisions[:3], strict=True):
        alone = exit_rules.village_may_exit(result=village_assessment(region, year=year, spec=spec)[2])
        assert (decision.allowed, decision.codes, decision.texts) == (alone.allowed, alone.codes, alone.texts)
    assert not decisions[3].allowed and "没有适用于1990年的已发布出列标准" in decisions[3].texts[0]
    together = villages_assessment([village, other], year=2018, spec=spec)
    for region in (village, other):
        statuses, remaining, result = village_assessment(region, year=2018, spec=spec)
        assert together[region.code][0] == statuses and together[region.code][1] == remaining
        assert together[region.code][2] == result
    assert together[VILLAGE][1] > 0 and together[OTHER_VILLAGE][1] > 0  # 剩余贫困 counted per village


# ---------------------------------------------------------------- import


def test_an_import_marking_an_unmet_household_warns_and_puts_it_on_the_board(
    standard, golden, system_actor, township_cadre
):
    from jingzhun.workbook.importer import import_path

    folder = Path(golden("valid_utf8"))
    assert import_path(str(folder), actor=system_actor).ok
    for name in ("户", "成员"):  # keep the township's household G0001 only
        path = folder / f"{name}.csv"
        lines = path.read_text(encoding="utf-8-sig").splitlines()
        path.write_text("\n".join([lines[0], *[x for x in lines[1:] if x.startswith("G0001")]]) + "\n")
    path = folder / "户.csv"
    text = path.read_text()
    path.write_text(
        text.replace(",未脱贫,,2018,", ",已脱贫,2018,2018,").replace(",是,是,是,B,否", ",是,是,否,B,否")
    )
    village = folder / "村.csv"
    village.write_text(village.read_text(encoding="utf-8-sig").replace(",未出列,,", ",已出列,2018,"))

    result = import_path(str(folder), actor=actor_for(township_cadre))
    assert result.ok and result.written, result.errors
    household = Household.objects.get(code="G0001")
    assert household.exit_status == "已脱贫"  # the import is not refused for it
    warnings = {(w.sheet, w.column): w.message for w in result.warnings}
    message = warnings[("户", "脱贫状态")]
    assert message.startswith("不能标注脱贫：饮水安全有保障未达标")
    assert "退出程序缺少“退出评议”" in message and "列入疑似错退" in message
    assert warnings[("村", "出列状态")].startswith("不能标注出列：村集体经济收入未达标")
    rows = {(r.level, r.source, r.household_id) for r in ExitException.objects.all()}
    assert rows == {("household", "import", household.pk), ("village", "import", None)}


# ---------------------------------------------------------------- registration cannot skip the check


def test_the_api_does_not_register_a_household_as_already_exited(standard, village_cadre, api):
    from tests.api.conftest import household_body

    client = api(village_cadre)
    before = _counts()
    response = client.post("/households", household_body(exit_status="已脱贫", exit_year=2018))
    assert response.status_code == 422
    assert response.json()["error"]["fields"]["exit_status"].startswith("新识别的户不能直接登记为已脱贫")
    assert _counts() == before


def test_the_new_household_page_does_not_register_a_household_as_already_exited(standard, village_cadre):
    page = _client(village_cadre).post(
        "/households/new/",
        {"code": "N0001", "village_code": VILLAGE, "exit_status": "已脱贫", "exit_year": "2018"},
    )
    assert page.status_code == 200
    assert "新识别的户不能直接登记为已脱贫" in page.content.decode()
    assert not Household.objects.filter(code="N0001").exists()
