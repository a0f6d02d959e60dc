from django.urls import path

from jingzhun.workbook import national_views, views

app_name = "workbook"
urlpatterns = [
    path("registry/import/", views.upload, name="upload"),
    path("registry/import/national/<slug:token>/", national_views.national_mapping, name="national_mapping"),
    path("registry/import/<int:pk>/report.<str:kind>", views.error_report, name="report"),
    path("registry/template/", views.template_download, name="template"),
    path("registry/export/", views.export_download, name="export"),
    path("registry/export/<int:pk>/file.xlsx", views.export_file, name="export_file"),
    path("lists/<slug:name>.xlsx", views.list_xlsx, name="list_xlsx"),
]
