"""Member forms: add (自然增加 or correction), edit, remove (自然减少), change the head (变更户主)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from jingzhun.accounts.access import actor_for
from jingzhun.core.forms import Done, submit
from jingzhun.registry import enums, fields
from jingzhun.registry.forms import HeadChangeForm, MemberForm, MemberRemoveForm
from jingzhun.registry.selectors import household_get, member_get
from jingzhun.registry.services.members import head_change, member_add, member_remove, member_update
from jingzhun.registry.views.households import require_editor


@login_required
def member_create(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    require_editor(actor)
    household = household_get(actor, pk)
    form = MemberForm(request.POST or None)
    reason = request.POST.get("reason", "")

    def save(data: dict[str, Any]) -> Done:
        member_add(actor=actor, household=household, data=data, reason=reason)
        return Done(f"已添加成员 {data['name']}", "registry:household_detail", kwargs={"pk": household.pk})

    if (response := submit(request, form, save)) is not None:
        return response
    return render(
        request,
        "registry/member_form.html",
        {
            "form": form,
            "household": household,
            "creating": True,
            "reasons": enums.IncreaseReason.values,
            "reason": reason,
            "ethnic_groups": enums.ETHNIC_GROUPS,
        },
    )


def _initial(member) -> dict:
    initial = {}
    for spec in fields.MEMBER_FIELDS[1:]:
        value = getattr(member, spec.name)
        if isinstance(value, bool):
            value = "是" if value else "否"
        elif spec.name == "birth_date" and value:
            value = value.isoformat()
        initial[spec.name] = "" if value is None else value
    return initial


@login_required
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    require_editor(actor)
    member = member_get(actor, pk)
    household = member.household
    # as in household_edit: the page's version comes back with the save
    version: int | str | None = member.version
    if request.method == "POST":
        version = request.POST.get("version") or None
        form = MemberForm(request.POST)

        def save(data: dict[str, Any]) -> Done:
            original = _initial(member)
            changes = {k: v for k, v in data.items() if str(original.get(k, "")) != str(v)}
            member_update(actor=actor, member=member, changes=changes, version=version)
            message = f"已保存成员 {member.name}" if changes else "没有修改"
            return Done(message, "registry:household_detail", kwargs={"pk": household.pk})

        if (response := submit(request, form, save)) is not None:
            return response
    else:
        form = MemberForm(initial=_initial(member))
    return render(
        request,
        "registry/member_form.html",
        {
            "form": form,
            "household": household,
            "member": member,
            "creating": False,
            "ethnic_groups": enums.ETHNIC_GROUPS,
            "version": version,
        },
    )


@login_required
def member_delete(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    require_editor(actor)
    member = member_get(actor, pk)
    form = MemberRemoveForm(request.POST or None)

    def save(data: dict[str, Any]) -> Done:
        member_remove(
            actor=actor,
            member=member,
            reason=data["reason"],
            occurred_on=data["occurred_on"],
            note=data["note"],
        )
        return Done(
            f"成员 {member.name} 已减少（{data['reason']}）",
            "registry:household_detail",
            kwargs={"pk": member.household_id},
        )

    if (response := submit(request, form, save)) is not None:
        return response
    return render(
        request,
        "registry/member_remove.html",
        {"form": form, "member": member, "household": member.household},
    )


@login_required
def head_change_view(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_for(request.user)
    require_editor(actor)
    household = household_get(actor, pk)
    members = list(household.members.filter(is_active=True).order_by("id"))
    form = HeadChangeForm(request.POST or None, members=members)

    def save(data: dict[str, Any]) -> Done:
        new_head = next(m for m in members if str(m.pk) == data["new_head"])
        head_change(
            actor=actor,
            household=household,
            new_head=new_head,
            old_head_relation=data["old_head_relation"],
        )
        return Done(f"户主已变更为 {new_head.name}", "registry:household_detail", kwargs={"pk": household.pk})

    if (response := submit(request, form, save)) is not None:
        return response
    return render(
        request,
        "registry/simple_form.html",
        {
            "form": form,
            "household": household,
            "title": "变更户主",
            "intro": "新户主须是本户在册成员；原户主的与户主关系改为所选关系。",
        },
    )
