from django.urls import path

from jingzhun.registry.views import events, households, lists, members

app_name = "registry"
urlpatterns = [
    path("households/", lists.household_list, name="household_list"),
    path("households/new/", households.household_create, name="household_create"),
    path("households/<int:pk>/", households.household_detail, name="household_detail"),
    path("households/<int:pk>/edit/", households.household_edit, name="household_edit"),
    path("households/<int:pk>/members/new/", members.member_create, name="member_create"),
    path("households/<int:pk>/head/", members.head_change_view, name="head_change"),
    path("households/<int:pk>/incomes/new/", events.income_create, name="income_create"),
    path("households/<int:pk>/events/new/", events.event_create, name="event_create"),
    path("households/<int:pk>/steps/new/", events.identification_step_create, name="step_create"),
    path("members/<int:pk>/edit/", members.member_edit, name="member_edit"),
    path("members/<int:pk>/remove/", members.member_delete, name="member_remove"),
]
