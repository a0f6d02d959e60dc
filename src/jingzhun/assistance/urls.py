from django.urls import path

from jingzhun.assistance import views, views_structure

app_name = "assistance"
urlpatterns = [
    path("assistance/", views.home, name="home"),
    path("assistance/alerts/<slug:kind>/", views.alert_list, name="alert"),
    path("assistance/alerts/<slug:kind>/count/", views.alert_count, name="alert_count"),
    path("assistance/coverage/", views.coverage, name="coverage"),
    path("assistance/helpers/<int:pk>/", views.helper_detail, name="helper_detail"),
    path("assistance/checkin/", views.checkin, name="checkin"),
    path("assistance/attendance/", views.attendance, name="attendance"),
    path("assistance/villages/<str:code>/", views.village, name="village"),
    path("assistance/settings/", views.settings_edit, name="settings"),
    path("assistance/structure/", views_structure.structure, name="structure"),
    path("assistance/structure/units/new/", views_structure.unit_create, name="structure_unit_create"),
    path("assistance/structure/leaders/new/", views_structure.leader_link, name="structure_leader_link"),
    path("assistance/structure/unit-links/new/", views_structure.unit_link, name="structure_unit_link"),
    path("assistance/structure/teams/new/", views_structure.team_create, name="structure_team_create"),
    path(
        "assistance/structure/teams/<int:pk>/members/new/",
        views_structure.team_member_add,
        name="team_member_add",
    ),
    path(
        "assistance/structure/teams/<int:pk>/leader/", views_structure.team_leader_set, name="team_leader_set"
    ),
    path(
        "assistance/structure/members/<int:pk>/end/",
        views_structure.team_member_end,
        name="structure_member_end",
    ),
    path("assistance/structure/secretaries/new/", views_structure.secretary_set, name="structure_secretary"),
    path("households/<int:pk>/visits/new/", views.visit_create, name="visit_create"),
    path("households/<int:pk>/measures/new/", views.measure_create, name="measure_create"),
    path("households/<int:pk>/helper/", views.helper_assign, name="helper_assign"),
    path("visits/<int:pk>/", views.visit_detail, name="visit_detail"),
    path("visits/photos/<int:pk>/", views.photo, name="photo"),
    path("visits/photos/<int:pk>/thumb/", views.photo_thumb, name="photo_thumb"),
    path("measures/<int:pk>/edit/", views.measure_edit, name="measure_edit"),
]
