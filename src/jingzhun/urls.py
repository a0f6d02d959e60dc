"""URL map: pages by app, the API under /api/v1/ (docs at /api/docs)."""

from __future__ import annotations

from importlib import import_module

from django.urls import include, path

from jingzhun.core.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("", include("jingzhun.accounts.urls")),
    path("", include("jingzhun.regions.urls")),
    path("", include("jingzhun.registry.urls")),
    path("", include("jingzhun.jobs.urls")),
    path("api/", include("jingzhun.api.urls")),
]

# Apps built in parallel add their pages once they exist.
for _module in ("jingzhun.workbook.urls", "jingzhun.standards.urls", "jingzhun.assistance.urls"):
    try:
        import_module(_module)
    except ModuleNotFoundError as exc:
        if exc.name != _module:
            raise
        continue
    urlpatterns.append(path("", include(_module)))

handler404 = "jingzhun.core.views.not_found"
handler403 = "jingzhun.core.views.forbidden"
handler500 = "jingzhun.core.views.server_error"
