"""Error pages in Chinese, and shared view helpers."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
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


def bad_request(request: HttpRequest, text: str) -> HttpResponse:
    """A clear 400 for a parameter the page cannot use (never a 500)."""
    return render(request, "core/error.html", {"title": "请求有误", "text": text}, status=400)


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
