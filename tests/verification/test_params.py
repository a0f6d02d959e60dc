"""Versioned rule parameters (核查规则参数): the shipped defaults installed at init, drafts edited with
validation, publication audited and in force for the next run, published versions frozen, and only the
county admin may change them."""

from __future__ import annotations

from datetime import date

import pytest
from django.http import Http404

from jingzhun.accounts.access import actor_for
from jingzhun.core.errors import ValidationFailed
from jingzhun.core.models import AuditEntry
from jingzhun.rules.checks import default_params
from jingzhun.verification import services
from jingzhun.verification.cleanse import run_cleanse
from jingzhun.verification.models import CheckRuleSet
from jingzhun.verification.params import current_params
from tests.verification import builders as b


def test_init_installs_the_shipped_defaults_once(db):
    from jingzhun.core.initializers import run_initializers

    assert run_initializers()["verification_rules"] == {"rulesets": 1}
    assert run_initializers()["verification_rules"] == {"rulesets": 0}
    only = CheckRuleSet.objects.get()
    assert only.version == 1 and only.is_published
    assert current_params() == default_params()
    assert current_params()["X-VEHICLE"]["exempt_vehicle_types"] == [
        "三轮汽车",
        "低速货车",
        "摩托车",
        "拖拉机",
        "农用车",
    ]


def test_a_published_version_changes_the_next_run(standard, rules, admin_actor):
    hh = b.household()
    b.head(hh)
    old = b.member(hh, "一百零二", "之父", date(1916, 6, 1))  # 102 at 2018-12-31
    assert [h.rule for h in run_cleanse(2018)] == []
    draft = services.ruleset_draft(actor=admin_actor, note="百岁以上即核查")
    services.ruleset_set_params(
        actor=admin_actor, ruleset=draft, code="Q-AGE-EXTREME", params={"max_age": "100"}
    )
    assert [h.rule for h in run_cleanse(2018)] == []  # a draft is not in force
    services.ruleset_publish(actor=admin_actor, ruleset=draft)
    hits = run_cleanse(2018)
    assert [(h.rule, h.member_id, h.explanation) for h in hits] == [
        ("Q-AGE-EXTREME", old.pk, "一百零二 年龄 102 岁，超过 100 岁")
    ]
    assert current_params()["Q-AGE-EXTREME"] == {"max_age": 100}
    actions = list(
        AuditEntry.objects.filter(object_type="check_ruleset").order_by("id").values_list("action", flat=True)
    )
    assert actions[-3:] == [
        "verification.ruleset_draft",
        "verification.ruleset_update",
        "verification.ruleset_publish",
    ]
    publish = AuditEntry.objects.filter(action="verification.ruleset_publish").order_by("id").last()
    assert publish.actor_id == admin_actor.user.pk


@pytest.mark.parametrize(
    ("code", "params", "message"),
    [
        ("Q-AGE-EXTREME", {"max_age": "abc"}, "应为整数"),
        ("Q-AGE-EXTREME", {"max_age": 151}, "应在 0–150 之间"),
        ("Q-AGE-EXTREME", {"max_age": 100.5}, "应为整数"),
        ("Q-AGE-EXTREME", {"max_age": 100, "min_age": 1}, "没有参数 min_age"),
        ("Q-AGE-EXTREME", {}, "缺少参数"),
        ("Q-WORK-NO-WAGE", {"min_months": 13}, "应在 1–12 之间"),
        ("Q-NOPE", {}, "没有规则 Q-NOPE"),
        ("X-VEHICLE", {"exempt_vehicle_types": [1, 2]}, "应为文字列表"),
    ],
)
def test_it_refuses_invalid_parameters(rules, admin_actor, code, params, message):
    draft = services.ruleset_draft(actor=admin_actor)
    with pytest.raises(ValidationFailed) as err:
        services.ruleset_set_params(actor=admin_actor, ruleset=draft, code=code, params=params)
    assert message in err.value.message
    draft.refresh_from_db()
    assert draft.params == default_params()


def test_lists_are_trimmed_and_deduplicated(rules, admin_actor):
    draft = services.ruleset_draft(actor=admin_actor)
    services.ruleset_set_params(
        actor=admin_actor,
        ruleset=draft,
        code="X-VEHICLE",
        params={"exempt_vehicle_types": " 摩托车，拖拉机、摩托车,, "},
    )
    draft.refresh_from_db()
    assert draft.params["X-VEHICLE"] == {"exempt_vehicle_types": ["摩托车", "拖拉机"]}


def test_a_published_version_is_frozen_and_one_draft_at_a_time(rules, admin_actor):
    with pytest.raises(ValidationFailed, match="已发布的参数版本不能修改"):
        services.ruleset_set_params(
            actor=admin_actor, ruleset=rules, code="Q-AGE-EXTREME", params={"max_age": 90}
        )
    draft = services.ruleset_draft(actor=admin_actor)
    assert draft.version == 2
    with pytest.raises(ValidationFailed, match="已有草稿（第2版）"):
        services.ruleset_draft(actor=admin_actor)
    services.ruleset_publish(actor=admin_actor, ruleset=draft)
    with pytest.raises(ValidationFailed, match="已发布的参数版本不能修改"):
        services.ruleset_publish(actor=admin_actor, ruleset=draft)


@pytest.mark.parametrize("persona", ["village_cadre", "township_cadre", "county_leader", "helper_user"])
def test_only_the_county_admin_changes_parameters(rules, persona, request):
    actor = actor_for(request.getfixturevalue(persona))
    with pytest.raises(Http404):
        services.ruleset_draft(actor=actor)
    assert CheckRuleSet.objects.count() == 1
