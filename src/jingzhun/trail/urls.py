from django.urls import path

from jingzhun.trail import views

app_name = "trail"
urlpatterns = [
    path("audit/verify/", views.audit_verification, name="audit_verify"),
]
