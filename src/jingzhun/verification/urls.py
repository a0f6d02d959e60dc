from __future__ import annotations

from django.urls import URLPattern, path

from jingzhun.verification import views, views_clues, views_rules

app_name = "verification"
urlpatterns: list[URLPattern] = [
    path("verification/rules/", views_rules.rules_view, name="rules"),
    path("verification/rules/draft/", views_rules.draft_view, name="rules_draft"),
    path("verification/rules/draft/new/", views_rules.draft_new_view, name="rules_draft_new"),
    path("verification/rules/draft/publish/", views_rules.draft_publish_view, name="rules_draft_publish"),
    path("verification/datasets/", views.datasets, name="datasets"),
    path("verification/datasets/<str:name>/", views.dataset_detail, name="dataset"),
    path("verification/import/<int:pk>/report.<str:kind>", views.error_report, name="report"),
    path("verification/", views_clues.home, name="home"),
    path("verification/clues/", views_clues.clue_list, name="list"),
    path("verification/clues/<int:pk>/", views_clues.clue_detail, name="clue"),
    path("verification/clues/<int:pk>/move/", views_clues.clue_move, name="move"),
    path("verification/clues/<int:pk>/apply/", views_clues.clue_apply, name="apply"),
    path("verification/settings/", views_clues.settings_save, name="settings"),
]
