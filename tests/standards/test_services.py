"""Standard versions (copy, edit, add a rule, publish) and keeping verdicts current."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from jingzhun.core.models import AuditEntry
from jingzhun.jobs.runner import reactions_run
from jingzhun.registry.models import Member
from jingzhun.registry.services.members import member_update
from jingzhun.standards import services
from jingzhun.standards.defaults import ensure_defaults
from jingzhun.standards.loading import standard_for_year
from jingzhun.standards.models import HouseholdVerdict, StandardSet
from tests.factories import member_row, register


def test_defaults_are_idempotent_and_label_assumptions(standard):
    assert ensure_defaults().pk == standard.pk
    assert StandardSet.objects.count() == 1
    lines = {x.year: (x.amount, x.is_assumption) for x in standard.lines.all()}
    assert lines[2016] == (Decimal("2952.00"), False) and lines[2018] == (Decimal("3535.00"), True)
    assert [r.code for r in standard.rules.filter(level="household")] == [
        "H-INCOME",
        "H-FOOD",
        "H-CLOTHING",
        "H-EDUCATION",
        "H-MEDICAL",
        "H-HOUSING",
        "H-WATER",
    ]
    assert standard.rules.get(code="V-INCIDENCE").is_assumption
    assert standard.reference_is_assumption


def test_published_standards_are_frozen(standard, admin_actor):
    with pytest.raises(services.StandardError, match="复制为新版本"):
        services.standard_update(actor=admin_actor, standard=standard, changes={"reference_day": 30})


def test_a_new_version_changes_parameters_and_takes_over_after_publishing(standard, admin_actor):
    draft = services.standard_copy(actor=admin_actor, source=standard)
    assert (draft.version, draft.status) == (2, "draft")
    assert standard_for_year(2018).pk == standard.pk  # a draft never applies
    services.standard_update(
        actor=admin_actor,
        standard=draft,
        changes={
            "lines": {2018: Decimal("3600")},
            "rule_params": {
                "H-EDUCATION": {
                    "conditions": [
                        {"field": "age", "op": "between", "value": [6, 16]},
                        {"field": "school_status", "op": "eq", "value": "非在校生"},
                        {
                            "field": "education",
                            "op": "in",
                            "value": ["", "学龄前儿童", "文盲或半文盲", "小学"],
                        },
                        {"field": "not_in_school_reason", "op": "ne", "value": "身体原因(送教上门)"},
                    ]
                }
            },
        },
    )
    assert (
        draft.lines.get(year=2018).amount == Decimal("3600") and not draft.lines.get(year=2018).is_assumption
    )
    assert draft.lines.get(year=2019).is_assumption  # untouched lines keep their label
    services.standard_publish(actor=admin_actor, standard=draft)
    assert standard_for_year(2018).pk == draft.pk
    assert standard.rules.get(code="H-EDUCATION").params["conditions"][0]["value"] == [6, 15]
    assert (
        AuditEntry.objects.filter(
            action__in=["standards.copy", "standards.update", "standards.publish"]
        ).count()
        == 3
    )


def test_it_refuses_invalid_parameters(standard, admin_actor):
    draft = services.standard_copy(actor=admin_actor, source=standard)
    with pytest.raises(services.StandardError, match="H-EDUCATION"):
        services.standard_update(
            actor=admin_actor,
            standard=draft,
            changes={
                "rule_params": {
                    "H-EDUCATION": {"conditions": [{"field": "age", "op": "between", "value": [15, 6]}]}
                }
            },
        )
    with pytest.raises(services.StandardError, match="未知字段"):
        services.rule_add(
            actor=admin_actor,
            standard=draft,
            level="household",
            code="H-X",
            name="x",
            operator="no_member_where",
            params={"conditions": [{"field": "__class__", "op": "eq"}]},
        )
    with pytest.raises(services.StandardError, match="规则代码"):
        services.rule_add(
            actor=admin_actor,
            standard=draft,
            level="household",
            code="V-X",
            name="x",
            operator="no_member_where",
            params={"conditions": [{"field": "health", "op": "eq", "value": "患有大病"}]},
        )


def test_a_vocabulary_rule_is_assessed_and_old_results_keep_their_version(standard, admin_actor):
    household = register(
        admin_actor,
        members=[
            member_row("赵一", "户主", date(1960, 1, 1)),
            member_row("赵二", "配偶", date(1962, 1, 1), health="患有大病"),
        ],
    )
    old_run = services.assess(year=2018)
    assert HouseholdVerdict.objects.get(household=household, standard=standard).passed
    draft = services.standard_copy(actor=admin_actor, source=standard, name="慈利县十不脱")
    services.rule_add(
        actor=admin_actor,
        standard=draft,
        level="household",
        code="h-illness",
        name="无未救治大病",
        operator="no_member_where",
        params={"conditions": [{"field": "health", "op": "eq", "value": "患有大病"}]},
    )
    services.standard_publish(actor=admin_actor, standard=draft)
    services.assess(year=2018)
    new = HouseholdVerdict.objects.get(household=household, standard=draft)
    assert (new.passed, new.failed) == (False, "H-ILLNESS")
    # the earlier result is still there, tied to the version that produced it
    assert HouseholdVerdict.objects.get(household=household, standard=standard).passed
    assert old_run.standard_id == standard.pk


def test_a_registry_edit_reassesses_the_household_by_its_reaction_job(standard, admin_actor):
    household = register(admin_actor)
    services.assess(year=2018)
    child = Member.objects.get(household=household, name="张小明")
    with reactions_run():
        member_update(actor=admin_actor, member=child, changes={"school_status": "非在校生"})
    verdict = HouseholdVerdict.objects.get(household=household, year=2018)
    assert (verdict.passed, verdict.failed) == (False, "H-EDUCATION")
    with reactions_run():
        member_update(actor=admin_actor, member=child, changes={"school_status": "初中"})
    assert HouseholdVerdict.objects.get(household=household, year=2018).passed


def test_households_leaving_the_register_lose_their_verdicts(standard, admin_actor):
    from jingzhun.registry.services.events import household_purge

    household = register(admin_actor)
    services.assess(year=2018)
    with reactions_run():
        household_purge(actor=admin_actor, household=household, reason="错评")
    assert not HouseholdVerdict.objects.filter(household=household).exists()


def test_assessment_without_a_standard_is_refused(db):
    with pytest.raises(services.StandardError, match="2018"):
        services.assess(year=2018)


def test_a_county_rerun_rewrites_verdicts_and_drops_households_that_left(standard, admin_actor):
    from jingzhun.registry.models import Household

    staying, leaving = register(admin_actor), register(admin_actor)
    first = services.assess(year=2018)
    assert first.households == 2
    Household.objects.filter(pk=leaving.pk).update(registry_status="已注销")  # no on-commit hook here
    Household.objects.filter(pk=staying.pk).update(water_safe=False)
    assert services.assess(year=2018).households == 1
    assert not HouseholdVerdict.objects.filter(household=leaving).exists()
    assert HouseholdVerdict.objects.get(household=staying).failed == "H-WATER"
