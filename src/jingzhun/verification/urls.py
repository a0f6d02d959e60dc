from __future__ import annotations

from django.urls import path

from jingzhun.verification import views

app_name = "verification"
urlpatterns = [
    path("verification/", views.home, name="home"),
    path("verification/clues/", views.clue_list, name="list"),
    path("verification/clues/<int:pk>/", views.clue_detail, name="clue"),
    path("verification/clues/<int:pk>/move/", views.clue_move, name="move"),
    path("verification/clues/<int:pk>/apply/", views.clue_apply, name="apply"),
    path("verification/settings/", views.settings_save, name="settings"),
]
