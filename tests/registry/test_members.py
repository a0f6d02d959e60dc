"""Members (成员): add (自然增加), update, remove (自然减少, never a delete) and 变更户主."""

from __future__ import annotations

from datetime import date

import pytest

from jingzhun.core.errors import ValidationFailed
from jingzhun.core.models import AuditEntry
from jingzhun.registry.models import HouseholdEvent, Member
from jingzhun.registry.services.events import household_cancel
from jingzhun.registry.services.members import head_change, member_add, member_remove, member_update
from tests.factories import member_row, row_counts


def _refused(call, **kwargs) -> dict[str, str]:
    before = row_counts()
    with pytest.raises(ValidationFailed) as caught:
        call(**kwargs)
    assert row_counts() == before
    return caught.value.errors


def test_it_adds_a_newborn_as_a_natural_increase(admin_actor, household):
    baby = member_row(
        "张小红", "之女", date(2018, 2, 1), male=False, school_status="学前教育", education="学龄前儿童"
    )
    member = member_add(
        actor=admin_actor, household=household, data=baby, reason="出生", occurred_on=date(2018, 2, 1)
    )
    household.refresh_from_db()
    assert household.member_count == 4
    assert member.birth_date == date(2018, 2, 1)
    event = HouseholdEvent.objects.get(household=household, kind="自然增加")
    assert (event.reason, event.member, event.occurred_on) == ("出生", member, date(2018, 2, 1))
    added = AuditEntry.objects.get(action="member.add", object_id=str(member.pk))
    assert added.note == "出生" and added.after["name"] == "张小红"
    count_change = AuditEntry.objects.filter(action="household.update", household_id=household.pk).latest(
        "id"
    )
    assert (count_change.before["member_count"], count_change.after["member_count"]) == (3, 4)


def test_it_adds_a_member_as_a_correction_without_an_event(admin_actor, household):
    member_add(actor=admin_actor, household=household, data=member_row("张老汉", "之父", date(1940, 1, 1)))
    assert not HouseholdEvent.objects.filter(household=household, kind="自然增加").exists()
    assert household.members.filter(is_active=True).count() == 4


def test_it_refuses_an_unknown_increase_reason(admin_actor, household):
    errors = _refused(
        member_add,
        actor=admin_actor,
        household=household,
        data=member_row("张老汉", "之父", date(1940, 1, 1)),
        reason="捡到",
    )
    assert errors["reason"] == "增加原因应为：出生、婚入、迁入"


def test_it_refuses_a_second_head_when_adding(admin_actor, household):
    errors = _refused(
        member_add,
        actor=admin_actor,
        household=household,
        data=member_row("张老汉", "户主", date(1940, 1, 1)),
    )
    assert errors["relation"] == "该户已有户主：每户只能有一名户主"


def test_it_refuses_to_add_a_person_active_in_another_household(admin_actor, household, other_household):
    taken = other_household.members.get(relation="户主")
    data = member_row(taken.name, "之兄弟姐妹", taken.birth_date, id_number=taken.id_number)
    errors = _refused(member_add, actor=admin_actor, household=household, data=data)
    assert errors["id_number"] == f"此人已是 {other_household.code} 户的在册成员（{taken.name}）"


def test_it_refuses_to_add_a_person_already_in_this_household(admin_actor, household):
    spouse = household.members.get(relation="配偶")
    data = member_row("李四", "其他", spouse.birth_date, male=False, id_number=spouse.id_number)
    errors = _refused(member_add, actor=admin_actor, household=household, data=data)
    assert errors["id_number"] == "此人已是本户的在册成员（李四）"


def test_it_refuses_a_member_with_a_contradicting_gender(admin_actor, household):
    data = member_row("张老汉", "之父", date(1940, 1, 1), gender="女")
    errors = _refused(member_add, actor=admin_actor, household=household, data=data)
    assert "与证件号码不符" in errors["gender"]


