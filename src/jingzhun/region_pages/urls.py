from django.urls import path

from jingzhun.region_pages import views

app_name = "regions"
urlpatterns = [
    path("", views.home, name="home"),
    path("regions/<str:code>/", views.region_detail, name="detail"),
    path("regions/<str:code>/edit/", views.village_edit, name="village_edit"),
    path("regions/<str:code>/villages.json", views.villages_json, name="villages_json"),
]
