from django.urls import path

from jingzhun.standards import views, views_admin, views_gaps

app_name = "standards"
urlpatterns = [
    path("exit/", views.dashboard, name="dashboard"),
    path("exit/<str:code>/", views.dashboard, name="dashboard_region"),
    path("exit/<str:code>/data-gaps/", views_gaps.data_gaps_page, name="data_gaps"),
    path("exit/<str:code>/<str:table>.xlsx", views.dashboard_xlsx, name="dashboard_xlsx"),
    path("assessment/run/", views.run_assessment, name="run"),
    path("standards/", views_admin.standard_list, name="list"),
    path("standards/<int:pk>/", views_admin.standard_detail, name="detail"),
    path("standards/<int:pk>/copy/", views_admin.standard_copy_view, name="copy"),
    path("standards/<int:pk>/edit/", views_admin.standard_edit, name="edit"),
    path("standards/<int:pk>/rules/add/", views_admin.rule_add_view, name="rule_add"),
    path("standards/<int:pk>/rules/<str:code>/remove/", views_admin.rule_remove_view, name="rule_remove"),
    path("standards/<int:pk>/publish/", views_admin.standard_publish_view, name="publish"),
]
