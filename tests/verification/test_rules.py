"""Each X-* rule of spec/verification.md §2 at its boundaries, on both engines (helpers.hits_all_engines
asserts that SQL for the county, Python for the county and Python per household give the same hits)."""

from __future__ import annotations

import pytest

from jingzhun.registry.models import Household, Member
from jingzhun.rules.checks import default_params
from jingzhun.verification.crosscheck import household_crosscheck, run_crosscheck, run_crosscheck_python
from tests.verification.helpers import hits_all_engines, load

pytestmark = pytest.mark.django_db
Y = 2024


def row(m, **cols):
    return {"证件号码": m.id_number, "姓名": m.name, **cols}


def only(hits, rule):
    return [h for h in hits if h.rule == rule]


def test_death_on_the_reference_date_hits_the_day_after_does_not(family, tmp_path):
    hh, head, spouse, son = family
    load(tmp_path, {"死亡人口": [row(head, 死亡日期="2024-12-31"), row(spouse, 死亡日期="2025-01-01")]})
    hits = hits_all_engines(Y)
    assert [(h.rule, h.member_id, h.match, h.dataset) for h in hits] == [
        ("X-DEATH", head.pk, "证件号码", "死亡人口")
    ]
    assert hits[0].explanation == "张三 在死亡人口名单中（死亡日期 2024-12-31），仍在册"
    assert hits[0].record["死亡日期"] == "2024-12-31" and len(hits[0].record_key) == 32


def test_moved_out_before_and_after_the_reference_date(family, tmp_path):
    hh, head, spouse, son = family
    load(
        tmp_path,
        {"户籍迁出": [row(head, 迁出日期="2024/06/30", 迁往地区="长沙市"), row(son, 迁出日期="20250105")]},
    )
    hits = hits_all_engines(Y)
    assert [(h.rule, h.member_id) for h in hits] == [("X-MOVED", head.pk)]
    assert "迁往 长沙市" in hits[0].explanation


def test_vehicle_exempt_types_are_whole_trimmed_names(family, tmp_path):
    hh, head, spouse, son = family
    load(
        tmp_path,
        {
            "车辆登记": [
                row(head, 号牌号码="湘G12345", 车辆类型=" 摩托车 "),
                row(head, 号牌号码="湘G22222", 车辆类型="三轮汽车"),
                row(spouse, 号牌号码="湘G33333", 车辆类型="小型轿车"),
                row(son, 号牌号码="湘G44444", 车辆类型="摩托车（两轮）"),  # not the exempt name
            ]
        },
    )
    hits = hits_all_engines(Y)
    assert sorted(h.member_id for h in hits) == sorted([spouse.pk, son.pk])
    # a county lists its own exempt names
    params = default_params()
    params["X-VEHICLE"] = {"exempt_vehicle_types": ["小型轿车", "摩托车（两轮）"]}
    assert run_crosscheck(Y, params=params) == run_crosscheck_python(Y, params=params)
    assert sorted(h.member_id for h in run_crosscheck(Y, params=params)) == [head.pk]


def test_house_and_payroll_hit_on_any_record(family, tmp_path):
    hh, head, spouse, son = family
    load(
        tmp_path, {"商品房": [row(spouse, 房屋坐落="零阳镇1号")], "财政供养": [row(head, 工作单位="县一中")]}
    )
    hits = hits_all_engines(Y)
    assert [(h.rule, h.member_id) for h in hits] == [("X-HOUSE", spouse.pk), ("X-PAYROLL", head.pk)]


def test_business_role_state_and_capital_exactly_ten(family, tmp_path):
    hh, head, spouse, son = family
    load(
        tmp_path,
        {
            "工商注册": [
                row(head, 企业名称="甲公司", 身份="股东", **{"注册资本（万元）": "10", "经营状态": "存续"}),
                row(
                    spouse,
                    企业名称="乙公司",
                    身份="法定代表人",
                    **{"注册资本（万元）": "9.99", "经营状态": "在业"},
                ),
                row(
                    spouse,
                    企业名称="丙公司",
                    身份="法定代表人",
                    **{"注册资本（万元）": "500", "经营状态": "注销"},
                ),
                row(son, 企业名称="丁公司", 身份="监事", **{"注册资本（万元）": "50", "经营状态": "在业"}),
            ]
        },
    )
    hits = hits_all_engines(Y)
    assert [(h.rule, h.member_id) for h in hits] == [("X-BUSINESS", head.pk)]
    assert hits[0].explanation == "张三 为企业“甲公司”的股东（注册资本 10 万元，存续）"


