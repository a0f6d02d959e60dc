"""Security headers (CSP) on every response; static assets are vendored, so 'self' suffices.

Every answer to a signed-in user (session or API token) carries `Cache-Control: no-store`: pages, exports
and API answers hold personal data, which must not stay in a browser's or a proxy's cache on a shared
township computer. Static files (served by whitenoise before this middleware) stay cacheable."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

CSP = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # every page, /api/docs included (its Swagger UI is vendored and started by a static script)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("Permissions-Policy", "geolocation=(), microphone=()")
        if _signed_in(request):
            response.headers["Cache-Control"] = "no-store"
            response.headers["Pragma"] = "no-cache"
        return response


def _signed_in(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return True
    # API calls authenticate per request with a bearer token (django-ninja sets request.auth)
    return getattr(request, "auth", None) is not None or "Authorization" in request.headers
