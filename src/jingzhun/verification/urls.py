from __future__ import annotations

from django.urls import path

from jingzhun.verification import views

app_name = "verification"
urlpatterns = [
    path("verification/datasets/", views.datasets, name="datasets"),
    path("verification/datasets/<str:name>/", views.dataset_detail, name="dataset"),
    path("verification/import/<int:pk>/report.<str:kind>", views.error_report, name="report"),
]
