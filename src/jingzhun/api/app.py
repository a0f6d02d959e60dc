"""The NinjaAPI instance (the API kernel): token or session auth, one error envelope and its handlers,
stable operation ids, and the mounting of the routers the apps registered (`api.routers`)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.apps import apps
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.docs import Swagger
from ninja.operation import Operation
from ninja.security import HttpBearer, django_auth

from jingzhun.accounts.services import api_token_user
from jingzhun.api.errors import chinese_message
from jingzhun.api.routers import resolved
from jingzhun.core.errors import EditConflict, ValidationFailed
from jingzhun.core.exit_gate import ExitRefused


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_user(token)  # live tokens only; notes the last use
        if user is None:
            return None
        request.user = user
        return user


class VendoredSwagger(Swagger):
    """Swagger UI from `static/vendor/swagger-ui-*` (no CDN, which the CSP blocks) with our own init
    script, so /api/docs works under the same strict CSP as every page."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        self.settings["url"] = self.get_openapi_url(api, kwargs)
        context = {"swagger_settings": self.settings, "api": api, "add_csrf": True}
        return render(request, "api/docs.html", context)


ERROR_SCHEMA = {
    "title": "ErrorOut",
    "type": "object",
    "description": "错误信封：code 为机器可读的代码，message 为中文说明，fields 按字段给出中文错误",
    "properties": {
        "error": {
            "title": "ErrorBody",
            "type": "object",
            "properties": {
                "code": {"type": "string", "title": "Code"},
                "message": {"type": "string", "title": "Message"},
                "fields": {"type": "object", "title": "Fields", "additionalProperties": {"type": "string"}},
            },
            "required": ["code", "message", "fields"],
        }
    },
    "required": ["error"],
}
_ERRORS = {
    "401": "未登录或令牌无效",
    "404": "不存在，或不在您的管辖范围内（二者不作区分）",
    "409": "保存冲突：所依据的版本已被他人修改（ETag 头为当前版本）",
    "422": "输入有误，或业务规则不允许（fields 逐项说明）",
}


def operation_topic(module: str) -> str:
    """The topic an operation id names, from the view's module: `jingzhun.<app>.api` → `<app>`,
    `jingzhun.<app>.api_<topic>` → `<topic>` (`jingzhun.registry.api_lifecycle` → `lifecycle`)."""
    parts = module.split(".")
    if parts[-1] == "api" and len(parts) >= 3:
        return parts[-2]
    if parts[-1].startswith("api_"):
        return parts[-1].removeprefix("api_")
    raise ValueError(f"an API view lives in <app>/api.py or <app>/api_<topic>.py, not in {module}")


class JingzhunAPI(NinjaAPI):
    """Mounts the registered routers once, before it first answers for its URLs or its schema. Operation
    ids are `jingzhun_api_<topic>_<view>`, a published name (generated clients are named after it) that
    does not follow a module when it moves between packages. The OpenAPI document also declares the
    error answers every operation can give, in the envelope, so a client generated from it
    (tests/api/test_generated_client.py) parses a 404, 409 or 422 as well."""

    _mounted = False

    def mount_registered(self) -> None:
        """Add every router the apps registered (`api.routers.register_router`), in their order."""
        if self._mounted:
            return
        apps.check_apps_ready()  # every AppConfig.ready() has registered its routers
        self._mounted = True
        for prefix, router in resolved():
            self.add_router(prefix, router)

    @property
    def urls(self) -> tuple[list[Any], str, str]:
        self.mount_registered()
        return super().urls

    def get_openapi_operation_id(self, operation: Operation) -> str:
        view = operation.view_func
        return f"jingzhun_api_{operation_topic(view.__module__)}_{view.__name__}"

    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: Any = None) -> Any:
        self.mount_registered()
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema.setdefault("components", {}).setdefault("schemas", {})["ErrorOut"] = ERROR_SCHEMA
        ref = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}}
        for ops in schema.get("paths", {}).values():
            for method, op in ops.items():
                codes = ["401", "404", "422"] + (
                    ["409"] if method in ("patch", "put", "delete", "post") else []
                )
                for code in codes:
                    op.setdefault("responses", {}).setdefault(code, {"description": _ERRORS[code], **ref})
        return schema


api = JingzhunAPI(
    title="精准 jingzhun API",
    version="1",
    description="县级精准扶贫信息系统接口。所有接口按调用者的管辖范围过滤；越权与不存在一律返回 404。",
    auth=[BearerToken(), django_auth],
    docs=VendoredSwagger(),
    docs_url="/docs",
    openapi_url="/openapi.json",
    urls_namespace="api",
)


def envelope(code: str, message: str, fields: dict[str, str] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


@api.exception_handler(ValidationFailed)
def _validation_failed(request: HttpRequest, exc: ValidationFailed):
    return api.create_response(request, envelope("invalid", "输入有误", exc.errors), status=422)


@api.exception_handler(ExitRefused)
def _exit_refused(request: HttpRequest, exc: ExitRefused):
    """Each failing item of the exit check under its code, so a client can show (or act on) each one."""
    fields = {p.code: p.text for p in exc.decision.problems}
    return api.create_response(request, envelope("exit_refused", exc.errors["__all__"], fields), status=422)


@api.exception_handler(EditConflict)
def _edit_conflict(request: HttpRequest, exc: EditConflict):
    # the envelope keeps its three keys; the stored version is in `fields.version` and the ETag header
    fields = {**exc.errors, "version": f"当前版本为 {exc.current_version}，请重新读取后再修改"}
    response = api.create_response(request, envelope("conflict", exc.message, fields), status=409)
    response["ETag"] = f'"{exc.current_version}"'
    return response


@api.exception_handler(NinjaValidationError)
def _schema_invalid(request: HttpRequest, exc: NinjaValidationError):
    fields: dict[str, str] = {}
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("body", "query", "path", "payload", "filters")]
        fields.setdefault(".".join(loc) or "__all__", chinese_message(err))
    return api.create_response(request, envelope("invalid", "输入有误", fields), status=422)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404):
    return api.create_response(request, envelope("not_found", "未找到"), status=404)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError):
    return api.create_response(request, envelope("unauthorized", "未登录或令牌无效"), status=401)


_HTTP_MESSAGES = {"Cannot parse request body": "请求体不是有效的 JSON", "CSRF check Failed": "CSRF 校验失败"}


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError):
    message = _HTTP_MESSAGES.get(str(exc), str(exc))
    return api.create_response(request, envelope("error", message), status=exc.status_code)


def with_enveloped_405(urls: tuple[list[Any], str, str]) -> tuple[list[Any], str, str]:
    """django-ninja answers a method a path does not have with a plain-text 405 of its own, outside the
    exception handlers: wrap each API view so that answer, too, comes in the envelope (Allow kept)."""
    patterns, app_name, namespace = urls
    for pattern in patterns:
        pattern.callback = _envelope_405(pattern.callback)
    return patterns, app_name, namespace


def _envelope_405(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    @wraps(view)  # keeps csrf_exempt and the other attributes Django reads from the view
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        if not isinstance(response, HttpResponseNotAllowed):
            return response
        enveloped = JsonResponse(
            envelope(
                "method_not_allowed", f"该接口不支持 {request.method} 方法（支持：{response['Allow']}）"
            ),
            status=405,
            json_dumps_params={"ensure_ascii": False},
        )
        enveloped["Allow"] = response["Allow"]
        return enveloped

    return wrapped
