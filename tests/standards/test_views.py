"""Pages: household/village checklists, the 脱贫攻坚 dashboard (scoped), xlsx downloads, standards admin,
and the whole-county assessment job."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from jingzhun.jobs.models import Job
from jingzhun.jobs.runner import run
from jingzhun.registry.models import Household, Member
from jingzhun.standards import services
from jingzhun.standards.models import StandardSet
from tests.conftest import TOWNSHIP
from tests.factories import OTHER_VILLAGE, VILLAGE


@pytest.fixture
def assessed(standard, household, other_household):
    Member.objects.filter(household=household, name="张小明").update(school_status="非在校生")
    Household.objects.filter(pk=other_household.pk).update(
        exit_status="已脱贫", exit_year=2017, water_safe=False
    )
    services.assess(year=2018)
    return household


def _login(client, user):
    client.force_login(user)
    return client


def test_household_page_shows_the_checklist_with_reasons(client, county_admin, assessed):
    response = _login(client, county_admin).get(reverse("registry:household_detail", args=[assessed.pk]))
    html = response.content.decode()
    assert 'data-testid="rule-H-EDUCATION" data-status="fail"' in html
    assert "成员 张小明（12岁）在校生状况为非在校生，文化程度为小学" in html
    assert 'data-testid="checklist-overall" data-passed="false"' in html
    assert "默认口径，可配置" in html


def test_village_page_shows_the_exit_checklist(client, county_admin, assessed):
    html = (
        _login(client, county_admin)
        .get(reverse("regions:detail", args=[VILLAGE]) + "?year=2018")
        .content.decode()
    )
    assert 'data-testid="village-checklist"' in html
    assert 'data-testid="rule-V-INCIDENCE" data-status="unknown"' in html  # 户籍人口 not filled in


def test_county_dashboard_shows_plan_and_suspected(client, county_admin, assessed):
    html = _login(client, county_admin).get(reverse("standards:dashboard") + "?year=2018").content.decode()
    assert 'data-testid="indicator-C-INCIDENCE"' in html
    assert 'data-testid="plan-rule-H-EDUCATION"' in html
    assert "仅建档立卡数据" in html
    assert 'data-testid="suspected-count">1<' in html


def test_township_cadre_sees_only_their_township(client, township_cadre, assessed):
    client = _login(client, township_cadre)
    html = client.get(reverse("standards:dashboard") + "?year=2018").content.decode()
    assert "溪口镇" in html and "琵琶村委会" not in html
    assert client.get(reverse("standards:dashboard_region", args=[OTHER_VILLAGE])).status_code == 404
    assert (
        client.get(reverse("standards:dashboard_region", args=[TOWNSHIP]) + "?year=2018").status_code == 200
    )


def test_helper_and_anonymous_are_denied(client, helper_user, standard):
    assert client.get(reverse("standards:dashboard")).status_code == 302  # to login
    assert _login(client, helper_user).get(reverse("standards:dashboard")).status_code == 404


def test_each_table_downloads_as_xlsx(client, county_admin, assessed):
    client = _login(client, county_admin)
    for table in ("indicators", "plan", "suspected", "townships", "villages"):
        response = client.get(
            reverse("standards:dashboard_xlsx", args=["430821000000", table]) + "?year=2018"
        )
        assert response.status_code == 200
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        assert sheet.max_row >= 2
    plan = openpyxl.load_workbook(
        io.BytesIO(
            client.get(
                reverse("standards:dashboard_xlsx", args=["430821000000", "plan"]) + "?year=2018"
            ).content
        )
    ).active
    assert plan.cell(row=1, column=1).value == "代码"


def test_run_button_enqueues_a_job_that_reports_progress(client, county_admin, standard, household):
    response = _login(client, county_admin).post(reverse("standards:run"), {"year": "2018"})
    job = Job.objects.get(kind="assessment")
    assert response.url == reverse("jobs:detail", args=[job.pk])
    finished = run(job)
    assert finished.status == "succeeded" and finished.result["households"] == 1
    assert "全县评估完成" in client.get(reverse("jobs:detail", args=[job.pk])).content.decode()


def test_village_cadre_cannot_run_or_manage(client, village_cadre, standard):
    client = _login(client, village_cadre)
    assert client.post(reverse("standards:run"), {"year": "2018"}).status_code == 404
    assert client.post(reverse("standards:copy", args=[standard.pk])).status_code == 404
    assert client.get(reverse("standards:detail", args=[standard.pk])).status_code == 200


def test_admin_copies_edits_adds_a_rule_and_publishes(client, county_admin, standard):
    client = _login(client, county_admin)
    client.post(reverse("standards:copy", args=[standard.pk]), {"name": "湖南省 2016–2020"})
    draft = StandardSet.objects.get(version=2)
    page = client.get(reverse("standards:edit", args=[draft.pk]))
    assert page.status_code == 200
    form = page.context["form"]
    data = {name: form[name].value() if form[name].value() is not None else "" for name in form.fields}
    data["line_2018"] = "3600"
    data["rule_H-EDUCATION_c0"] = "6,16"
    assert data["exit_notice_days"] == 7  # the default, copied from version 1
    data["exit_notice_days"] = "10"
    assert client.post(reverse("standards:edit", args=[draft.pk]), data).status_code == 302
    draft.refresh_from_db()
    assert draft.exit_notice_days == 10
    assert draft.lines.get(year=2018).amount == 3600
    assert draft.rules.get(code="H-EDUCATION").params["conditions"][0]["value"] == [6, 16]
    assert draft.rules.get(code="H-FOOD").params["conditions"][0]["value"] is True  # unchanged
    response = client.post(
        reverse("standards:rule_add", args=[draft.pk]),
        {
            "level": "household",
            "code": "H-ILLNESS",
            "name": "无未救治大病成员",
            "operator": "no_member_where",
            "match": "all",
            "c0_field": "member:health",
            "c0_op": "eq",
            "c0_value": "患有大病",
        },
    )
    assert response.status_code == 302
    bad = client.post(
        reverse("standards:rule_add", args=[draft.pk]),
        {
            "level": "household",
            "code": "H-BAD",
            "name": "x",
            "operator": "no_member_where",
            "c0_field": "member:health",
            "c0_op": "eq",
            "c0_value": "很健康",
        },
    )
    assert "不在可选范围内" in bad.content.decode()
    client.post(reverse("standards:publish", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.is_published
    detail = client.get(reverse("standards:detail", args=[draft.pk])).content.decode()
    assert "没有健康状况为患有大病的成员" in detail
