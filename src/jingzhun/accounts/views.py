"""Login, logout, changing one's own password, and the user's API tokens."""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.views.decorators.http import require_POST

from jingzhun.accounts import selectors, throttle
from jingzhun.accounts.models import ApiToken, User
from jingzhun.accounts.services import (
    TOKEN_DAYS_CHOICES,
    TOKEN_DAYS_DEFAULT,
    api_token_create,
    api_token_revoke,
)
from jingzhun.core import audit


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码错误。连续输错多次后，每次再试须等待的时间会逐渐加长。",
        "inactive": "该账号已停用。",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "用户名"
        self.fields["password"].label = "密码"
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control"


class LoginView(auth_views.LoginView):
    """Sign-in; after repeated failures from one address for one user name the next attempt must wait
    (accounts/throttle.py) — the password is not even checked then, and the refusal is audited."""

    template_name = "accounts/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        username = str(request.POST.get("username") or "")[:150]
        wait = throttle.wait_remaining(username, throttle.client_address(request))
        if wait:
            user = selectors.user_named(username)
            with transaction.atomic():
                audit.record(
                    actor=None,
                    action="user.login_failed",
                    object_type="user",
                    object_id=getattr(user, "pk", None) or "",
                    object_label=username,
                    after={"address": throttle.client_address(request)},
                    note=f"尝试过于频繁，须等待 {wait} 秒",
                )
            return render(request, "accounts/locked.html", {"wait": wait}, status=429)
        return super().post(request, *args, **kwargs)


class OwnPasswordForm(PasswordChangeForm):
    """Django's form (old password, new twice, the validators of settings.AUTH_PASSWORD_VALIDATORS
    against this user), labelled in Chinese and styled like the other forms."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        labels = {"old_password": "当前密码", "new_password1": "新密码", "new_password2": "再次输入新密码"}
        for name, field in self.fields.items():
            field.label = labels[name]
            field.widget.attrs["class"] = "form-control"
        self.fields[
            "new_password1"
        ].help_text = "至少8位，不能全是数字，不能与用户名或姓名相同或相近，不能是常见密码。"


class PasswordChangeView(auth_views.PasswordChangeView):
    """修改密码: the session stays signed in (Django updates its hash); the change is audited."""

    template_name = "accounts/password_change.html"
    form_class = OwnPasswordForm
    success_url = reverse_lazy("registry:household_list")

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            user = form.user
            audit.record(
                actor=user,
                action="user.change_password",
                object_type="user",
                object_id=user.pk,
                object_label=user.username,
            )
        messages.success(self.request, "密码已修改。")
        return response


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("accounts:login")


class TokenForm(forms.Form):
    name = forms.CharField(label="令牌名称", max_length=60)
    days = forms.TypedChoiceField(
        label="有效期",
        choices=[(d, f"{d} 天") for d in TOKEN_DAYS_CHOICES],
        coerce=int,
        initial=TOKEN_DAYS_DEFAULT,
    )


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    """The user's own tokens: create one (shown once, expiring), see when each was last used, revoke."""
    user = cast(User, request.user)
    new_key = None
    form = TokenForm(request.POST or None, initial={"days": TOKEN_DAYS_DEFAULT})
    if request.method == "POST" and form.is_valid():
        _, new_key = api_token_create(
            user=user, name=form.cleaned_data["name"], days=form.cleaned_data["days"]
        )
        messages.success(request, "已创建令牌。请立即复制保存，它只显示这一次。")
    now = timezone.now()
    return render(
        request,
        "accounts/tokens.html",
        {
            "form": form,
            "new_key": new_key,
            "tokens": [(t, t.is_live(now)) for t in selectors.live_tokens(user)],
            "days_choices": TOKEN_DAYS_CHOICES,
            "days_default": TOKEN_DAYS_DEFAULT,
        },
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """The owner revokes one of their tokens; another user's token is not found (404)."""
    token = get_object_or_404(ApiToken, pk=pk, user=cast(User, request.user))
    if api_token_revoke(token=token, actor=request.user, note="本人撤销"):
        messages.success(request, f"已撤销令牌“{token.name}”")
    return redirect("accounts:tokens")
