"""The national person lists (docs/national-list.md): both layouts from the LibreOffice and CSV golden files,
what is stored (and what stays unknown), the aliases, the import year, re-import with history."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jingzhun.core.models import AuditEntry
from jingzhun.registry.models import Household, HouseholdEvent, IncomeRecord, Member
from jingzhun.workbook.importer import import_path
from tests.workbook.national_files import golden_list, set_cell, table, write_csv, write_xlsx

GOLDEN_2016 = ["national/2016.xlsx", "national/2016-utf8.csv"]
GOLDEN_2021 = ["national/2021.xlsx", "national/2021-gb18030.csv"]


@pytest.mark.django_db
@pytest.mark.parametrize("name", GOLDEN_2016)
def test_it_imports_the_2016_layout(system_actor, name):
    result = import_path(golden_list(name), actor=system_actor, year=2019)
    assert result.ok, result.errors
    assert result.national["layout"] == "2016" and result.national["ignored"] == ["备注"]
    assert [w.message for w in result.warnings] == ["无法识别的列，已忽略"]
    assert (result.households_new, result.members_new) == (2, 4)

    a = Household.objects.get(code="4308211022040001")
    assert a.village_id == "430821102204"  # 杜坪村 = 杜坪村委会
    assert (a.group_name, a.head_name, a.member_count) == ("3组", "向国强", 3)
    assert a.head_id_number == Member.objects.get(name="向国强").id_number
    assert (a.exit_status, a.no_longer_enjoying, a.exit_year) == ("已脱贫", True, None)  # 已脱贫(不享受政策)
    assert (a.attribute, a.main_cause) == ("一般贫困户", "因病")  # 因病致贫 = 因病
    # what the 2016–2019 layout does not carry stays unknown
    assert a.identified_year is None
    assert (a.food_secure, a.clothing_secure, a.water_safe) == (None, None, None)
    assert (a.housing_safety, a.housing_grade_unknown, a.dilapidated) == ("", True, None)
    assert not IncomeRecord.objects.filter(household=a).exists()
    event = HouseholdEvent.objects.get(household=a)
    assert (event.occurred_on.year, event.reason) == (2019, "全国系统名单导入（识别年度未知）")

    b = Household.objects.get(code="4308210010010002")
    assert b.village_id == "430821001001"  # 南街社区 = 南街居委会
    assert (b.exit_status, b.planned_exit_year) == ("未脱贫", 2019)  # 预脱贫: planned for the import year
    assert b.attribute == "特困供养贫困户"  # 五保贫困户

    wife = Member.objects.get(name="李秀兰")
    assert (wife.gender, wife.birth_date.isoformat()) == ("女", "1970-09-03")  # from the ID
    assert (wife.serious_illness_insurance, wife.medical_insurance, wife.pension_insurance) == (
        False,
        None,
        None,
    )
    assert (wife.health, wife.labour_skill, wife.work_months) == ("长期慢性病", "弱劳动力或半劳动力", 0)
    assert wife.person_code == "430821102204000102"
    assert Member.objects.get(name="田桂英").serious_illness_insurance is None  # empty cell
    assert a.national == {
        "layout": "2016",
        "县(市、区、旗)": "慈利县",
        "乡(镇)": "溪口镇",
        "行政村": "杜坪村",
        "贫困户属性": "一般贫困户",
        "致贫原因1": "因病致贫",
        "脱贫属性": "已脱贫(不享受政策)",
    }


@pytest.mark.django_db
@pytest.mark.parametrize("name", GOLDEN_2021)
def test_it_imports_the_2021_layout(system_actor, name):
    result = import_path(golden_list(name), actor=system_actor)
    assert result.ok, result.errors
    assert result.national["layout"] == "2021"
    assert (result.national["year"], result.national["year_source"]) == (2024, "数据日期")

    a = Household.objects.get(code="4308211062100007")
    assert a.village_id == "430821106210"  # 象市镇 白马村 = 白马村委会 (南山坪乡 has one too)
    assert (a.household_type, a.exit_status, a.exit_year) == ("脱贫户", "已脱贫", None)  # 脱贫年度 unknown
    assert a.attribute == ""  # the 2021+ layout has no 贫困户属性
    assert (a.identified_year, a.phone, a.water_safe, a.group_name) == (2014, "13907446001", True, "五组")
    assert (a.dilapidated, a.housing_grade_unknown, a.housing_safety) == (
        True,
        True,
        "",
    )  # 危房, grade unknown
    income = IncomeRecord.objects.get(household=a)
    assert (income.year, income.per_capita_net, income.wage, income.transfer) == (
        2024,
        Decimal("6523.40"),
        None,
        None,
    )
    assert income.net_income is None
    assert (a.food_secure, a.clothing_secure) == (None, None)
    assert a.national["数据日期"] == "2024-06-30" and a.national["首次识别时间"] == "2014-05-06"

    b = Household.objects.get(code="4308211030010011")
    assert (b.household_type, b.exit_status) == ("一般农户", "")  # kept as given, 脱贫状态 unknown
    assert (b.dilapidated, b.housing_grade_unknown, b.water_safe, b.main_cause) == (
        False,
        True,
        False,
        "因病",
    )
    head = Member.objects.get(name="覃正华")
    assert head.national == {
        "人联系电话": "13907446001",
        "人员识别时间": "2014-05-06",
        "易返贫致贫户(监测对象)类型": "脱贫不稳定户",
        "风险是否消除": "否",
        "风险识别时间": "2022-03-01",
    }
    assert Member.objects.get(name="彭德贵").national["风险消除时间"] == "2023-12-01"


@pytest.mark.django_db
def test_the_year_option_wins_over_the_data_date(system_actor):
    result = import_path(golden_list("national/2021-gb18030.csv"), actor=system_actor, year=2023)
    assert result.ok and result.national["year"] == 2023
    assert IncomeRecord.objects.filter(year=2023).count() == 2


@pytest.mark.django_db
def test_without_year_or_data_date_the_import_year_is_this_year(tmp_path, system_actor):
    from datetime import date

    headers, rows = table("2016")
    result = import_path(write_csv(tmp_path / "l.csv", headers, rows), actor=system_actor)
    assert result.ok and (result.national["year"], result.national["year_source"]) == (
        date.today().year,
        "当前年份",
    )
    assert Household.objects.get(code="4308210010010002").planned_exit_year == date.today().year


# one alias per case: (layout, header in the golden file, alias written instead, value, what it sets)
ALIASES = [
    ("2021", "证件号码", "身份证", None, None),
    ("2016", "身份证", "证件号码", None, None),
    ("2016", "参加大病医疗", "是否参加大病保险", None, None),
    ("2016", "参加大病医疗", "参加大病保险", None, None),
    ("2021", "是否参加大病保险", "参加大病医疗", None, None),
    ("2016", "致贫原因1", "主要致贫原因", None, None),
    ("2021", "是否解决安全饮用水", "饮水安全", None, None),
    ("2021", "户联系电话", "联系电话", None, None),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("layout", "header", "alias", "_v", "_f"), ALIASES)
def test_every_alias_reads_as_its_column(tmp_path, system_actor, layout, header, alias, _v, _f):
    headers, rows = table(layout)
    headers[headers.index(header)] = alias
    result = import_path(write_csv(tmp_path / "alias.csv", headers, rows), actor=system_actor)
    assert result.ok, result.errors
    mapped = {c["header"]: (c["key"], c["how"]) for c in result.national["columns"]}
    assert mapped[alias][0] and mapped[alias][1] in ("别名", "内置")
    if layout == "2016":
        wife = Member.objects.get(name="李秀兰")
        assert wife.serious_illness_insurance is False and wife.resident_id
        assert Household.objects.get(code="4308211022040001").main_cause == "因病"
    else:
        a = Household.objects.get(code="4308211062100007")
        assert (a.phone, a.water_safe) == ("13907446001", True)
        assert Member.objects.get(name="王春梅").serious_illness_insurance is True


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("value", "status", "no_longer", "planned"),
    [
        ("未脱贫", "未脱贫", False, None),
        ("已脱贫", "已脱贫", False, None),
        ("返贫", "返贫", False, None),
        ("已脱贫(享受政策)", "已脱贫", False, None),
        ("已脱贫（享受政策）", "已脱贫", False, None),
        ("已脱贫(不享受政策)", "已脱贫", True, None),
        ("预脱贫", "未脱贫", False, 2019),
    ],
)
def test_every_exit_attribute_value(tmp_path, system_actor, value, status, no_longer, planned):
    headers, rows = table("2016")
    for row in rows:
        set_cell(headers, row, "脱贫属性", value)
    result = import_path(write_csv(tmp_path / "exit.csv", headers, rows), actor=system_actor, year=2019)
    assert result.ok, result.errors
    household = Household.objects.get(code="4308211022040001")
    assert (household.exit_status, household.no_longer_enjoying, household.planned_exit_year) == (
        status,
        no_longer,
        planned,
    )


@pytest.mark.django_db
def test_the_first_identification_date_gives_the_year_in_any_form(tmp_path, system_actor):
    from datetime import datetime

    headers, rows = table("2021")
    for row in rows[:3]:
        set_cell(headers, row, "首次识别时间", datetime(2015, 7, 1))  # an Excel date cell
    for row in rows[3:]:
        set_cell(headers, row, "首次识别时间", "20160301")
    result = import_path(write_xlsx(tmp_path / "dates.xlsx", headers, rows), actor=system_actor)
    assert result.ok, result.errors
    assert Household.objects.get(code="4308211062100007").identified_year == 2015
    assert Household.objects.get(code="4308211030010011").identified_year == 2016


@pytest.mark.django_db
def test_reimport_updates_with_history_and_an_unchanged_file_changes_nothing(tmp_path, system_actor):
    headers, rows = table("2021")
    path = write_csv(tmp_path / "l.csv", headers, rows)
    assert import_path(path, actor=system_actor).ok
    again = import_path(path, actor=system_actor)
    assert again.ok and (again.households_unchanged, again.members_unchanged) == (2, 4)
    assert (again.households_updated, again.members_updated) == (0, 0)

    for row in rows[:3]:
        set_cell(headers, row, "户联系电话", "13907446099")
    set_cell(headers, rows[1], "文化程度", "高中(含中专)")
    changed = import_path(write_csv(tmp_path / "l2.csv", headers, rows), actor=system_actor)
    assert changed.ok and (changed.households_updated, changed.members_updated) == (1, 1)
    household = Household.objects.get(code="4308211062100007")
    assert household.phone == "13907446099" and household.version == 2
    entry = AuditEntry.objects.get(action="import.update", object_type="household", household_id=household.pk)
    assert entry.before["phone"] == "13907446001" and entry.after["phone"] == "13907446099"
    assert "13907446099" in entry.after["national"]  # the raw texts follow, with history
    member = AuditEntry.objects.get(action="import.update", object_type="member")
    assert (member.before, member.after) == ({"education": "初中"}, {"education": "高中(含中专)"})


@pytest.mark.django_db
def test_the_reading_state_is_released_before_the_writes(monkeypatch, system_actor):
    # a million people: the parser's per-household cells, 户主 rows and the IDs seen (~250 MB) must not stay
    # alive beside the rows written after the reading (households, incomes, events, audit entries: queued or
    # written from after_households on; on PostgreSQL only the members are streamed while the list is read)
    import weakref

    from jingzhun.workbook import importer, national

    parsers: list[weakref.ref] = []
    alive_at_writes: list[bool] = []
    init = national.NationalParser.__init__

    def recording_init(self, *args, **kwargs):
        init(self, *args, **kwargs)
        parsers.append(weakref.ref(self))

    after = importer._Run.after_households

    def checking_after(self, parsed):
        alive_at_writes.append(any(ref() is not None for ref in parsers))
        return after(self, parsed)

    monkeypatch.setattr(national.NationalParser, "__init__", recording_init)
    monkeypatch.setattr(importer._Run, "after_households", checking_after)
    result = import_path(golden_list(GOLDEN_2021[0]), actor=system_actor)
    assert result.ok, result.errors
    assert parsers and alive_at_writes == [False]
