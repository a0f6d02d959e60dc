"""URL map: pages by app, the API under /api/v1/ (docs at /api/docs)."""

from __future__ import annotations

from django.urls import include, path

from jingzhun.core.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("", include("jingzhun.accounts.urls")),
    path("", include("jingzhun.region_pages.urls")),
    path("", include("jingzhun.registry.urls")),
    path("", include("jingzhun.jobs.urls")),
    path("", include("jingzhun.workbook.urls")),
    path("", include("jingzhun.standards.urls")),
    path("", include("jingzhun.assistance.urls")),
    path("", include("jingzhun.trail.urls")),
    path("", include("jingzhun.ledger.urls")),
    path("", include("jingzhun.verification.urls")),
    path("api/", include("jingzhun.api.urls")),
]

handler404 = "jingzhun.core.views.not_found"
handler403 = "jingzhun.core.views.forbidden"
handler500 = "jingzhun.core.views.server_error"
