"""Bad national lists: each defect is a Chinese message naming the row (as Excel shows it) and the column, and
nothing is written (all-or-nothing); and the village names with the suffix rules of the spec."""

from __future__ import annotations

import pytest

from jingzhun.accounts.access import actor_for
from jingzhun.core.models import AuditEntry
from jingzhun.regions.models import Region
from jingzhun.registry.models import Household, IncomeRecord, Member
from jingzhun.workbook.importer import import_path
from jingzhun.workbook.national_villages import VillageNames, stem
from jingzhun.workbook.validate import MANGLED_ID
from tests.workbook.national_files import set_cell, table, write_csv, write_xlsx


def _import(tmp_path, actor, headers, rows, *, xlsx=False):
    path = (write_xlsx if xlsx else write_csv)(tmp_path / ("l.xlsx" if xlsx else "l.csv"), headers, rows)
    result = import_path(path, actor=actor)
    assert not result.ok
    # all-or-nothing: not one household, member, income or audit row
    assert not Household.objects.exists() and not Member.objects.exists()
    assert not IncomeRecord.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="import.").exists()
    return result


def _one(result, column):
    found = [e for e in result.errors if e.column == column]
    assert found, [str(e) for e in result.errors]
    return found[0]


@pytest.mark.django_db
def test_an_unknown_village_names_the_candidates(tmp_path, system_actor):
    headers, rows = table("2021")
    for row in rows[:3]:
        set_cell(headers, row, "乡(镇)", "溪口镇")  # 白马村 is in 象市镇 and 南山坪乡, not in 溪口镇
    error = _one(_import(tmp_path, system_actor, headers, rows), "行政村")
    assert (error.sheet, error.row, error.value) == ("l", 2, "白马村")
    assert error.message.startswith("溪口镇没有名为“白马村”的行政村")
    assert "白马村委会（430821106210，象市镇）" in error.message
    assert "白马村委会（430821200208，南山坪乡）" in error.message


@pytest.mark.django_db
def test_an_unknown_township_is_an_error_on_the_village(tmp_path, system_actor):
    headers, rows = table("2016")
    set_cell(headers, rows[3], "乡(镇)", "不存在乡")
    error = _one(_import(tmp_path, system_actor, headers, rows), "行政村")
    assert error.row == 5 and "本县没有名为“不存在乡”的乡(镇)" in error.message


@pytest.mark.django_db
def test_an_ambiguous_village_lists_both(tmp_path, system_actor):
    Region.objects.create(code="430821102990", name="杜坪社区", level="village", parent_id="430821102000")
    headers, rows = table("2016")
    for row in rows[:3]:
        set_cell(headers, row, "行政村", "杜坪")
    error = _one(_import(tmp_path, system_actor, headers, rows), "行政村")
    assert error.row == 2
    assert "“杜坪”在溪口镇有多个可能的村" in error.message
    assert (
        "杜坪村委会（430821102204，溪口镇）" in error.message
        and "杜坪社区（430821102990，溪口镇）" in error.message
    )


@pytest.mark.django_db
def test_size_disagreeing_with_the_rows(tmp_path, system_actor):
    headers, rows = table("2016")
    for row in rows[:3]:
        set_cell(headers, row, "人数", 4)
    error = _one(_import(tmp_path, system_actor, headers, rows), "人数")
    assert (error.row, error.value) == (2, "4")
    assert error.message == "户编号 4308211022040001 的人数为 4，但名单中该户有 3 行（每人一行）"


@pytest.mark.django_db
@pytest.mark.parametrize("header", ["贫困户属性", "致贫原因1", "脱贫属性", "人数", "行政村"])
def test_household_columns_disagreeing_between_rows(tmp_path, system_actor, header):
    headers, rows = table("2016")
    other = {
        "贫困户属性": "低保贫困户",
        "致贫原因1": "因学",
        "脱贫属性": "未脱贫",
        "人数": 2,
        "行政村": "琵琶村",
    }
    set_cell(headers, rows[2], header, other[header])
    error = _one(_import(tmp_path, system_actor, headers, rows), header)
    assert error.row == 4 and error.message.startswith(f"同一户的“{header}”各行不一致：第2行为")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "header", ["危房户", "是否解决安全饮用水", "人均纯收入", "户联系电话", "户类型", "首次识别时间"]
)
def test_household_columns_of_the_2021_layout_disagreeing(tmp_path, system_actor, header):
    headers, rows = table("2021")
    other = {"危房户": "否", "是否解决安全饮用水": "否", "人均纯收入": "7000", "户联系电话": "13907446002"}
    set_cell(
        headers, rows[1], header, other.get(header, "2015-01-01" if header == "首次识别时间" else "一般农户")
    )
    error = _one(_import(tmp_path, system_actor, headers, rows), header)
    assert error.row == 3 and "各行不一致" in error.message


@pytest.mark.django_db
def test_a_household_without_head(tmp_path, system_actor):
    headers, rows = table("2016")
    set_cell(headers, rows[0], "与户主关系", "之兄弟姐妹")
    error = _one(_import(tmp_path, system_actor, headers, rows), "与户主关系")
    assert error.row == 2
    assert error.message == "户编号 4308211022040001 没有户主：每户必须有且只有一行与户主关系为“户主”"


