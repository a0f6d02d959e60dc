from django.urls import path

from jingzhun.core import views

app_name = "core"
urlpatterns = [
    path("audit/verify/", views.audit_verification, name="audit_verify"),
]
