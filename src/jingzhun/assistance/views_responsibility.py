"""The responsibility system (责任体系) for the county admin: units, leader links, unit–village links,
work teams (members, 队长) and first secretaries. Every write goes through the audited services;
who may not manage it gets the same 404 as a missing page."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from jingzhun.accounts.access import Actor, actor_for
from jingzhun.accounts.roles import Perm
from jingzhun.assistance import models as m
from jingzhun.assistance import selectors, services
from jingzhun.assistance.forms_structure import (
    LeaderLinkForm,
    MemberForm,
    SecretaryForm,
    TeamLeaderForm,
    UnitForm,
    UnitLinkForm,
    WorkTeamForm,
)
from jingzhun.core.errors import ValidationFailed
from jingzhun.core.forms import Done, submit
from jingzhun.regions.models import Region

LIST_LIMIT = 1000


def _actor(request: HttpRequest) -> Actor:
    """Managing the responsibility system is the county's job: edit and configure permissions, region scope."""
    actor = actor_for(request.user)
    actor.require(Perm.EDIT_ASSISTANCE)
    actor.require(Perm.CONFIGURE_ASSISTANCE)
    if actor.paired_only:
        raise Http404
    return actor


def _user(username: str, field: str = "username") -> Any:
    name = (username or "").strip()
    if not name:
        raise ValidationFailed({field: "请填写账号"})
    user = selectors.active_user(name)
    if user is None:
        raise ValidationFailed({field: f"没有这个账号：{name}"})
    return user


def _unit(name: str) -> m.HelpUnit | None:
    """The unit of that name; None when the (optional) field is empty."""
    name = (name or "").strip()
    if not name:
        return None
    unit = selectors.unit_named(name)
    if unit is None:
        raise ValidationFailed({"unit": f"没有这个帮扶单位：{name}（请先新增单位）"})
    return unit


def _required_unit(name: str) -> m.HelpUnit:
    unit = _unit(name)
    if unit is None:
        raise ValidationFailed({"unit": "请填写帮扶单位名称"})
    return unit


def _region_in_scope(actor: Actor, code: str, level: str, field: str) -> Region:
    code = (code or "").strip()
    label = "乡镇" if level == "township" else "村"
    if not code:
        raise ValidationFailed({field: f"请填写{label}的行政区划代码"})
    region = selectors.region_in_scope(actor, code, level)
    if region is None:
        raise ValidationFailed({field: f"您的管辖范围内没有这个{label}：{code}"})
    return region


def _started(value: Any) -> date | None:
    return services._date(value, "started_on", required=False)  # type: ignore[no-any-return]


def _team(actor: Actor, pk: int) -> m.WorkTeam:
    return selectors.team_get(actor, pk)


def _form_page(request: HttpRequest, form: forms.Form, title: str, intro: str = "") -> HttpResponse:
    return render(
        request,
        "assistance/structure_form.html",
        {"form": form, "title": title, "intro": intro},
    )