def test_dibao_both_directions_and_periods_that_ended(family, tmp_path):
    hh, head, spouse, son = family
    Member.objects.filter(pk=head.pk).update(dibao=True)  # 是, but the period ended in June
    Member.objects.filter(pk=spouse.pk).update(dibao=False)  # 否, but a period covers 31 Dec
    Member.objects.filter(pk=son.pk).update(tekun=True)  # 是, period covers: agrees
    load(
        tmp_path,
        {
            "低保特困": [
                row(head, 救助类别="低保", 起始日期="2020-01-01", 终止日期="2024-06-30"),
                row(spouse, 救助类别="低保", 起始日期="2024-12-31"),
                row(son, 救助类别="特困", 起始日期="2019-01-01", 终止日期="2024-12-31"),
            ]
        },
    )
    hits = only(hits_all_engines(Y), "X-DIBAO")
    assert [(h.member_id, h.match) for h in hits] == [(head.pk, "证件号码"), (spouse.pk, "证件号码")]
    assert "登记为低保，但民政名单在 2024 年末无有效低保记录" in hits[0].explanation
    assert "民政名单在 2024 年末有有效低保记录，但登记低保为否" in hits[1].explanation
    assert hits[1].record["起始日期"] == "2024-12-31"


def test_dibao_flag_without_any_record_is_a_hit_only_when_the_dataset_was_imported(family, tmp_path):
    hh, head, spouse, son = family
    Member.objects.filter(pk=head.pk).update(dibao=True)
    assert run_crosscheck(Y) == []  # 低保特困 never imported: no clue
    load(tmp_path, {"低保特困": [row(spouse, 救助类别="特困", 起始日期="2030-01-01")]})
    hits = hits_all_engines(Y)
    assert [(h.rule, h.member_id, h.match, h.record_key) for h in hits] == [("X-DIBAO", head.pk, "", "")]


def test_disability_both_directions(family, tmp_path):
    hh, head, spouse, son = family
    Member.objects.filter(pk=spouse.pk).update(health="残疾")  # not listed
    assert run_crosscheck(Y) == []  # 残疾人 never imported
    # a 残疾人证 number (the ID + category and level digits) matches on its first 18
    load(tmp_path, {"残疾人": [row(head, 证件号码=head.id_number + "41", 残疾类别="肢体", 残疾等级="四级")]})
    hits = hits_all_engines(Y)
    assert [(h.member_id, h.match) for h in hits] == [(head.pk, "证件号码"), (spouse.pk, "")]
    assert hits[0].explanation == "张三 在残联名单中（残疾类别为肢体、残疾等级为四级），健康状况为健康"
    assert hits[1].explanation == "李四 健康状况为残疾，但不在残联名单中"


def test_school_enrolled_or_dropped_out(family, tmp_path):
    hh, head, spouse, son = family
    load(
        tmp_path,
        {
            "学籍": [
                row(head, 学段="高中", 学籍状态="在读"),  # 非在校生 in the registry
                row(son, 学段="初中", 学籍状态="辍学"),  # 初中 in the registry
                row(spouse, 学段="高中", 学籍状态="休学"),
            ]
        },
    )
    hits = hits_all_engines(Y)
    assert [(h.member_id, h.rule) for h in hits] == [(head.pk, "X-SCHOOL"), (son.pk, "X-SCHOOL")]


