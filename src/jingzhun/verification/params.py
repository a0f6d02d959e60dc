"""The parameters of the data-truth rules in force (核查规则参数): the newest published CheckRuleSet,
over the shipped defaults of `rules.checks` (a rule added to the catalogue later has its defaults until
a county publishes a version that sets it). Both the cleansing (Q-*) and the cross-check (X-*) rules read
their thresholds from here."""

from __future__ import annotations

import copy
from typing import Any

from jingzhun.rules.checks import default_params
from jingzhun.verification.models import CheckRuleSet, RuleSetStatus


def current_ruleset() -> CheckRuleSet | None:
    """The published version in force (the highest version number), or None before `jingzhun init`."""
    return CheckRuleSet.objects.filter(status=RuleSetStatus.PUBLISHED).order_by("-version").first()


def draft_ruleset() -> CheckRuleSet | None:
    """The version being edited (at most one draft at a time), or None."""
    return CheckRuleSet.objects.filter(status=RuleSetStatus.DRAFT).first()


def ruleset_versions(limit: int = 50) -> list[CheckRuleSet]:
    return list(CheckRuleSet.objects.select_related("created_by", "published_by")[:limit])


def merged(params: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    out = default_params()
    for code, values in params.items():
        if code in out:
            out[code].update(copy.deepcopy(values))
    return out


def current_params() -> dict[str, dict[str, Any]]:
    """{rule code: {parameter: value}} of the published version in force."""
    ruleset = current_ruleset()
    return merged(ruleset.params if ruleset else {})