def test_it_updates_a_member_and_records_before_and_after(admin_actor, household):
    son = household.members.get(relation="之子")
    member_update(actor=admin_actor, member=son, changes={"health": "长期慢性病", "work_months": "3"})
    son.refresh_from_db()
    assert (son.health, son.work_months) == ("长期慢性病", 3)
    entry = AuditEntry.objects.get(action="member.update", object_id=str(son.pk))
    assert entry.changed_fields() == [("health", "健康", "长期慢性病"), ("work_months", None, 3)]
    assert entry.actor == admin_actor.user


def test_it_writes_no_audit_row_for_an_update_that_changes_nothing(admin_actor, household):
    son = household.members.get(relation="之子")
    before = row_counts()
    member_update(actor=admin_actor, member=son, changes={"health": "健康"})
    assert row_counts() == before


def test_it_renames_the_head_on_the_household_too(admin_actor, household):
    head = household.members.get(relation="户主")
    member_update(actor=admin_actor, member=head, changes={"name": "章三"})
    household.refresh_from_db()
    assert household.head_name == "章三"
    assert household.head_initials == "zs"
    assert AuditEntry.objects.filter(
        action="household.update", household_id=household.pk, after__head_name="章三"
    ).exists()


def test_it_takes_the_birth_date_from_a_corrected_id_number(admin_actor, household):
    son = household.members.get(relation="之子")
    new_id = member_row("x", "之子", date(2007, 3, 4))["id_number"]
    member_update(actor=admin_actor, member=son, changes={"id_number": new_id})
    son.refresh_from_db()
    assert son.birth_date == date(2007, 3, 4)
    assert son.resident_id == new_id


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"gender": "女"}, "gender", "与证件号码不符"),
        ({"birth_date": "2006-09-02"}, "birth_date", "不一致"),
        ({"relation": "户主"}, "relation", "该户已有户主"),
        ({"health": "很好"}, "health", "不是有效的值"),
        ({"is_active": False}, "is_active", "该字段不能在此修改"),
        ({"id_number": "123"}, "id_number", "应为18位"),
    ],
)
def test_it_refuses_a_bad_member_change(admin_actor, household, changes, field, message):
    son = household.members.get(relation="之子")
    errors = _refused(member_update, actor=admin_actor, member=son, changes=changes)
    assert message in errors[field]


def test_it_refuses_to_drop_the_head_relation_directly(admin_actor, household):
    head = household.members.get(relation="户主")
    errors = _refused(member_update, actor=admin_actor, member=head, changes={"relation": "之父"})
    assert "变更户主" in errors["relation"]


def test_it_refuses_to_change_an_id_to_a_person_active_elsewhere(admin_actor, household, other_household):
    son = household.members.get(relation="之子")
    taken = other_household.members.get(relation="户主")
    errors = _refused(
        member_update,
        actor=admin_actor,
        member=son,
        changes={"id_number": taken.id_number, "gender": taken.gender},
    )
    assert other_household.code in errors["id_number"]


def test_it_removes_a_member_keeping_the_row_inactive(admin_actor, household):
    son = household.members.get(relation="之子")
    member_remove(actor=admin_actor, member=son, reason="迁出", occurred_on=date(2018, 9, 1), note="入伍")
    son.refresh_from_db()
    household.refresh_from_db()
    assert Member.objects.filter(pk=son.pk).exists()
    assert (son.is_active, son.removed_reason, son.removed_on) == (False, "迁出", date(2018, 9, 1))
    assert household.member_count == 2
    event = HouseholdEvent.objects.get(household=household, kind="自然减少")
    assert (event.member, event.reason, event.detail) == (son, "迁出", {"note": "入伍"})
    removed = AuditEntry.objects.get(action="member.remove")
    assert (removed.before["is_active"], removed.after["is_active"]) == (True, False)