def test_insurance_both_directions_for_the_year(family, tmp_path):
    hh, head, spouse, son = family
    Member.objects.filter(pk=spouse.pk).update(medical_insurance=False)
    load(
        tmp_path,
        {
            "医保参保": [
                row(head, 参保年度="2023", 参保状态="参保"),  # 是, but no 参保 row for 2024
                row(spouse, 参保年度="2024", 参保状态="参保"),  # 否, but a 参保 row for 2024
                row(son, 参保年度="2024", 参保状态="参保"),
            ]
        },
    )
    hits = hits_all_engines(Y)
    assert [(h.member_id, h.match) for h in hits] == [(head.pk, "证件号码"), (spouse.pk, "证件号码")]
    assert hits[0].record["参保年度"] == "2023"  # the best of that member's records


def test_insurance_is_not_checked_before_the_dataset_exists(family, tmp_path):
    hh, head, spouse, son = family
    assert run_crosscheck(Y) == []
    load(tmp_path, {"死亡人口": [row(head, 死亡日期="2030-01-01")]})
    assert run_crosscheck(Y) == []


def test_housing_takes_the_latest_rating_among_the_members(family, tmp_path):
    hh, head, spouse, son = family  # household B
    load(
        tmp_path,
        {
            "危房鉴定": [
                {"证件号码": head.id_number, "鉴定等级": "C", "鉴定日期": "2021-05-01"},
                {"证件号码": spouse.id_number, "鉴定等级": "D", "鉴定日期": "2023-08-01"},
                {
                    "证件号码": son.id_number,
                    "鉴定等级": "B",
                    "鉴定日期": "2025-01-01",
                },  # after the reference date
            ]
        },
    )
    hits = hits_all_engines(Y)
    assert [(h.rule, h.member_id) for h in hits] == [("X-HOUSING", spouse.pk)]
    assert hits[0].explanation == "户住房安全等级为B，危房鉴定最新等级为D（2023-08-01，产权人 李四）"
    Household.objects.filter(pk=hh.pk).update(housing_safety="D")
    assert hits_all_engines(Y, [hh.pk]) == []


def test_out_of_scope_members_are_not_flagged(family, tmp_path):
    hh, head, spouse, son = family
    Member.objects.filter(pk=son.pk).update(is_active=False, removed_reason="死亡")
    load(tmp_path, {"死亡人口": [row(son, 死亡日期="2024-01-01"), row(head, 死亡日期="2024-01-01")]})
    assert [h.member_id for h in hits_all_engines(Y)] == [head.pk]
    Household.objects.filter(pk=hh.pk).update(registry_status="已清退")
    assert hits_all_engines(Y) == []
    assert household_crosscheck(hh.pk, Y) == []


def test_the_county_run_streams_its_hits_in_batches_in_the_csv_order(family, tmp_path, monkeypatch):
    """iter_crosscheck reads the hits back from the engine's temporary table BATCH at a time (memory
    bounded by the batch, not the county), in the order of the command's CSV (规则代码, 户编号, 证件号码),
    and they are exactly run_crosscheck's hits; the temporary tables are gone afterwards."""
    from django.db import connection, transaction

    from jingzhun.engines.sql import crosscheck as sql_engine
    from jingzhun.verification.crosscheck import iter_crosscheck, iter_crosscheck_people

    hh, head, spouse, son = family
    load(
        tmp_path,
        {
            "财政供养": [
                row(head, 工作单位="县一中"),
                row(spouse, 工作单位="县医院"),
                row(son, 工作单位="镇政府"),
            ],
            "商品房": [row(spouse, 房屋坐落="人民路1号"), row(head, 房屋坐落="人民路2号")],
        },
    )
    monkeypatch.setattr(sql_engine, "BATCH", 2)
    batches = [len(b) for b in sql_engine.raw_hits(*_engine_args())]
    assert batches == [2, 2, 1]
    streamed = list(iter_crosscheck_people(Y))
    keys = [(h.rule, p.household_code, p.id_number) for h, p in streamed]
    assert keys == sorted(keys) and len(keys) == 5
    assert sorted(iter_crosscheck(Y), key=lambda h: (h.rule, h.household_id, h.member_id)) == run_crosscheck(
        Y
    )
    with connection.cursor() as cursor:
        for table in ("xc_hit", "xc_hit_n", "xc_match", "xc_member"):
            with pytest.raises(Exception), transaction.atomic():  # noqa: B017 (backends differ)
                cursor.execute(f"SELECT 1 FROM {table}")


