"""Export in the national layouts (issue 14, spec "The national person list"): the spec's headers in file
order, byte for byte; one row per person with the household columns repeated; places by name from the
regions table; 脱贫属性 / 户类型 in the national words; unknown as empty; masked for 县领导; audited — on the
command line and from the export button."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from jingzhun.core.models import AuditEntry
from jingzhun.registry.models import Household, IncomeRecord, Member
from jingzhun.workbook.commands import run_export
from tests.factories import VILLAGE, member_row, register, work_one

# The spec's headers, typed from spec/registry-workbook.md (not imported from the code under test).
SPEC_2016 = [
    "县(市、区、旗)",
    "乡(镇)",
    "行政村",
    "自然村",
    "户编号",
    "人编号",
    "姓名",
    "身份证",
    "人数",
    "与户主关系",
    "民族",
    "文化程度",
    "在校生状况",
    "健康状况",
    "劳动技能",
    "务工时间（月）",
    "参加大病医疗",
    "脱贫属性",
    "贫困户属性",
    "致贫原因1",
]
SPEC_2021 = [
    "序号",
    "数据日期",
    "县(市、区、旗)",
    "乡(镇)",
    "行政村",
    "自然村",
    "户编号",
    "人编号",
    "姓名",
    "证件号码",
    "人数",
    "与户主关系",
    "民族",
    "文化程度",
    "在校生状况",
    "健康状况",
    "劳动技能",
    "务工时间（月）",
    "是否参加大病保险",
    "致贫原因1",
    "危房户",
    "是否解决安全饮用水",
    "人均纯收入",
    "户联系电话",
    "人联系电话",
    "首次识别时间",
    "人员识别时间",
    "户类型",
    "易返贫致贫户(监测对象)类型",
    "风险是否消除",
    "风险识别时间",
    "风险消除时间",
]


def read(path_or_bytes) -> list[list[str]]:
    source = io.BytesIO(path_or_bytes) if isinstance(path_or_bytes, bytes) else path_or_bytes
    book = openpyxl.load_workbook(source, read_only=True)
    assert book.sheetnames == ["人员名单"]
    return [["" if v is None else v for v in row] for row in book.active.iter_rows(values_only=True)]


@pytest.fixture
def two_households(admin_actor):
    """W001: a workbook household (杜坪村委会, 3 people, B grade, incomes by component, 已脱贫 no longer
    enjoying). N001: as a 2021+ list left it (per-capita only, 危房户 = 是, 户类型 一般农户, 脱贫状态 unknown)."""
    w = register(
        admin_actor,
        code="W001",
        group_name="3组",
        phone="13907446001",
        exit_status="已脱贫",
        exit_year="2017",
        members=[
            member_row("张三", "户主", date(1970, 5, 1), ethnicity="土家族", work_months="8"),
            member_row("李四", "配偶", date(1972, 3, 9), male=False, health="长期慢性病"),
        ],
    )
    Household.objects.filter(pk=w.pk).update(no_longer_enjoying=True)
    Member.objects.filter(household=w, name="张三").update(serious_illness_insurance=True)
    n = register(admin_actor, code="N001", members=[member_row("王五", "户主", date(1960, 1, 2))])
    Household.objects.filter(pk=n.pk).update(
        exit_status="",
        attribute="",
        identified_year=None,
        housing_safety="",
        housing_grade_unknown=True,
        dilapidated=True,
        household_type="一般农户",
        water_safe=None,
    )
    IncomeRecord.objects.filter(household=n).delete()
    none = dict.fromkeys(("wage", "business", "property_income", "transfer", "business_expense"))
    IncomeRecord.objects.create(household=n, year=2024, per_capita_net=Decimal("5200"), **none)
    Member.objects.filter(household=n).update(
        person_code="P0101", national={"人联系电话": "13800001111", "风险是否消除": "否"}
    )
    return {m.name: m.id_number for m in Member.objects.all()}


PLACE = ["慈利县", "溪口镇", "杜坪村委会"]


@pytest.mark.django_db
def test_the_2016_layout_headers_and_rows(tmp_path, two_households):
    out = tmp_path / "n.xlsx"
    assert run_export(out=str(out), region=None, year=None, progress=None, layout="national-2016") == 0
    rows = read(out)
    assert rows[0] == SPEC_2016
    ids = two_households
    assert rows[1:] == [
        [*PLACE, "", "N001", "P0101", "王五", ids["王五"], "1", "户主", "", "初中", "非在校生", "健康",
         "普通劳动力", "", "", "", "", "因病"],
        [*PLACE, "3组", "W001", "", "张三", ids["张三"], "2", "户主", "土家族", "初中", "非在校生", "健康",
         "普通劳动力", "8", "是", "已脱贫(不享受政策)", "一般贫困户", "因病"],
        [*PLACE, "3组", "W001", "", "李四", ids["李四"], "2", "配偶", "", "初中", "非在校生", "长期慢性病",
         "普通劳动力", "", "", "已脱贫(不享受政策)", "一般贫困户", "因病"],
    ]  # fmt: skip
    entry = AuditEntry.objects.get(action="registry.export")
    assert entry.after == {"households": 2, "members": 3, "filters": {"layout": "national-2016"}}


@pytest.mark.django_db
def test_the_2021_layout_headers_and_rows(tmp_path, two_households):
    out = tmp_path / "n.xlsx"
    assert run_export(out=str(out), region=None, year=None, progress=None, layout="national-2021") == 0
    rows = read(out)
    assert rows[0] == SPEC_2021
    ids, today = two_households, date.today().isoformat()
    # W001: (9000 + 2000 + 0 + 1200 − 500) ÷ 2 = 5850.00; grade B = not 危房; 已脱贫 = 脱贫户
    w_common = ["是", "5850.00", "13907446001"]
    assert rows[1:] == [
        ["1", today, *PLACE, "", "N001", "P0101", "王五", ids["王五"], "1", "户主", "", "初中", "非在校生",
         "健康", "普通劳动力", "", "", "因病", "是", "", "5200.00", "", "13800001111", "", "", "一般农户", "",
         "否", "", ""],
        ["2", today, *PLACE, "3组", "W001", "", "张三", ids["张三"], "2", "户主", "土家族", "初中", "非在校生",
         "健康", "普通劳动力", "8", "是", "因病", "否", *w_common, "", "2015", "", "脱贫户", "", "", "", ""],
        ["3", today, *PLACE, "3组", "W001", "", "李四", ids["李四"], "2", "配偶", "", "初中", "非在校生",
         "长期慢性病", "普通劳动力", "", "", "因病", "否", *w_common, "", "2015", "", "脱贫户", "", "", "",
         ""],
    ]  # fmt: skip


@pytest.mark.django_db
def test_the_export_button_offers_the_layouts_masks_for_the_leader_and_audits(
    client, two_households, county_leader, village_cadre
):
    client.force_login(county_leader)
    page = client.get(reverse("registry:household_list")).content.decode()
    assert 'data-testid="export-national-2016"' in page and "layout=national-2021" in page
    response = client.get(reverse("workbook:export") + "?layout=national-2021")
    assert response.status_code == 200
    assert (
        "全国系统格式" in response["Content-Disposition"] or "filename*=" in response["Content-Disposition"]
    )
    rows = read(b"".join(response.streaming_content))
    assert rows[0] == SPEC_2021
    by_name = {r[8]: r for r in rows[1:]}
    zhang = by_name["张三"]
    assert zhang[9] == two_households["张三"][:6] + "********" + two_households["张三"][-4:]
    assert zhang[23] == "139****6001" and by_name["王五"][24] == "138****1111"  # 户/人联系电话
    assert by_name["李四"][15] == "***"  # 健康状况
    entry = AuditEntry.objects.filter(action="registry.export").latest("id")
    assert entry.actor_id == county_leader.pk
    assert entry.after["filters"] == {"layout": "national-2021"} and entry.after["masked"] is True
    assert entry.after["households"] == 2 and entry.after["members"] == 3
    # a village cadre sees the full numbers, and only their village (both households are in it)
    client.force_login(village_cadre)
    rows = read(b"".join(client.get(reverse("workbook:export") + "?layout=national-2016").streaming_content))
    assert {r[7] for r in rows[1:]} == set(two_households.values())


@pytest.mark.django_db
def test_the_export_is_scoped_to_the_region_and_refuses_a_snapshot_year(tmp_path, two_households, capsys):
    out = tmp_path / "n.xlsx"
    assert (
        run_export(out=str(out), region="430821001200", year=None, progress=None, layout="national-2016") == 0
    )
    assert read(out) == [SPEC_2016]  # 琵琶村: nobody
    assert run_export(out=str(out), region=VILLAGE, year=2018, progress=None, layout="national-2016") == 1
    assert "--year" in capsys.readouterr().err


@pytest.mark.django_db
def test_a_large_national_export_runs_as_a_job_in_its_layout_masked_like_the_direct_one(
    client, monkeypatch, two_households, county_leader
):
    from jingzhun.jobs.models import Job
    from jingzhun.workbook import export_jobs

    client.force_login(county_leader)
    url = reverse("workbook:export") + "?layout=national-2021"
    direct = read(b"".join(client.get(url).streaming_content))
    monkeypatch.setattr(export_jobs, "SYNC_LIMIT", 0)
    response = client.get(url)
    job = Job.objects.get(kind=export_jobs.KIND)
    assert response.status_code == 302 and job.params["layout"] == "national-2021"
    work_one()
    job.refresh_from_db()
    assert "全国系统格式" in job.result["filename"]
    from_job = read(b"".join(client.get(reverse("workbook:export_file", args=[job.pk])).streaming_content))
    assert from_job == direct and from_job[0] == SPEC_2021
    entry = AuditEntry.objects.filter(action="registry.export", job_id=job.pk).get()
    assert entry.after["filters"] == {"layout": "national-2021"} and entry.after["masked"] is True