def test_it_lets_a_removed_person_join_another_household(admin_actor, household, other_household):
    son = household.members.get(relation="之子")
    member_remove(actor=admin_actor, member=son, reason="婚出")
    joined = member_add(
        actor=admin_actor,
        household=other_household,
        reason="婚入",
        data=member_row(son.name, "之女婿", son.birth_date, id_number=son.id_number),
    )
    assert joined.household == other_household
    assert Member.objects.filter(resident_id=son.resident_id).count() == 2
    assert Member.objects.filter(resident_id=son.resident_id, is_active=True).get() == joined


def test_it_refuses_to_remove_twice_or_edit_a_removed_member(admin_actor, household):
    son = household.members.get(relation="之子")
    member_remove(actor=admin_actor, member=son, reason="死亡")
    assert _refused(member_remove, actor=admin_actor, member=son, reason="死亡") == {
        "__all__": "该成员已经减少"
    }
    assert _refused(member_update, actor=admin_actor, member=son, changes={"health": "残疾"}) == {
        "__all__": "该成员已减少，不能修改"
    }


def test_it_refuses_an_unknown_decrease_reason(admin_actor, household):
    son = household.members.get(relation="之子")
    errors = _refused(member_remove, actor=admin_actor, member=son, reason="出走")
    assert errors["reason"] == "减少原因应为：死亡、婚出、迁出、判刑收监"


def test_it_refuses_to_remove_the_head_while_others_remain(admin_actor, household):
    head = household.members.get(relation="户主")
    errors = _refused(member_remove, actor=admin_actor, member=head, reason="死亡")
    assert "请先变更户主" in errors["__all__"]


def test_it_changes_the_head(admin_actor, household):
    spouse = household.members.get(relation="配偶")
    old_head = household.members.get(relation="户主")
    head_change(actor=admin_actor, household=household, new_head=spouse, old_head_relation="配偶")
    household.refresh_from_db()
    old_head.refresh_from_db()
    assert household.head_name == "李四"
    assert household.head_id_number == spouse.id_number
    assert household.head_initials == "ls"
    assert old_head.relation == "配偶"
    assert household.members.filter(is_active=True, relation="户主").get() == spouse
    change = AuditEntry.objects.get(action="household.head_change")
    assert (change.before["head_name"], change.after["head_name"]) == ("张三", "李四")


def test_it_lets_the_old_head_leave_after_a_head_change(admin_actor, household):
    spouse = household.members.get(relation="配偶")
    old_head = household.members.get(relation="户主")
    head_change(actor=admin_actor, household=household, new_head=spouse, old_head_relation="配偶")
    member_remove(actor=admin_actor, member=old_head, reason="死亡")
    household.refresh_from_db()
    assert household.member_count == 2
    assert household.head_name == "李四"


def test_it_refuses_a_head_change_without_a_relation_for_the_old_head(admin_actor, household):
    spouse = household.members.get(relation="配偶")
    errors = _refused(
        head_change, actor=admin_actor, household=household, new_head=spouse, old_head_relation="户主"
    )
    assert errors == {"old_head_relation": "请选择原户主与新户主的关系"}


def test_it_refuses_a_head_change_to_a_member_of_another_household(admin_actor, household, other_household):
    stranger = other_household.members.get(relation="户主")
    before = row_counts()
    with pytest.raises(Member.DoesNotExist):
        head_change(actor=admin_actor, household=household, new_head=stranger, old_head_relation="配偶")
    assert row_counts() == before


def test_it_refuses_to_add_members_to_a_cancelled_household(admin_actor, household):
    household_cancel(actor=admin_actor, household=household, reason="全户死亡")
    errors = _refused(
        member_add,
        actor=admin_actor,
        household=household,
        data=member_row("张老汉", "之父", date(1940, 1, 1)),
    )
    assert errors == {"__all__": "该户已清退或注销，不能添加成员"}


def test_it_refuses_a_not_in_school_reason_for_a_pupil(admin_actor, household):
    data = member_row(
        "张小华", "之女", date(2010, 1, 1), male=False, school_status="小学", not_in_school_reason="其他"
    )
    errors = _refused(member_add, actor=admin_actor, household=household, data=data)
    assert errors == {"not_in_school_reason": "只有非在校生才填写未上学原因"}
