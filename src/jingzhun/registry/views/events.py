"""Incomes, lifecycle events (动态调整) and identification steps of a household."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from jingzhun.accounts.access import actor_for
from jingzhun.core.errors import ValidationFailed
from jingzhun.core.exit_gate import exit_gate
from jingzhun.core.forms import Done, ExitRefusal, submit
from jingzhun.lib.uploads import IMAGE_KINDS, sniff_file
from jingzhun.registry.forms import EventForm, IdentificationStepForm, IncomeForm
from jingzhun.registry.selectors import household_get, household_get_by_code
from jingzhun.registry.services import events as event_services
from jingzhun.registry.services.households import income_record
from jingzhun.registry.views.households import require_editor

EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
EVIDENCE_KINDS = IMAGE_KINDS | {"pdf"}


@login_required
def income_create(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    require_editor(actor)
    household = household_get(actor, pk)
    form = IncomeForm(request.POST or None)

    def save(data: dict[str, Any]) -> Done:
        income_record(actor=actor, household=household, year=data["year"], amounts=data)
        return Done(f"已登记 {data['year']} 年收入", "registry:household_detail", kwargs={"pk": household.pk})

    if (response := submit(request, form, save)) is not None:
        return response
    elif request.method != "POST":
        latest = household.incomes.order_by("-year").first()
        if latest is not None:
            form = IncomeForm(
                initial={
                    "year": latest.year,
                    "wage": latest.wage,
                    "business": latest.business,
                    "property_income": latest.property_income,
                    "transfer": latest.transfer,
                    "business_expense": latest.business_expense,
                }
            )
    return render(
        request,
        "registry/simple_form.html",
        {
            "form": form,
            "household": household,
            "title": "登记收入",
            "intro": "金额单位：元/年。同一年度再次登记会更正该年度的收入（修改前后的值都会记录）。",
        },
    )


def _apply_event(actor, household, data):
    kind = data["kind"]
    when = data["occurred_on"]
    reason = data["reason"]
    if kind == "标注脱贫":
        return event_services.mark_exited(
            actor=actor,
            household=household,
            exit_year=data["exit_year"],
            occurred_on=when,
            reason=reason,
            override=bool(data.get("override")),
            override_reason=data.get("override_reason") or "",
        )
    if kind == "返贫":
        return event_services.mark_returned(actor=actor, household=household, occurred_on=when, reason=reason)
    if kind == "清退":
        return event_services.household_purge(
            actor=actor, household=household, reason=reason, occurred_on=when
        )
    if kind == "注销":
        return event_services.household_cancel(
            actor=actor, household=household, reason=reason, occurred_on=when
        )
    if kind == "拆户":
        head = data["new_head_id"]
        return event_services.household_split(
            actor=actor,
            household=household,
            member_ids=[int(i) for i in data["member_ids"]],
            new_code=data["new_code"],
            new_head_id=int(head) if head else 0,
            occurred_on=when,
            reason=reason,
        )
    if kind == "并户":
        code = data["other_code"].strip()
        if not code:
            raise ValidationFailed({"other_code": "请填写被并入户的户编号"})
        try:
            other = household_get_by_code(actor, code)
        except Exception as exc:
            raise ValidationFailed({"other_code": f"户编号 {code} 不存在或不在您的管辖范围内"}) from exc
        return event_services.household_merge(
            actor=actor,
            household=household,
            other=other,
            occurred_on=when,
            reason=reason,
            head_relation=data["head_relation"],
        )
    raise ValidationFailed({"kind": "请选择事件"})


@login_required
def event_create(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    require_editor(actor)
    household = household_get(actor, pk)
    members = list(household.members.filter(is_active=True).order_by("id"))
    form = EventForm(request.POST or None, members=members, allow_override=exit_gate().override_allowed())
    refusal = ExitRefusal(form)

    def save(data: dict[str, Any]) -> Done:
        result = _apply_event(actor, household, data)
        target = result.pk if data["kind"] == "拆户" else household.pk
        return Done(f"已办理：{data['kind']}", "registry:household_detail", kwargs={"pk": target})

    if (response := submit(request, form, save, on_error=refusal)) is not None:
        return response
    return render(
        request,
        "registry/event_form.html",
        {"form": form, "household": household, "refused": refusal.decision},
    )


@login_required
def identification_step_create(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    require_editor(actor)
    household = household_get(actor, pk)
    form = IdentificationStepForm(request.POST or None, request.FILES or None)

    def save(data: dict[str, Any]) -> Done:
        evidence = data.get("evidence")
        if evidence and evidence.size > EVIDENCE_MAX_BYTES:
            raise ValidationFailed({"evidence": "佐证材料不能超过10MB"})
        if evidence and sniff_file(evidence) not in EVIDENCE_KINDS:
            raise ValidationFailed({"evidence": "佐证材料只能是图片（JPG、PNG、GIF、WebP）或 PDF 文件"})
        event_services.identification_step_add(
            actor=actor,
            household=household,
            step=data["step"],
            occurred_on=data["occurred_on"],
            performed_by=data["performed_by"],
            note=data["note"],
            evidence=evidence,
            ends_on=data["ends_on"],
        )
        return Done(f"已记录：{data['step']}", "registry:household_detail", kwargs={"pk": household.pk})

    if (response := submit(request, form, save)) is not None:
        return response
    return render(
        request,
        "registry/simple_form.html",
        {
            "form": form,
            "household": household,
            "title": "记录识别/退出程序",
            "multipart": True,
            "intro": "识别程序“两评议两公示一比对一公告”、退出程序“一评议一公示一公告”的每一步：日期、经办人和佐证材料。",
        },
    )