def _engine_args():
    from jingzhun.verification.crosscheck import county_datasets
    from jingzhun.verification.params import current_params

    county = county_datasets()
    return county.code, None, county.datasets, Y, current_params()


def test_moved_out_exactly_on_the_reference_date_hits(family, tmp_path):
    hh, head, spouse, son = family
    load(tmp_path, {"户籍迁出": [row(head, 迁出日期="2024-12-31"), row(spouse, 迁出日期="2025-01-01")]})
    assert [(h.rule, h.member_id) for h in hits_all_engines(Y)] == [("X-MOVED", head.pk)]


def test_dibao_periods_are_per_category_and_a_start_after_the_reference_date_does_not_cover(family, tmp_path):
    """特困 = 是 with only a 低保 period is a 特困 mismatch (and 低保 = 否 with that period a 低保 one); a
    period starting the day after the reference date covers nothing."""
    hh, head, spouse, son = family
    Member.objects.filter(pk=head.pk).update(tekun=True, dibao=False)
    Member.objects.filter(pk=spouse.pk).update(dibao=False)
    load(
        tmp_path,
        {
            "低保特困": [
                row(head, 救助类别="低保", 起始日期="2020-01-01"),
                row(spouse, 救助类别="低保", 起始日期="2025-01-01"),
            ]
        },
    )
    hits = only(hits_all_engines(Y), "X-DIBAO")
    assert [(h.member_id, h.match) for h in hits] == [(head.pk, "证件号码")]
    text = hits[0].explanation
    assert "低保" in text and "特困" in text  # both categories disagree for 张三


def test_disability_agreement_is_no_clue(family, tmp_path):
    """Listed and 残疾, or not listed and not 残疾: nothing to check."""
    hh, head, spouse, son = family
    Member.objects.filter(pk=head.pk).update(health="残疾")
    load(tmp_path, {"残疾人": [row(head, 残疾类别="肢体", 残疾等级="四级")]})
    assert hits_all_engines(Y, [hh.pk]) == []


def test_school_agreement_is_no_clue(family, tmp_path):
    hh, head, spouse, son = family
    load(
        tmp_path,
        {
            "学籍": [
                row(son, 学段="初中", 学籍状态="在读"),  # 在读 and 初中
                row(head, 学段="初中", 学籍状态="辍学"),  # 辍学 and 非在校生
            ]
        },
    )
    assert hits_all_engines(Y, [hh.pk]) == []


def test_insurance_boundaries_of_both_directions(family, tmp_path):
    """是 with only a 未参保 row of Y hits; 否 with no row, or with a 未参保 row of Y, agrees; an empty
    参加基本医疗保险 is neither direction, whatever the rows say."""
    hh, head, spouse, son = family
    Member.objects.filter(pk=spouse.pk).update(medical_insurance=False)
    Member.objects.filter(pk=son.pk).update(medical_insurance=None)
    load(
        tmp_path,
        {
            "医保参保": [
                row(head, 参保年度="2024", 参保状态="未参保"),
                row(spouse, 参保年度="2024", 参保状态="未参保"),
                row(son, 参保年度="2024", 参保状态="参保"),
            ]
        },
    )
    hits = hits_all_engines(Y, [hh.pk])
    assert [(h.rule, h.member_id, h.match) for h in hits] == [("X-INSURANCE", head.pk, "证件号码")]
    assert hits[0].record["参保状态"] == "未参保"


def test_a_rating_dated_on_the_reference_date_is_the_latest(family, tmp_path):
    hh, head, spouse, son = family  # 住房安全等级 B
    load(
        tmp_path,
        {
            "危房鉴定": [
                {"证件号码": head.id_number, "鉴定等级": "B", "鉴定日期": "2020-01-01"},
                {"证件号码": son.id_number, "鉴定等级": "C", "鉴定日期": "2024-12-31"},
            ]
        },
    )
    hits = hits_all_engines(Y)
    assert [(h.rule, h.member_id) for h in hits] == [("X-HOUSING", son.pk)]
