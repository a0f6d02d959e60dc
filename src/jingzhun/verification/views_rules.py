"""The rule-parameter pages (核查规则参数): everyone who may view the registry reads the parameters in
force (so cadres know what a clue means); the county admin (Perm.MANAGE_STANDARDS) opens a draft version,
edits its parameters and publishes it. Rule names first, codes as secondary text."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jingzhun.accounts.access import actor_for
from jingzhun.accounts.roles import Perm
from jingzhun.core.errors import ValidationFailed
from jingzhun.core.forms import Back, Done, submit
from jingzhun.rules.checks import CLEANSING, CROSSCHECK, PARAMETERS, CheckRule
from jingzhun.rules.cleansing import describe
from jingzhun.verification import services
from jingzhun.verification.params import current_ruleset, draft_ruleset, merged, ruleset_versions

GROUPS = (("数据清洗（登记簿内部比对）", CLEANSING), ("部门数据比对", CROSSCHECK))


def _shown(value: Any) -> str:
    return "、".join(value) if isinstance(value, list) else str(value)


def _rows(
    params: dict[str, dict[str, Any]], form: dict[str, str] | None = None
) -> list[tuple[str, list[dict]]]:
    out = []
    for label, rules in GROUPS:
        rows = []
        for rule in rules:
            values = params.get(rule.code, {})
            fields = [
                {
                    "name": f"{rule.code}:{name}",
                    "label": PARAMETERS[name].label,
                    "kind": PARAMETERS[name].kind,
                    "low": PARAMETERS[name].low,
                    "high": PARAMETERS[name].high,
                    "value": form.get(f"{rule.code}:{name}", _shown(values.get(name)))
                    if form is not None
                    else _shown(values.get(name)),
                }
                for name in rule.defaults
            ]
            rows.append({"rule": rule, "text": describe(rule.code, values), "fields": fields})
        out.append((label, rows))
    return out


@login_required
@require_GET
def rules_view(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    actor.require(Perm.VIEW_REGISTRY)
    ruleset = current_ruleset()
    return render(
        request,
        "verification/rules.html",
        {
            "ruleset": ruleset,
            "groups": _rows(merged(ruleset.params if ruleset else {})),
            "versions": ruleset_versions(),
            "draft": draft_ruleset(),
            "can_manage": actor.can(Perm.MANAGE_STANDARDS),
        },
    )


def _changes(rule: CheckRule, post: Any) -> dict[str, Any]:
    return {name: post.get(f"{rule.code}:{name}", "") for name in rule.defaults}


@login_required
@require_http_methods(["GET", "POST"])
def draft_view(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    actor.require(Perm.MANAGE_STANDARDS)
    draft = draft_ruleset()
    errors: list[str] = []
    if request.method == "POST":
        if draft is None:
            messages.error(request, "没有草稿版本，请先新建草稿")
            return redirect("verification:rules")
        target = draft

        def save(post: QueryDict) -> Done:
            changes = {
                rule.code: _changes(rule, post) for _, rules in GROUPS for rule in rules if rule.defaults
            }
            saved = services.ruleset_set_many(actor=actor, ruleset=target, changes=changes)
            return Done(f"{saved} 的参数已保存（尚未发布）", "verification:rules_draft")

        def keep(exc: ValidationFailed) -> None:
            errors.extend(exc.message.split("；"))

        if (response := submit(request, None, save, on_error=keep)) is not None:
            return response
    params = merged(draft.params) if draft else {}
    return render(
        request,
        "verification/rules_draft.html",
        {
            "draft": draft,
            "groups": _rows(params, request.POST if errors else None) if draft else [],
            "errors": errors,
        },
    )


@login_required
@require_POST
def draft_new_view(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    actor.require(Perm.MANAGE_STANDARDS)

    def new(post: QueryDict) -> Done:
        draft = services.ruleset_draft(actor=actor, note=post.get("note", ""))
        return Done(f"已新建{draft}（草稿），修改参数后请发布", "verification:rules_draft")

    return submit(request, None, new, back=Back("verification:rules"))


@login_required
@require_POST
def draft_publish_view(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    actor.require(Perm.MANAGE_STANDARDS)
    draft = draft_ruleset()
    if draft is None:
        messages.error(request, "没有待发布的草稿版本")
        return redirect("verification:rules")
    services.ruleset_publish(actor=actor, ruleset=draft)
    messages.success(request, f"{draft} 已发布：此后的数据清洗与部门比对使用此版本参数")
    return redirect("verification:rules")
