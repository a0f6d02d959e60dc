"""Writes of part A of data truth: versions of the rule parameters (核查规则参数). Keyword-only, atomic,
each with its audit row in the same transaction (core.audit.record)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from jingzhun.accounts.access import Actor
from jingzhun.accounts.roles import Perm
from jingzhun.core import audit
from jingzhun.core.errors import ValidationFailed
from jingzhun.rules.checks import ALL_CHECKS, CheckParamError, clean_rule_params, default_params
from jingzhun.verification.models import CheckRuleSet, ClueSettings, RuleSetStatus
from jingzhun.verification.params import current_ruleset, merged


def _fail(message: str) -> ValidationFailed:
    return ValidationFailed({"__all__": message})


def install_defaults(**_options: object) -> dict[str, int]:
    """`jingzhun init`: the shipped parameters as published version 1, once (idempotent)."""
    return {"rulesets": 1 if ensure_defaults()[1] else 0}


def ensure_defaults() -> tuple[CheckRuleSet, bool]:
    with transaction.atomic():
        existing = CheckRuleSet.objects.order_by("version").first()
        if existing is not None:
            return existing, False
        now = timezone.now()
        ruleset = CheckRuleSet.objects.create(
            version=1,
            status=RuleSetStatus.PUBLISHED,
            params=default_params(),
            note="系统默认参数（spec/verification.md 所列默认值）",
            published_at=now,
        )
        audit.record(
            actor=None,
            action="verification.ruleset_publish",
            object_type="check_ruleset",
            object_id=ruleset.pk,
            object_label=str(ruleset),
            after={"version": 1, "params": ruleset.params},
            note="系统默认",
        )
        return ruleset, True


def _require_draft(ruleset: CheckRuleSet) -> CheckRuleSet:
    locked = CheckRuleSet.objects.select_for_update().get(pk=ruleset.pk)
    if locked.status != RuleSetStatus.DRAFT:
        raise _fail("已发布的参数版本不能修改（核查结果要能重现）：请新建草稿版本后再修改")
    return locked


@transaction.atomic
def ruleset_draft(*, actor: Actor, note: str = "") -> CheckRuleSet:
    """A new draft version holding the parameters in force; one draft at a time."""
    actor.require(Perm.MANAGE_STANDARDS)
    draft = CheckRuleSet.objects.filter(status=RuleSetStatus.DRAFT).first()
    if draft is not None:
        raise _fail(f"已有草稿（第{draft.version}版），请先修改并发布它")
    source = current_ruleset()
    version = (CheckRuleSet.objects.aggregate(v=Max("version"))["v"] or 0) + 1
    ruleset = CheckRuleSet.objects.create(
        version=version,
        status=RuleSetStatus.DRAFT,
        params=merged(source.params if source else {}),
        note=note.strip()[:300],
        copied_from=source,
        created_by=actor.user,
    )
    audit.record(
        actor=actor.user,
        action="verification.ruleset_draft",
        object_type="check_ruleset",
        object_id=ruleset.pk,
        object_label=str(ruleset),
        after={"version": version, "params": ruleset.params},
        note=f"复制自 {source}" if source else "",
    )
    return ruleset


@transaction.atomic
def ruleset_set_params(
    *, actor: Actor, ruleset: CheckRuleSet, code: str, params: dict[str, Any]
) -> CheckRuleSet:
    """Change one rule's parameters in a draft (validated: integers in range, lists of names)."""
    actor.require(Perm.MANAGE_STANDARDS)
    ruleset = _require_draft(ruleset)
    try:
        cleaned = clean_rule_params(code, params)
    except CheckParamError as exc:
        raise _fail(str(exc)) from exc
    before = ruleset.params.get(code, ALL_CHECKS[code].defaults)
    if cleaned == before:
        return ruleset
    ruleset.params = {**ruleset.params, code: cleaned}
    ruleset.save(update_fields=["params"])
    audit.record(
        actor=actor.user,
        action="verification.ruleset_update",
        object_type="check_ruleset",
        object_id=ruleset.pk,
        object_label=f"{ruleset} {ALL_CHECKS[code].name}（{code}）",
        before={code: before},
        after={code: cleaned},
    )
    return ruleset


@transaction.atomic
def ruleset_set_many(
    *, actor: Actor, ruleset: CheckRuleSet, changes: dict[str, dict[str, Any]]
) -> CheckRuleSet:
    """Several rules' parameters at once (the draft page): all valid and saved, or none saved and every
    invalid value named in one message."""
    actor.require(Perm.MANAGE_STANDARDS)
    problems = []
    for code, params in changes.items():
        try:
            clean_rule_params(code, params)
        except CheckParamError as exc:
            problems.append(str(exc))
    if problems:
        raise _fail("；".join(problems))
    for code, params in changes.items():
        ruleset = ruleset_set_params(actor=actor, ruleset=ruleset, code=code, params=params)
    return ruleset


@transaction.atomic
def ruleset_publish(*, actor: Actor, ruleset: CheckRuleSet) -> CheckRuleSet:
    """Publish a draft: frozen from now on, and in force for every later run (cleansing, cross-checks)."""
    actor.require(Perm.MANAGE_STANDARDS)
    ruleset = _require_draft(ruleset)
    ruleset.status = RuleSetStatus.PUBLISHED
    ruleset.published_at = timezone.now()
    ruleset.published_by = actor.user
    ruleset.save(update_fields=["status", "published_at", "published_by"])
    audit.record(
        actor=actor.user,
        action="verification.ruleset_publish",
        object_type="check_ruleset",
        object_id=ruleset.pk,
        object_label=str(ruleset),
        after={"version": ruleset.version, "params": ruleset.params},
    )
    return ruleset


@transaction.atomic
def clue_settings_save(*, actor: Actor, four_eyes: bool) -> ClueSettings:
    """县级设置: whether a checker's finding must be confirmed by someone else (四眼原则)."""
    actor.require(Perm.CLUE_CONFIGURE)
    row, _ = ClueSettings.objects.select_for_update().get_or_create(pk=1)
    before = {"four_eyes": row.four_eyes}
    row.four_eyes, row.updated_by = four_eyes, actor.user
    row.save()
    audit.record(
        actor=actor.user,
        action="clue.settings",
        object_type="clue_settings",
        object_id=row.pk,
        object_label="线索核查设置",
        before=before,
        after={"four_eyes": four_eyes},
    )
    return row
