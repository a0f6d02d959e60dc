"""Household edits, incomes, lifecycle events (动态调整) and identification steps."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from jingzhun.core.errors import ValidationFailed
from jingzhun.core.models import AuditEntry
from jingzhun.registry.models import Household, HouseholdEvent, IdentificationRecord, IncomeRecord, Member
from jingzhun.registry.services.events import (
    household_cancel,
    household_merge,
    household_purge,
    household_split,
    identification_step_add,
    mark_exited,
    mark_returned,
)
from jingzhun.registry.services.households import household_update, income_record
from tests.factories import OTHER_VILLAGE, member_row, ready_to_exit, register, row_counts


def _refused(call, **kwargs) -> dict[str, str]:
    before = row_counts()
    with pytest.raises(ValidationFailed) as caught:
        call(**kwargs)
    assert row_counts() == before
    return caught.value.errors


def test_it_updates_household_fields_with_before_and_after(admin_actor, household):
    household_update(
        actor=admin_actor,
        household=household,
        changes={"phone": "13912345678", "housing_safety": "C", "bank_account": "6228 4801 2345 6789"},
    )
    household.refresh_from_db()
    assert (household.phone, household.housing_safety, household.bank_account) == (
        "13912345678",
        "C",
        "6228480123456789",
    )
    entry = AuditEntry.objects.get(action="household.update")
    assert dict((name, (old, new)) for name, old, new in entry.changed_fields()) == {
        "phone": ("", "13912345678"),
        "housing_safety": ("B", "C"),
        "bank_account": ("", "6228480123456789"),
    }


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"exit_status": "已脱贫"}, "exit_status", "该字段不能在此修改"),  # status changes are events
        ({"bank_account": "12ab"}, "bank_account", "12–30位数字"),
        ({"head_name": "王五"}, "head_name", "随户主成员变化"),
        ({"code": "NEW"}, "code", "该字段不能在此修改"),
        ({"member_count": 9}, "member_count", "该字段不能在此修改"),
        ({"attribute": "富裕户"}, "attribute", "不是有效的值"),
    ],
)
def test_it_refuses_bad_household_changes(admin_actor, household, changes, field, message):
    errors = _refused(household_update, actor=admin_actor, household=household, changes=changes)
    assert message in errors[field]


def test_it_refuses_to_move_a_household_outside_the_actors_scope(village_cadre, household):
    from jingzhun.accounts.access import actor_for

    errors = _refused(
        household_update,
        actor=actor_for(village_cadre),
        household=household,
        changes={"village_code": OTHER_VILLAGE},
    )
    assert "不在您的管辖范围内" in errors["village_code"]


def test_it_records_a_new_years_income(admin_actor, household):
    record = income_record(
        actor=admin_actor,
        household=household,
        year="2019",
        amounts={"wage": "12,000.50", "business": "1000", "transfer": "800"},
    )
    assert record.year == 2019
    assert record.property_income == Decimal("0.00")
    assert record.net_income == Decimal("13800.50")
    entry = AuditEntry.objects.get(action="income.record", object_id=str(record.pk), before__isnull=True)
    assert entry.after["wage"] == "12000.50"
    assert IncomeRecord.objects.filter(household=household).count() == 2


def test_it_corrects_an_existing_year_with_before_and_after(admin_actor, household):
    record = income_record(
        actor=admin_actor,
        household=household,
        year=2018,
        amounts={
            "wage": "9500",
            "business": "2000",
            "property_income": "0",
            "transfer": "1200",
            "business_expense": "500",
        },
    )
    assert IncomeRecord.objects.filter(household=household).count() == 1
    entry = AuditEntry.objects.filter(action="income.record", object_id=str(record.pk)).latest("id")
    assert entry.changed_fields() == [("wage", "9000.00", "9500.00")]


def test_it_refuses_bad_incomes(admin_actor, household):
    errors = _refused(
        income_record,
        actor=admin_actor,
        household=household,
        year="明年",
        amounts={"wage": "-3", "business": "abc"},
    )
    assert set(errors) == {"year", "wage", "business"}
    assert errors["wage"] == "金额不能为负数"


def test_it_marks_a_household_exited_then_returned(admin_actor, household):
    ready_to_exit(admin_actor, household)
    mark_exited(actor=admin_actor, household=household, exit_year="2018", occurred_on=date(2018, 12, 20))
    household.refresh_from_db()
    assert (household.exit_status, household.exit_year) == ("已脱贫", 2018)
    mark_returned(actor=admin_actor, household=household, reason="因病返贫", occurred_on=date(2019, 6, 1))
    household.refresh_from_db()
    assert household.exit_status == "返贫"
    kinds = list(
        HouseholdEvent.objects.filter(household=household).order_by("id").values_list("kind", flat=True)
    )
    assert kinds == ["新识别", "标注脱贫", "返贫"]
    audit = list(
        AuditEntry.objects.filter(household_id=household.pk, action__startswith="household.event")
        .order_by("id")
        .values_list("action", "before__exit_status", "after__exit_status")
    )
    assert audit == [
        ("household.event.marked_exited", "未脱贫", "已脱贫"),
        ("household.event.returned", "已脱贫", "返贫"),
    ]


def test_it_refuses_impossible_transitions(admin_actor, household):
    assert _refused(mark_returned, actor=admin_actor, household=household, reason="x") == {
        "__all__": "只有已脱贫户才能标注返贫"
    }
    assert (
        "早于识别年度"
        in _refused(mark_exited, actor=admin_actor, household=household, exit_year="2014")["exit_year"]
    )
    assert (
        _refused(mark_exited, actor=admin_actor, household=household, exit_year="")["exit_year"]
        == "年度不能为空"
    )
    ready_to_exit(admin_actor, household)
    mark_exited(actor=admin_actor, household=household, exit_year="2018")
    assert _refused(mark_exited, actor=admin_actor, household=household, exit_year="2019") == {
        "__all__": "该户已经是已脱贫状态"
    }
    assert _refused(mark_returned, actor=admin_actor, household=household, reason="  ") == {
        "reason": "请填写返贫原因"
    }


@pytest.mark.parametrize(
    "leave, status, kind", [(household_purge, "已清退", "清退"), (household_cancel, "已注销", "注销")]
)
def test_it_takes_a_household_off_the_register_and_frees_its_members(
    admin_actor, household, leave, status, kind
):
    leave(actor=admin_actor, household=household, reason="错评", occurred_on=date(2018, 11, 5))
    household.refresh_from_db()
    assert household.registry_status == status
    assert Member.objects.filter(household=household).count() == 3
    assert not Member.objects.filter(household=household, is_active=True).exists()
    assert set(Member.objects.filter(household=household).values_list("removed_reason", flat=True)) == {kind}
    assert HouseholdEvent.objects.get(household=household, kind=kind).occurred_on == date(2018, 11, 5)
    head = household.members.get(relation="户主")
    again = register(
        admin_actor, members=[member_row(head.name, "户主", head.birth_date, id_number=head.id_number)]
    )
    assert again.members.get().resident_id == head.resident_id
    errors = _refused(mark_exited, actor=admin_actor, household=household, exit_year="2018")
    assert errors == {"__all__": f"该户{status}，不能再办理动态调整"}


def test_it_needs_a_reason_to_purge(admin_actor, household):
    assert _refused(household_purge, actor=admin_actor, household=household, reason="") == {
        "reason": "请填写原因"
    }


def test_it_splits_a_household(admin_actor, household):
    son = household.members.get(relation="之子")
    new = household_split(
        actor=admin_actor,
        household=household,
        member_ids=[son.pk],
        new_code="SPLIT-1",
        new_head_id=son.pk,
        occurred_on=date(2018, 10, 1),
        reason="分家",
    )
    household.refresh_from_db()
    son.refresh_from_db()
    assert (new.code, new.head_name, new.head_id_number, new.member_count) == (
        "SPLIT-1",
        "张小明",
        son.id_number,
        1,
    )
    assert (new.village_id, new.attribute, new.identified_year) == (
        household.village_id,
        household.attribute,
        2015,
    )
    assert son.household == new and son.relation == "户主"
    assert household.member_count == 2
    assert household.head_name == "张三"
    assert HouseholdEvent.objects.get(household=new, kind="拆户").related_household == household
    assert HouseholdEvent.objects.get(household=household, kind="拆户").detail == {
        "to": "SPLIT-1",
        "members": [son.pk],
    }
    moved = AuditEntry.objects.get(action="member.move")
    assert (moved.before["household"], moved.after["household"]) == (household.code, "SPLIT-1")
    assert AuditEntry.objects.filter(action="household.register", household_id=new.pk).exists()


@pytest.mark.parametrize(
    "pick, code, message",
    [
        (lambda m: ([], None), "S2", "请选择本户的在册成员"),
        (lambda m: ([m["户主"].pk], m["户主"].pk), "S2", "原户主须留在原户"),
        (lambda m: ([m["户主"].pk, m["配偶"].pk, m["之子"].pk], m["之子"].pk), "S2", "至少保留一名成员"),
        (lambda m: ([m["之子"].pk], m["配偶"].pk), "S2", "新户户主须是拆出的成员之一"),
        (lambda m: ([m["之子"].pk], m["之子"].pk), "", "请填写新户编号"),
    ],
)
def test_it_refuses_a_bad_split(admin_actor, household, pick, code, message):
    by_relation = {m.relation: m for m in household.members.all()}
    member_ids, head_id = pick(by_relation)
    errors = _refused(
        household_split,
        actor=admin_actor,
        household=household,
        member_ids=member_ids,
        new_code=code,
        new_head_id=head_id,
    )
    assert message in " ".join(errors.values())


def test_it_refuses_a_split_into_an_existing_code(admin_actor, household, other_household):
    son = household.members.get(relation="之子")
    errors = _refused(
        household_split,
        actor=admin_actor,
        household=household,
        member_ids=[son.pk],
        new_code=other_household.code,
        new_head_id=son.pk,
    )
    assert errors == {"new_code": f"户编号 {other_household.code} 已存在"}


def test_it_refuses_a_split_of_a_member_of_another_household(admin_actor, household, other_household):
    stranger = other_household.members.get(relation="之子")
    errors = _refused(
        household_split,
        actor=admin_actor,
        household=household,
        member_ids=[stranger.pk],
        new_code="S3",
        new_head_id=stranger.pk,
    )
    assert errors == {"member_ids": "请选择本户的在册成员"}


def test_it_merges_a_household_into_another(admin_actor, household, other_household):
    household_merge(
        actor=admin_actor,
        household=household,
        other=other_household,
        head_relation="之兄弟姐妹",
        occurred_on=date(2018, 10, 2),
        reason="合户",
    )
    household.refresh_from_db()
    other_household.refresh_from_db()
    assert household.member_count == 6
    assert household.members.filter(is_active=True, relation="户主").count() == 1
    assert household.head_name == "张三"
    assert other_household.registry_status == "已注销"
    assert other_household.member_count == 0
    assert HouseholdEvent.objects.get(household=other_household, kind="并户").related_household == household
    assert HouseholdEvent.objects.get(household=household, kind="并户").detail == {
        "from": other_household.code
    }
    assert AuditEntry.objects.filter(action="member.move", household_id=household.pk).count() == 3


def test_it_refuses_a_merge_with_itself(admin_actor, household):
    assert _refused(household_merge, actor=admin_actor, household=household, other=household) == {
        "other": "不能与本户合并"
    }


def test_it_refuses_a_merge_without_a_relation_for_the_merged_head(admin_actor, household, other_household):
    errors = _refused(
        household_merge, actor=admin_actor, household=household, other=other_household, head_relation="户主"
    )
    assert "head_relation" in errors


def test_it_records_identification_steps_with_dates_and_actors(admin_actor, household):
    first = identification_step_add(
        actor=admin_actor, household=household, step="农户申请", occurred_on="2015/03/01", performed_by="张三"
    )
    identification_step_add(
        actor=admin_actor,
        household=household,
        step="村公示",
        occurred_on="20150320",
        performed_by="杜坪村委会",
        note="公示7天无异议",
    )
    steps = list(IdentificationRecord.objects.filter(household=household))
    assert [(s.step, s.occurred_on) for s in steps] == [
        ("农户申请", date(2015, 3, 1)),
        ("村公示", date(2015, 3, 20)),
    ]
    assert AuditEntry.objects.get(action="household.identification_step", object_id=str(first.pk)).after == {
        "step": "农户申请",
        "occurred_on": "2015-03-01",
        "ends_on": None,
        "performed_by": "张三",
        "note": "",
    }


def test_it_refuses_bad_identification_steps(admin_actor, household):
    tomorrow = date.today() + timedelta(days=1)
    errors = _refused(
        identification_step_add,
        actor=admin_actor,
        household=household,
        step="拍脑袋",
        occurred_on=tomorrow,
        performed_by=" ",
    )
    assert set(errors) == {"step", "occurred_on", "performed_by"}
    assert errors["occurred_on"] == "日期不能晚于今天"
    errors = _refused(
        identification_step_add,
        actor=admin_actor,
        household=household,
        step="公告",
        occurred_on="2015-02-30",
        performed_by="县扶贫办",
    )
    assert "不是有效的日期" in errors["occurred_on"]


def test_it_keeps_an_events_actor_and_date(village_cadre, household):
    from jingzhun.accounts.access import actor_for

    ready_to_exit(actor_for(village_cadre), household)
    mark_exited(
        actor=actor_for(village_cadre),
        household=household,
        exit_year=2018,
        occurred_on=date(2018, 12, 1),
        reason="一评议一公示一公告",
    )
    event = HouseholdEvent.objects.get(kind="标注脱贫")
    assert (event.actor, event.actor_name, event.occurred_on, event.detail) == (
        village_cadre,
        "village",
        date(2018, 12, 1),
        {"exit_year": 2018},
    )
    assert Household.objects.get(pk=household.pk).exit_year == 2018


def test_an_unknown_identification_year_does_not_crash_the_exit_check(admin_actor, household):
    """A national 2016–2019 list leaves 识别年度 unknown (docs/national-list.md): 标注脱贫 then goes on to
    the exit check and is refused for what it lacks, never with a TypeError (a 500 on the page)."""
    Household.objects.filter(pk=household.pk).update(identified_year=None)
    household.refresh_from_db()
    errors = _refused(mark_exited, actor=admin_actor, household=household, exit_year="2014")
    assert "早于识别年度" not in str(errors)
