"""Standards pages for the county admin (Perm.MANAGE_STANDARDS): list, detail, copy to a new version,
edit a draft's parameters, add a rule from the fixed vocabulary, publish. Everyone who may view the
registry may read the standards (so cadres can see what 达标 means)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.views.decorators.http import require_POST

from jingzhun.accounts.access import actor_for
from jingzhun.accounts.roles import Perm
from jingzhun.core.forms import Back, Done, submit
from jingzhun.rules.vocabulary import FIELDS_BY_OPERATOR, OPERATORS_BY_LEVEL, conditions_from
from jingzhun.standards import services
from jingzhun.standards.forms import RuleAddForm, StandardEditForm
from jingzhun.standards.selectors import ASSUMPTION_LABEL, standard_get, standards_list


def _describe(rule: Any) -> str:
    """A rule in words, e.g. 没有：年龄在6–15岁之间、在校生状况为非在校生…的成员."""
    op, params = rule.operator, rule.params
    fields = FIELDS_BY_OPERATOR.get(op)
    conds = (
        "、".join(c.describe(fields) for c in conditions_from(params.get("conditions", []))) if fields else ""
    )
    joiner = "任一满足：" if params.get("match") == "any" else ""
    if op == "income_above_line":
        return "人均纯收入高于当年扶贫标准（等于不达标）"
    if op in ("household_where", "village_where"):
        return joiner + conds
    if op == "no_member_where":
        return f"没有{conds}的成员"
    if op == "every_member_where":
        return f"每名成员{conds}"
    if op == "member_count_where":
        return f"{conds}的成员{'不少于' if params.get('cmp') == 'gte' else '不多于'} {params.get('n')} 人"
    if op in ("village_incidence_below", "county_incidence_below"):
        return f"低于 {params['threshold_pct']}%"
    if op == "county_village_exit_rate":
        return f"不低于 {params['threshold_pct']}%"
    if op == "county_sample_rate":
        return (
            f"{'不高于' if params.get('direction') == 'lte' else '不低于'} {params['threshold_pct']}%（抽样）"
        )
    return op


def _rules_by_level(standard: Any) -> list[tuple[str, list[dict[str, Any]]]]:
    out = []
    for level, label in (
        ("household", "户脱贫（一超过、两不愁、三保障）"),
        ("village", "贫困村出列"),
        ("county", "贫困县摘帽（三率一度）"),
    ):
        rows = [
            {
                "rule": r,
                "text": _describe(r),
                "operator": OPERATORS_BY_LEVEL[level].get(r.operator, r.operator),
            }
            for r in standard.rules.filter(level=level).order_by("position", "id")
        ]
        out.append((label, rows))
    return out


@login_required
def standard_list(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user)
    actor.require(Perm.VIEW_REGISTRY)
    return render(
        request,
        "standards/list.html",
        {
            "standards": standards_list(actor).prefetch_related("lines"),
            "can_manage": actor.can(Perm.MANAGE_STANDARDS),
        },
    )


@login_required
def standard_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    standard = standard_get(actor, pk)
    return render(
        request,
        "standards/detail.html",
        {
            "standard": standard,
            "lines": standard.lines.all(),
            "levels": _rules_by_level(standard),
            "can_manage": actor.can(Perm.MANAGE_STANDARDS),
            "assumption_label": ASSUMPTION_LABEL,
        },
    )


@login_required
@require_POST
def standard_copy_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    actor.require(Perm.MANAGE_STANDARDS)
    source = standard_get(actor, pk)

    def copy(post: QueryDict) -> Done:
        new = services.standard_copy(actor=actor, source=source, name=post.get("name", ""))
        return Done(
            f"已复制为新版本：{new}（草稿）。修改参数或添加规则后请发布。",
            "standards:detail",
            kwargs={"pk": new.pk},
        )

    return submit(request, None, copy, back=Back("standards:detail", kwargs={"pk": source.pk}))


@login_required
def standard_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    actor.require(Perm.MANAGE_STANDARDS)
    standard = standard_get(actor, pk)
    initial = {
        k: getattr(standard, k)
        for k in (
            "first_year",
            "last_year",
            "reference_month",
            "reference_day",
            "exit_notice_days",
            "description",
        )
    }
    form = StandardEditForm(request.POST or None, standard=standard, initial=initial)

    def save(_data: dict[str, Any]) -> Done:
        services.standard_update(actor=actor, standard=standard, changes=form.changes())
        return Done("参数已保存", "standards:detail", kwargs={"pk": standard.pk})

    if (response := submit(request, form, save)) is not None:
        return response
    return render(request, "standards/edit.html", {"standard": standard, "form": form})


@login_required
def rule_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    actor.require(Perm.MANAGE_STANDARDS)
    standard = standard_get(actor, pk)
    form = RuleAddForm(request.POST or None)

    def save(data: dict[str, Any]) -> Done:
        services.rule_add(
            actor=actor,
            standard=standard,
            level=data["level"],
            code=data["code"],
            name=data["name"],
            operator=data["operator"],
            params=form.params(),
            note=data.get("note") or "",
        )
        return Done(f"已添加规则 {data['code'].upper()}", "standards:detail", kwargs={"pk": standard.pk})

    if (response := submit(request, form, save)) is not None:
        return response
    return render(request, "standards/rule_add.html", {"standard": standard, "form": form})


@login_required
@require_POST
def rule_remove_view(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    actor = actor_for(request.user)
    actor.require(Perm.MANAGE_STANDARDS)
    standard = standard_get(actor, pk)
    detail = Back("standards:detail", kwargs={"pk": standard.pk})

    def remove(_post: QueryDict) -> Done:
        services.rule_remove(actor=actor, standard=standard, code=code)
        return Done(f"已删除规则 {code}", detail.to, kwargs=detail.kwargs)

    return submit(request, None, remove, back=detail)


@login_required
@require_POST
def standard_publish_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    actor.require(Perm.MANAGE_STANDARDS)
    standard = standard_get(actor, pk)
    detail = Back("standards:detail", kwargs={"pk": standard.pk})

    def publish(_post: QueryDict) -> Done:
        services.standard_publish(actor=actor, standard=standard)
        return Done(
            f"{standard} 已发布：此后评估{standard.first_year}–{standard.last_year}年使用此版本",
            detail.to,
            kwargs=detail.kwargs,
        )

    return submit(request, None, publish, back=detail)
