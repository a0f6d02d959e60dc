from django.urls import path

from jingzhun.assistance import (
    views,
    views_attendance,
    views_measures,
    views_pairing,
    views_responsibility,
    views_visits,
)

app_name = "assistance"
urlpatterns = [
    path("assistance/", views.home, name="home"),
    path("assistance/alerts/<slug:kind>/", views.alert_list, name="alert"),
    path("assistance/alerts/<slug:kind>/count/", views.alert_count, name="alert_count"),
    path("assistance/coverage/", views.coverage, name="coverage"),
    path("assistance/helpers/<int:pk>/", views.helper_detail, name="helper_detail"),
    path("assistance/checkin/", views_attendance.checkin, name="checkin"),
    path("assistance/attendance/", views_attendance.attendance, name="attendance"),
    path("assistance/villages/<str:code>/", views.village, name="village"),
    path("assistance/settings/", views.settings_edit, name="settings"),
    path("assistance/structure/", views_responsibility.structure, name="structure"),
    path("assistance/structure/units/new/", views_responsibility.unit_create, name="structure_unit_create"),
    path("assistance/structure/leaders/new/", views_responsibility.leader_link, name="structure_leader_link"),
    path("assistance/structure/unit-links/new/", views_responsibility.unit_link, name="structure_unit_link"),
    path("assistance/structure/teams/new/", views_responsibility.team_create, name="structure_team_create"),
    path(
        "assistance/structure/teams/<int:pk>/members/new/",
        views_responsibility.team_member_add,
        name="team_member_add",
    ),
    path(
        "assistance/structure/teams/<int:pk>/leader/",
        views_responsibility.team_leader_set,
        name="team_leader_set",
    ),
    path(
        "assistance/structure/members/<int:pk>/end/",
        views_responsibility.team_member_end,
        name="structure_member_end",
    ),
    path(
        "assistance/structure/secretaries/new/",
        views_responsibility.secretary_set,
        name="structure_secretary",
    ),
    path("households/<int:pk>/visits/new/", views_visits.visit_create, name="visit_create"),
    path("households/<int:pk>/measures/new/", views_measures.measure_create, name="measure_create"),
    path("households/<int:pk>/helper/", views_pairing.helper_assign, name="helper_assign"),
    path("visits/<int:pk>/", views_visits.visit_detail, name="visit_detail"),
    path("visits/photos/<int:pk>/", views_visits.photo, name="photo"),
    path("visits/photos/<int:pk>/thumb/", views_visits.photo_thumb, name="photo_thumb"),
    path("measures/<int:pk>/edit/", views_measures.measure_edit, name="measure_edit"),
]
