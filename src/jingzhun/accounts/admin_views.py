"""User management for the county admin (Perm.MANAGE_USERS): users, roles per region, lockouts."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from jingzhun.accounts import selectors
from jingzhun.accounts.access import Actor, actor_for, region_in_scope, regions_in_scope
from jingzhun.accounts.models import User
from jingzhun.accounts.roles import Perm, RoleCode
from jingzhun.accounts.services import (
    api_tokens_revoke_all,
    otp_devices_reset,
    role_grant,
    role_revoke,
    user_create,
    user_reset_password,
    user_set_active,
)
from jingzhun.core.forms import Done, submit
from jingzhun.core.paging import make_pager
from jingzhun.regions.models import Region, code_range
from jingzhun.regions.picker import RegionPicker


def _admin(request: HttpRequest, perm: str | None = None) -> Actor:
    """An administrator of accounts: the system administrator (users) or the security administrator
    (grants) may see the user pages; `perm` is what this particular change needs (三员分立)."""
    actor = actor_for(request.user)
    if not (actor.can(Perm.MANAGE_USERS) or actor.can(Perm.MANAGE_GRANTS)):
        raise Http404
    if perm is not None:
        actor.require(perm)
    return actor


class GrantForm(forms.Form):
    # No default role: a new account used to default to 县扶贫办管理员 (all permissions) by accident.
    role = forms.ChoiceField(
        label="角色",
        choices=[("", "请选择角色"), *RoleCode.choices],
        error_messages={"required": "请选择角色"},
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    region = forms.ChoiceField(label="管辖区划", error_messages={"required": "请选择管辖区划"})

    def __init__(self, *args, actor: Actor, regions: list[Region] = (), **kwargs):  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["region"])
        field.choices = [(r.code, r.name) for r in regions]  # validation only; the picker renders
        field.widget = RegionPicker(actor, higher=True)


class UserForm(GrantForm):
    username = forms.CharField(
        label="用户名", max_length=60, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    display_name = forms.CharField(
        label="姓名", max_length=60, required=False, widget=forms.TextInput(attrs={"class": "form-control"})
    )

    field_order = ["username", "display_name", "role", "region"]


USER_PAGE_SIZE = 50


@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    actor = _admin(request)
    get = request.GET
    role = get.get("role", "") if get.get("role") in RoleCode.values else ""
    region = (get.get("region") or get.get("region_township") or "").strip()
    found = region_in_scope(actor, region)
    region = found.code if found is not None else ""
    q = get.get("q", "")[:40]
    users = selectors.users_search(
        actor, q=q, role=role, region_range=code_range(found.prefix) if found is not None else None
    )
    pager = make_pager(
        get.get("page"),
        total=users.count(),
        size=USER_PAGE_SIZE,
        params={"q": q, "role": role, "region": region},
    )
    rows = users.prefetch_related("grants__region").order_by("username")[
        pager.offset : pager.offset + USER_PAGE_SIZE
    ]
    return render(
        request,
        "accounts/user_list.html",
        {
            "users": rows,
            "pager": pager,
            "q": q,
            "role": role,
            "roles": RoleCode.choices,
            "region_picker": RegionPicker(actor, higher=True).render("region", region),
        },
    )


@login_required
def user_new(request: HttpRequest) -> HttpResponse:
    actor = _admin(request, Perm.MANAGE_USERS)
    form = UserForm(request.POST or None, actor=actor, regions=regions_in_scope(actor))
    grants = actor.can(Perm.MANAGE_GRANTS)
    if not grants:  # a system administrator creates the account; the security administrator grants roles
        del form.fields["role"], form.fields["region"]

    def save(data: dict[str, Any]) -> Done:
        from django.db import transaction

        with transaction.atomic():
            user, password = user_create(
                username=data["username"], display_name=data["display_name"], actor=request.user
            )
            if grants:
                role_grant(user=user, role=data["role"], region_code=data["region"], actor=request.user)
        message = f"已创建账号 {user.username}，初始密码：{password}（只显示这一次，请转交本人）"
        return Done(message, "accounts:user_detail", kwargs={"pk": user.pk})

    if (response := submit(request, form, save)) is not None:
        return response
    return render(request, "accounts/user_form.html", {"form": form})


def _user_in_scope(actor: Actor, pk: int) -> User:
    user = selectors.users_in_scope(actor).filter(pk=pk).first()
    if user is None:
        raise Http404
    return user


@login_required
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _admin(request)
    user = _user_in_scope(actor, pk)
    form = GrantForm(request.POST or None, actor=actor, regions=regions_in_scope(actor))
    if request.method == "POST":
        actor.require(Perm.MANAGE_GRANTS)

    def save(data: dict[str, Any]) -> Done:
        role_grant(
            user=user,
            role=data["role"],
            region_code=data["region"],
            actor=request.user,
        )
        return Done("已授权", "accounts:user_detail", kwargs={"pk": user.pk})

    if (response := submit(request, form, save)) is not None:
        return response
    return render(
        request,
        "accounts/user_detail.html",
        {
            "target": user,
            "grants": user.grants.select_related("region"),
            "form": form,
            "tokens": user.api_tokens.filter(revoked=False).order_by("-id"),
        },
    )


@login_required
@require_POST
def user_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    actor = _admin(request, Perm.MANAGE_GRANTS if action == "revoke" else Perm.MANAGE_USERS)
    user = _user_in_scope(actor, pk)
    if action == "deactivate":
        if user.pk == request.user.pk:
            messages.error(request, "不能停用自己的账号")
        else:
            user_set_active(user=user, active=False, actor=request.user)
            messages.success(request, f"已停用 {user.username}")
    elif action == "activate":
        user_set_active(user=user, active=True, actor=request.user)
        messages.success(request, f"已启用 {user.username}")
    elif action == "reset":
        password = user_reset_password(user=user, actor=request.user)
        messages.success(request, f"{user.username} 的新密码：{password}（只显示这一次），账号锁定已解除")
    elif action == "reset_otp":
        count = otp_devices_reset(user=user, actor=request.user)
        messages.success(
            request, f"已重置 {user.username} 的动态口令（{count} 个设备），其下次登录须重新绑定"
        )
    elif action == "revoke_tokens":
        count = api_tokens_revoke_all(user=user, actor=request.user, note="管理员撤销")
        messages.success(request, f"已撤销 {user.username} 的 {count} 个 API 令牌")
    elif action == "revoke":
        grant_id = request.POST.get("grant", "")
        grant = selectors.grant_of(user, grant_id)
        if grant is None or not actor.covers_code(grant.region_id):
            raise Http404
        role_revoke(grant=grant, actor=request.user)
        messages.success(request, "已撤销授权")
    else:
        raise Http404
    return redirect("accounts:user_detail", pk=user.pk)
