from django.urls import path

from jingzhun.jobs import views

app_name = "jobs"
urlpatterns = [
    path("jobs/<int:pk>/", views.job_detail, name="detail"),
    path("jobs/<int:pk>/progress/", views.job_progress, name="progress"),
    path("jobs/<int:pk>/retry/", views.job_retry, name="retry"),
]