@pytest.mark.django_db
def test_a_household_with_two_heads(tmp_path, system_actor):
    headers, rows = table("2016")
    set_cell(headers, rows[1], "与户主关系", "户主")
    error = _one(_import(tmp_path, system_actor, headers, rows), "与户主关系")
    assert error.row == 3 and "有2名户主（第2行向国强、第3行李秀兰）" in error.message


@pytest.mark.django_db
def test_a_row_of_another_county(tmp_path, system_actor):
    headers, rows = table("2016")
    set_cell(headers, rows[3], "县(市、区、旗)", "桑植县")
    error = _one(_import(tmp_path, system_actor, headers, rows), "县(市、区、旗)")
    assert (error.row, error.value) == (5, "桑植县")
    assert error.message == "“桑植县”不是本次导入所在的县（慈利县），不能导入其他县的人员"


@pytest.mark.django_db
def test_a_village_outside_the_importers_scope(tmp_path, township_cadre):
    headers, rows = table("2016")  # 南街居委会 is in 零阳街道, the cadre's township is 溪口镇
    error = _one(_import(tmp_path, actor_for(township_cadre), headers, rows), "行政村")
    assert error.row == 5 and error.message == "零阳街道南街社区（430821001001）不在您的管辖范围内"


@pytest.mark.django_db
def test_an_excel_mangled_id_as_text(tmp_path, system_actor):
    headers, rows = table("2016")
    set_cell(headers, rows[1], "身份证", "4.32428E+17")
    error = _one(_import(tmp_path, system_actor, headers, rows), "身份证")
    assert (error.row, error.value, error.message) == (3, "4.32428E+17", MANGLED_ID)


@pytest.mark.django_db
def test_an_excel_mangled_id_as_a_number_cell(tmp_path, system_actor):
    headers, rows = table("2021")
    set_cell(headers, rows[3], "证件号码", 432428196012244158.0)
    error = _one(_import(tmp_path, system_actor, headers, rows, xlsx=True), "证件号码")
    assert (error.row, error.message) == (5, MANGLED_ID)


@pytest.mark.django_db
def test_a_missing_id_column_says_what_to_map(tmp_path, system_actor):
    headers, rows = table("2016")
    headers[headers.index("身份证")] = "身份证号码"
    result = _import(tmp_path, system_actor, headers, rows)
    error = _one(result, "证件号码（身份证）")
    assert error.row == 1 and error.message.startswith("缺少必填列“证件号码”（或“身份证”）")
    assert "身份证号码" in result.national["ignored"]


# --- villages by name: every suffix rule -------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("township", "written", "code"),
    [
        ("溪口镇", "杜坪村委会", "430821102204"),  # exact
        ("溪口镇", " 杜坪村委会 ", "430821102204"),  # trimmed
        ("溪口镇", "杜坪村", "430821102204"),  # 村 = 村委会
        ("溪口镇", "杜坪", "430821102204"),  # no suffix at all
        ("零阳街道", "南街社区", "430821001001"),  # 社区 = 居委会
        ("零阳街道", "南街村委会", "430821001001"),  # 村委会 = 居委会
        ("零阳街道", "万福村委会", "430821001215"),  # 村委会 = 村
        ("东岳观镇", "东市居委会", "430821103001"),  # 居委会 = 社区
        ("东岳观镇", "东市社区居委会", "430821103001"),  # suffixes removed repeatedly
        ("溪口镇", "青山村", "430821102991"),  # 村 = 类似村
        ("溪口镇", "青山村委会", "430821102991"),  # 村委会 = 类似村
    ],
)
def test_village_names_with_the_suffix_rules(regions, township, written, code):
    Region.objects.create(code="430821102991", name="青山类似村", level="village", parent_id="430821102000")
    names = VillageNames(["430821000000"])
    assert names.resolve("430821000000", township, written) == (code, "")


@pytest.mark.django_db
def test_an_exact_name_wins_over_a_suffix_match(regions):
    Region.objects.create(code="430821102990", name="杜坪社区", level="village", parent_id="430821102000")
    names = VillageNames(["430821000000"])
    assert names.resolve("430821000000", "溪口镇", "杜坪社区")[0] == "430821102990"
    assert names.resolve("430821000000", "溪口镇", "杜坪村委会")[0] == "430821102204"
    assert names.resolve("430821000000", "溪口镇", "杜坪村")[0] is None  # 杜坪村委会 or 杜坪社区


def test_stem_keeps_a_name_that_is_only_a_suffix():
    assert (stem("社区"), stem("新村村委会"), stem("白马社区居委会")) == ("社区", "新", "白马")


@pytest.mark.django_db
def test_a_bad_place_or_cell_shared_by_households_is_reported_on_each(tmp_path, system_actor):
    # the place and the repeating household columns are resolved once per distinct value: every household
    # that repeats a bad one still gets its own error, on its own first row
    headers, rows = table("2021")
    for row in rows:
        set_cell(headers, row, "乡(镇)", "溪口镇")
        set_cell(headers, row, "行政村", "白马村")
        set_cell(headers, row, "危房户", "也许")
    result = _import(tmp_path, system_actor, headers, rows)
    assert [(e.row, e.value) for e in result.errors if e.column == "行政村"] == [(2, "白马村"), (5, "白马村")]
    assert [(e.row, e.value) for e in result.errors if e.column == "危房户"] == [(2, "也许"), (5, "也许")]
