"""The clue workflow on the ledger engine: who may check, close and confirm; four eyes on and off; the
proposed follow-up applied exactly once through the registry's services, audited, refused without the
permission."""

from __future__ import annotations

import pytest
from django.http import Http404

from jingzhun.accounts.access import actor_for
from jingzhun.core.errors import ValidationFailed
from jingzhun.core.models import AuditEntry
from jingzhun.ledger import selectors as ledger_selectors
from jingzhun.ledger import services
from jingzhun.registry.models import HouseholdEvent, Member
from jingzhun.verification import selectors
from jingzhun.verification.clue_store import store_hits
from jingzhun.verification.followups import followup_apply
from jingzhun.verification.models import Clue
from tests.verification.conftest import death_hit, png_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def clue(admin, household, people):
    store_hits(hits=[death_hit(household, people["配偶"])], rules_run={"X-DEATH"}, year=2018, actor=admin)
    return Clue.objects.get()


def _refused(fn, match):
    with pytest.raises(ValidationFailed) as exc:
        fn()
    assert match in "；".join(exc.value.errors.values())


def test_the_village_cadre_checks_and_closes_with_a_note_and_a_photo(village, clue):
    services.item_move(actor=village, item=clue.item, action="start")
    _refused(lambda: services.item_move(actor=village, item=clue.item, action="close_true"), "须填写核查情况")
    services.item_move(
        actor=village,
        item=clue.item,
        action="close_true",
        note="入户核实，已于6月去世",
        attachments=[png_upload()],
    )
    clue.refresh_from_db()
    assert clue.item.status == "属实" and clue.conclusion == "属实" and clue.finding == "属实"
    assert clue.checker_name == "village" and clue.checked_on == clue.item.closed_on
    assert clue.followup["action"] == "member_remove" and clue.followup["reason"] == "死亡"
    assert clue.item.steps.get(action="close_true").attachments.count() == 1


def test_scope_a_helper_and_an_outsider_see_nothing(clue, helper_user, other_village_cadre, leader, township):
    for user in (helper_user, other_village_cadre):
        with pytest.raises(Http404):
            selectors.clue_get(actor_for(user), clue.item_id)
    assert selectors.clue_get(leader, clue.item_id) == clue
    assert selectors.clue_get(township, clue.item_id) == clue
    _refused(
        lambda: services.item_move(actor=actor_for(other_village_cadre), item=clue.item, action="start"),
        "不在您的管辖范围",
    )


def test_the_county_leader_may_not_check(leader, clue):
    _refused(lambda: services.item_move(actor=leader, item=clue.item, action="start"), "没有“开始核查”的权限")


def test_four_eyes_off_the_checker_closes_directly_and_cannot_submit_a_finding(village, clue):
    services.item_move(actor=village, item=clue.item, action="start")
    _refused(
        lambda: services.item_move(actor=village, item=clue.item, action="report_true", note="属实"),
        "直接选择",
    )
    services.item_move(actor=village, item=clue.item, action="close_false", note="本人健在，系同名")
    assert Clue.objects.get().item.status == "不属实"


def test_four_eyes_on_the_finding_is_confirmed_by_someone_else(four_eyes, village, township, clue):
    services.item_move(actor=village, item=clue.item, action="start")
    _refused(
        lambda: services.item_move(actor=village, item=clue.item, action="close_true", note="已去世"),
        "经他人确认",
    )
    _refused(
        lambda: services.item_move(actor=township, item=clue.item, action="confirm_true", note="确认"),
        "尚未提交",
    )
    services.item_move(actor=village, item=clue.item, action="report_true", note="已去世，见死亡证明")
    assert Clue.objects.get().item.status == "核查中" and Clue.objects.get().finding == "属实"
    # the checker may not confirm their own finding; a village cadre has no confirming permission at all
    _refused(
        lambda: services.item_move(actor=village, item=clue.item, action="confirm_true", note="确认"),
        "没有“确认属实”",
    )
    assert clue.item in ledger_selectors.inbox(township)
    services.item_move(actor=township, item=clue.item, action="confirm_true", note="经乡镇复核属实")
    clue = Clue.objects.get()
    assert clue.item.status == "属实" and clue.checker_name == "village" and clue.confirmer_name == "township"


def test_four_eyes_refuses_a_confirmer_who_handled_the_clue(four_eyes, township, clue):
    services.item_move(actor=township, item=clue.item, action="start")
    services.item_move(actor=township, item=clue.item, action="report_true", note="属实")
    _refused(
        lambda: services.item_move(actor=township, item=clue.item, action="confirm_true", note="确认"),
        "四眼原则",
    )


def test_open_clues_are_in_the_village_inbox_not_in_the_townships(village, township, clue):
    assert clue.item in ledger_selectors.inbox(village)
    assert ledger_selectors.inbox_count(village) == 1
    assert clue.item not in ledger_selectors.inbox(township)


