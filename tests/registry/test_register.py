"""household_register (新识别): one transaction writes the household, members, income, event and audit."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from jingzhun.accounts.access import actor_for
from jingzhun.core.errors import ValidationFailed
from jingzhun.core.models import AuditEntry
from jingzhun.lib import idcard
from jingzhun.registry.models import HouseholdEvent, IncomeRecord
from jingzhun.registry.services.households import household_register
from tests.factories import OTHER_VILLAGE, VILLAGE, household_row, member_row, register, row_counts


def _family(**head_overrides):
    return [
        member_row("王五", "户主", date(1965, 1, 20), **head_overrides),
        member_row("赵六", "配偶", date(1967, 8, 2), male=False),
    ]


def test_it_registers_a_household_with_members_income_event_and_audit(admin_actor):
    before = row_counts()
    household = register(admin_actor, phone="13812345678", other_causes="缺技术")

    assert household.village_id == VILLAGE
    assert household.head_name == "张三"
    assert household.head_initials == "zs"
    assert household.member_count == 3
    assert household.relocation == "否"
    assert household.other_causes_list == ["缺技术"]
    members = list(household.members.order_by("id"))
    assert [m.name for m in members] == ["张三", "李四", "张小明"]
    assert members[0].birth_date == date(1970, 5, 1)
    assert members[1].gender == "女"
    assert household.head_id_number == members[0].id_number
    assert all(m.is_active for m in members)
    income = IncomeRecord.objects.get(household=household)
    assert income.year == 2018
    assert income.net_income == Decimal("11700.00")
    event = HouseholdEvent.objects.get(household=household)
    assert event.kind == "新识别"
    assert event.actor == admin_actor.user
    actions = list(
        AuditEntry.objects.filter(household_id=household.pk).order_by("id").values_list("action", flat=True)
    )
    assert actions == ["household.register", "member.add", "member.add", "member.add", "income.record"]
    registered = AuditEntry.objects.get(household_id=household.pk, action="household.register")
    assert registered.before is None
    assert registered.after["head_name"] == "张三"
    assert registered.actor == admin_actor.user
    after = row_counts()
    assert after["Household"] == before["Household"] + 1
    assert after["Member"] == before["Member"] + 3
    assert after["AuditEntry"] == before["AuditEntry"] + 5


def test_it_fills_the_birth_date_from_the_id_when_not_given(admin_actor):
    head = member_row("王五", "户主", date(1965, 1, 20))
    assert "birth_date" not in head
    household = register(admin_actor, members=[head])
    member = household.members.get()
    assert member.birth_date == date(1965, 1, 20)
    assert member.resident_id == member.id_number


def test_it_stores_a_disability_certificate_number_and_its_resident_id(admin_actor):
    head = member_row("王五", "户主", date(1965, 1, 20))
    head["id_number"] = head["id_number"] + "42"
    household = register(admin_actor, members=[head])
    member = household.members.get()
    assert len(member.id_number) == 20
    assert member.resident_id == member.id_number[:18]
    assert household.head_id_number == member.id_number


def test_it_accepts_the_old_wubao_attribute_as_tekun(admin_actor):
    household = register(admin_actor, attribute="五保贫困户")
    assert household.attribute == "特困供养贫困户"


def test_it_registers_an_exited_household_with_its_exit_year(admin_actor):
    household = register(admin_actor, exit_status="1", exit_year="2017")
    assert household.exit_status == "已脱贫"
    assert household.exit_year == 2017


def test_it_flags_code_4_as_exited_no_longer_enjoying_policy(admin_actor):
    household = register(admin_actor, exit_status="4", exit_year="2017")
    assert household.exit_status == "已脱贫"
    assert household.no_longer_enjoying is True


def test_it_lets_a_village_cadre_register_in_their_own_village(village_cadre):
    household = register(actor_for(village_cadre))
    assert household.village_id == VILLAGE
    assert AuditEntry.objects.get(action="household.register").actor == village_cadre


def _refused(actor, *, household=None, members=None) -> dict[str, str]:
    before = row_counts()
    with pytest.raises(ValidationFailed) as caught:
        household_register(actor=actor, household=household or household_row(), members=members or _family())
    assert row_counts() == before, "a refused registration must write nothing"
    return caught.value.errors


def test_it_refuses_an_invalid_id_and_writes_nothing(admin_actor):
    members = _family()
    members[1]["id_number"] = members[1]["id_number"][:17] + (
        "0" if members[1]["id_number"][17] != "0" else "1"
    )
    errors = _refused(admin_actor, members=members)
    assert "校验码错误" in errors["members.1.id_number"]


def test_it_refuses_an_excel_mangled_id(admin_actor):
    members = _family()
    members[1]["id_number"] = "4.30821E+17"
    errors = _refused(admin_actor, members=members)
    assert "Excel" in errors["members.1.id_number"]


def test_it_refuses_an_impossible_birth_date_in_the_id(admin_actor):
    members = _family()
    first17 = "43082119990230004"
    members[1]["id_number"] = first17 + idcard.check_char(first17)
    errors = _refused(admin_actor, members=members)
    assert errors["members.1.id_number"] == "证件号码中的出生日期 19990230 不存在"


def test_it_refuses_a_gender_that_contradicts_the_id(admin_actor):
    members = _family()
    members[1]["gender"] = "男"
    errors = _refused(admin_actor, members=members)
    assert errors["members.1.gender"].startswith("性别“男”与证件号码不符")


def test_it_refuses_a_birth_date_that_contradicts_the_id(admin_actor):
    members = _family()
    members[0]["birth_date"] = "1965-01-21"
    errors = _refused(admin_actor, members=members)
    assert errors["members.0.birth_date"] == "出生日期 1965-01-21 与证件号码中的 1965-01-20 不一致"


def test_it_refuses_an_unknown_enum_value(admin_actor):
    errors = _refused(admin_actor, household=household_row(attribute="特困户", main_cause="因懒"))
    assert errors["attribute"].startswith("“特困户”不是有效的值")
    assert errors["main_cause"].startswith("“因懒”不是有效的值")


def test_it_refuses_an_unknown_member_enum_value(admin_actor):
    members = _family()
    members[1]["relation"] = "之妻"
    errors = _refused(admin_actor, members=members)
    assert errors["members.1.relation"].startswith("“之妻”不是有效的值")


def test_it_refuses_a_second_head(admin_actor):
    members = _family()
    members[1]["relation"] = "户主"
    errors = _refused(admin_actor, members=members)
    assert "每户只能有一名户主" in errors["relation"]


def test_it_refuses_a_household_without_a_head(admin_actor):
    members = _family()
    members[0]["relation"] = "之父"
    errors = _refused(admin_actor, members=members)
    assert errors == {"relation": "该户没有户主：每户必须有且只有一名与户主关系为“户主”的成员"}


def test_it_refuses_a_head_name_that_differs_from_the_head_member(admin_actor):
    errors = _refused(admin_actor, household=household_row(head_name="王六"))
    assert errors["head_name"] == "户主姓名“王六”与户主成员的姓名“王五”不一致"


def test_it_refuses_the_same_person_twice_in_one_household(admin_actor):
    members = _family()
    members.append(dict(members[1], relation="之女"))
    errors = _refused(admin_actor, members=members)
    assert errors["members.2.id_number"] == "证件号码与第2名成员重复"


def test_it_refuses_a_person_already_active_in_another_household(admin_actor, household):
    members = _family()
    taken = household.members.get(relation="配偶")
    members[1] = member_row("李四", "配偶", taken.birth_date, male=False, id_number=taken.id_number)
    errors = _refused(admin_actor, members=members)
    assert errors["members.1.id_number"] == f"此人已是 {household.code} 户的在册成员（{taken.name}）"


def test_it_refuses_a_person_whose_disability_number_wraps_an_active_members_id(admin_actor, household):
    taken = household.members.get(relation="配偶")
    members = _family()
    members[1] = member_row("李四", "配偶", taken.birth_date, male=False, id_number=taken.id_number + "11")
    errors = _refused(admin_actor, members=members)
    assert household.code in errors["members.1.id_number"]


def test_it_refuses_a_village_outside_the_actors_scope(village_cadre):
    errors = _refused(actor_for(village_cadre), household=household_row(village=OTHER_VILLAGE))
    assert errors["village_code"] == f"琵琶村委会（{OTHER_VILLAGE}）不在您的管辖范围内"


def test_it_refuses_a_code_that_is_not_a_village(admin_actor):
    errors = _refused(admin_actor, household=household_row(village="430821102000"))
    assert "不是已登记的村级区划" in errors["village_code"]


def test_it_refuses_an_exited_household_without_an_exit_year(admin_actor):
    errors = _refused(admin_actor, household=household_row(exit_status="已脱贫"))
    assert errors["exit_year"] == "脱贫状态为已脱贫时，脱贫年度必填"


def test_it_refuses_an_exit_year_before_identification(admin_actor):
    errors = _refused(admin_actor, household=household_row(exit_status="已脱贫", exit_year="2014"))
    assert errors["exit_year"] == "脱贫年度 2014 早于识别年度 2015"


def test_it_refuses_a_duplicate_household_code(admin_actor, household):
    errors = _refused(admin_actor, household=household_row(code=household.code))
    assert errors["code"] == f"户编号 {household.code} 已存在"


def test_it_refuses_a_main_cause_repeated_among_other_causes(admin_actor):
    errors = _refused(admin_actor, household=household_row(other_causes="因病、缺技术"))
    assert "不能与主要致贫原因" in errors["other_causes"]


def test_it_refuses_missing_required_fields_with_their_labels(admin_actor):
    row = household_row()
    row["wage"] = ""
    row["food_secure"] = ""
    errors = _refused(admin_actor, household=row)
    assert errors["wage"] == "工资性收入不能为空"
    assert errors["food_secure"] == "不愁吃不能为空"


def test_it_rolls_back_everything_when_a_later_write_fails(admin_actor, monkeypatch):
    """Audit rows land in the write's transaction: a failure after the inserts leaves no trace."""
    from jingzhun.core import audit

    calls = {"n": 0}
    real = audit.record

    def failing(**kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("disk full")
        return real(**kwargs)

    monkeypatch.setattr(audit, "record", failing)
    before = row_counts()
    with pytest.raises(RuntimeError):
        household_register(actor=admin_actor, household=household_row(), members=_family())
    assert row_counts() == before