@login_required
def structure(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    context = {"title": "责任体系", **selectors.structure(actor, LIST_LIMIT)}
    return render(request, "assistance/structure.html", context)


@login_required
def unit_create(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    form = UnitForm(request.POST or None)

    def save(data: dict[str, Any]) -> Done:
        unit = services.unit_create(actor=actor, name=data["name"], affiliation=data["affiliation"])
        return Done(f"已新增帮扶单位 {unit}", "assistance:structure")

    if (response := submit(request, form, save)) is not None:
        return response
    return _form_page(request, form, "新增帮扶单位")


@login_required
def leader_link(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    form = LeaderLinkForm(request.POST or None)

    def save(data: dict[str, Any]) -> Done:
        leader = _user(data["username"])
        township = _region_in_scope(actor, data["township"], "township", "township")
        services.leader_link(
            actor=actor,
            leader=leader,
            township_code=township.code,
            started_on=_started(data["started_on"]),
        )
        return Done(f"{leader} 已联系 {township.name}", "assistance:structure")

    if (response := submit(request, form, save)) is not None:
        return response
    return _form_page(
        request,
        form,
        "县领导联点",
        "每个乡镇同时只有一名联点县领导：更换时原联点结束（结束日期 = 新联点的开始日期）。",
    )


@login_required
def unit_link(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    form = UnitLinkForm(request.POST or None)

    def save(data: dict[str, Any]) -> Done:
        unit = _required_unit(data["unit"])
        village = _region_in_scope(actor, data["village"], "village", "village")
        services.unit_village_link(
            actor=actor, unit=unit, village_code=village.code, started_on=_started(data["started_on"])
        )
        return Done(f"{unit} 已联系 {village.name}", "assistance:structure")

    if (response := submit(request, form, save)) is not None:
        return response
    return _form_page(request, form, "单位联村", "一个村可以有多个联系单位。")


@login_required
def team_create(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    form = WorkTeamForm(request.POST or None)

    def save(data: dict[str, Any]) -> Done:
        village = _region_in_scope(actor, data["village"], "village", "village")
        if not village.is_poor_village:
            raise ValidationFailed({"village": f"{village.name}不是贫困村，不派驻村工作队"})
        unit = _unit(data["unit"])
        team = services.work_team_create(
            actor=actor, village_code=village.code, unit=unit, started_on=_started(data["started_on"])
        )
        return Done(
            f"已派驻 {village.name} 驻村工作队，请添加队员和队长",
            "assistance:team_member_add",
            kwargs={"pk": team.pk},
        )

    if (response := submit(request, form, save)) is not None:
        return response
    return _form_page(request, form, "派驻驻村工作队", "每个贫困村同时只有一支在驻工作队。")


@login_required
def team_member_add(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    team = _team(actor, pk)
    form = MemberForm(request.POST or None)

    def save(data: dict[str, Any]) -> Done:
        cadre = _user(data["username"])
        services.team_member_add(
            actor=actor,
            team=team,
            cadre=cadre,
            is_leader=data["is_leader"],
            started_on=_started(data["started_on"]),
        )
        return Done(f"{cadre} 已加入 {team.village.name} 驻村工作队", "assistance:structure")

    if (response := submit(request, form, save)) is not None:
        return response
    return _form_page(request, form, f"添加队员：{team.village.name} 驻村工作队")


@login_required
def team_leader_set(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    team = _team(actor, pk)
    form = TeamLeaderForm(request.POST or None)

    def save(data: dict[str, Any]) -> Done:
        cadre = _user(data["username"])
        services.team_member_add(
            actor=actor, team=team, cadre=cadre, is_leader=True, started_on=_started(data["started_on"])
        )
        return Done(f"{cadre} 任 {team.village.name} 驻村工作队队长", "assistance:structure")

    if (response := submit(request, form, save)) is not None:
        return response
    return _form_page(
        request,
        form,
        f"设置队长：{team.village.name} 驻村工作队",
        "原队长的队长任期结束，本人留在队中任队员；历史不会被覆盖。",
    )


@login_required
@require_POST
def team_member_end(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    member = selectors.team_member_get(actor, pk)
    services.team_member_end(actor=actor, member=member)
    messages.success(request, f"{member.cadre} 已移出驻村工作队")
    return redirect("assistance:structure")


@login_required
def secretary_set(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    form = SecretaryForm(request.POST or None)

    def save(data: dict[str, Any]) -> Done:
        village = _region_in_scope(actor, data["village"], "village", "village")
        cadre = _user(data["username"])
        unit = _unit(data["unit"])
        services.first_secretary_appoint(
            actor=actor,
            village_code=village.code,
            cadre=cadre,
            unit=unit,
            started_on=_started(data["started_on"]),
        )
        return Done(f"{cadre} 任 {village.name} 第一书记", "assistance:structure")

    if (response := submit(request, form, save)) is not None:
        return response
    return _form_page(
        request, form, "设置第一书记", "更换第一书记时原任离任（离任日期 = 新任的任职日期），历史不会被覆盖。"
    )
