"""Error pages in Chinese, and shared view helpers."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        from django.http import JsonResponse

        return JsonResponse({"error": {"code": "not_found", "message": "未找到", "fields": {}}}, status=404)
    return render(
        request,
        "core/error.html",
        {"title": "未找到", "text": "页面不存在，或不在您的管辖范围内。"},
        status=404,
    )


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(
        request,
        "core/error.html",
        {"title": "无权访问", "text": "请求被拒绝（可能是页面已过期，请刷新后重试）。"},
        status=403,
    )


def server_error(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "core/error.html",
        {"title": "系统错误", "text": "服务器出错，已记录。请稍后重试或联系县扶贫办。"},
        status=500,
    )


def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness probe; also the trivial baseline view the benchmarks compare pages against."""
    return HttpResponse("ok", content_type="text/plain")


def audit_reader(actor: Any) -> bool:
    """Who sees the state of the whole trail: the audit permission over the whole county (the chain is one
    per database, so a township's cadre would see beyond their scope)."""
    from jingzhun.accounts.roles import Perm

    return actor.can(Perm.VIEW_AUDIT) and any(len(prefix) <= 6 for prefix in actor.prefixes)


@login_required
def audit_verification(request: HttpRequest) -> HttpResponse:
    """审计校验: the last nightly verification of the audit chain (core.jobs `audit_verify`)."""
    from jingzhun.accounts.access import actor_for
    from jingzhun.core.jobs import last_verification
    from jingzhun.core.models import AuditEntry

    if not audit_reader(actor_for(request.user)):
        raise Http404
    job = last_verification()
    return render(
        request,
        "core/audit_verify.html",
        {"job": job, "result": job.result if job else None, "entries": AuditEntry.objects.count()},
    )