def _confirmed(village, clue):
    services.item_move(actor=village, item=clue.item, action="start")
    services.item_move(actor=village, item=clue.item, action="close_true", note="已去世")
    return Clue.objects.get(pk=clue.pk)


def test_the_follow_up_removes_the_member_exactly_once_and_is_audited(village, admin, clue, people):
    clue = _confirmed(village, clue)
    spouse = people["配偶"]
    followup_apply(actor=admin, clue=clue)
    spouse.refresh_from_db()
    assert not spouse.is_active and spouse.removed_reason == "死亡" and str(spouse.removed_on) == "2018-06-02"
    clue.refresh_from_db()
    event = HouseholdEvent.objects.get(member=spouse)
    assert clue.applied_event == event and clue.applied_by is not None
    assert AuditEntry.objects.filter(action="clue.apply", object_id=str(clue.item_id)).count() == 1
    assert AuditEntry.objects.filter(action="member.remove", object_id=str(spouse.pk)).count() == 1
    _refused(lambda: followup_apply(actor=admin, clue=clue), "不能重复执行")
    assert HouseholdEvent.objects.filter(member=spouse).count() == 1
    assert clue.item.steps.filter(action="followup").count() == 1


def test_the_follow_up_is_refused_without_the_permission(village, leader, clue):
    clue = _confirmed(village, clue)
    for actor in (village, leader):
        _refused(lambda actor=actor: followup_apply(actor=actor, clue=clue), "没有执行后续处置的权限")
    assert Member.objects.get(pk=clue.member_id).is_active


def test_the_follow_up_waits_for_a_true_conclusion(admin, clue):
    _refused(lambda: followup_apply(actor=admin, clue=clue), "只有核查属实")


def test_a_field_correction_goes_through_member_update(admin, village, household, people):
    from jingzhun.rules.hits import Hit

    member = people["之子"]
    store_hits(
        hits=[
            Hit(
                rule="X-INSURANCE",
                household_id=household.pk,
                member_id=member.pk,
                explanation="医保无参保记录",
                dataset="医保参保",
            )
        ],
        rules_run={"X-INSURANCE"},
        year=2018,
        actor=admin,
    )
    clue = _confirmed(village, Clue.objects.get())
    assert clue.followup["field"] == "medical_insurance" and clue.followup["value"] == "否"
    followup_apply(actor=admin, clue=clue)
    member.refresh_from_db()
    assert member.medical_insurance is False
    assert AuditEntry.objects.filter(action="member.update", object_id=str(member.pk)).count() == 1


def test_a_field_correction_fixes_what_the_cleansing_rule_flagged(standard, rules, admin):
    """Each Q-* rule whose follow-up corrects a field: once the confirmed clue's correction is applied,
    the next run no longer finds the member — Q-PRESCHOOL-OLD flags 在校生状况 学前教育 or 文化程度
    学龄前儿童, so the correction is of the field it flagged (both when both)."""
    from datetime import date

    from jingzhun.verification.cleanse import run_cleanse
    from tests.verification import builders as b

    hh = b.household(attribute="低保贫困户")
    b.head(hh, dibao=False)
    both = b.member(hh, "七岁", "之子", date(2011, 6, 1), school_status="学前教育", education="学龄前儿童")
    edu = b.member(
        hh, "九岁", "之女", date(2009, 5, 5), male=False, school_status="小学", education="学龄前儿童"
    )
    b.member(hh, "五岁", "之孙子", date(2013, 12, 31), school_status="小学", education="学龄前儿童")
    b.member(
        hh,
        "十五",
        "之子",
        date(2003, 6, 1),
        labour_skill="普通劳动力",
        school_status="初中",
        education="小学",
    )
    fixed = {"Q-PRESCHOOL-OLD", "Q-INFANT-SCHOOL", "Q-CHILD-LABOUR", "Q-DIBAO-ATTR"}
    hits = [h for h in run_cleanse(2018) if h.rule in fixed]
    assert {h.rule for h in hits} == fixed and len(hits) == 5
    store_hits(hits=hits, rules_run=fixed, year=2018, actor=admin)
    for clue in Clue.objects.all():
        services.item_move(actor=admin, item=clue.item, action="start")
        services.item_move(actor=admin, item=clue.item, action="close_true", note="入户核实属实")
        followup_apply(actor=admin, clue=Clue.objects.get(pk=clue.pk))
    assert [h for h in run_cleanse(2018) if h.rule in fixed] == []
    both.refresh_from_db()
    edu.refresh_from_db()
    assert (both.school_status, both.education) == ("小学", "小学")
    assert (edu.school_status, edu.education) == ("小学", "小学")
    assert "已更正在校生状况为“小学”、文化程度为“小学”" in Clue.objects.get(member=both).applied_note
