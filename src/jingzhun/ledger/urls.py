from django.urls import path

from jingzhun.ledger import views, views_bulk, views_create, views_groups, views_import, views_kinds

app_name = "ledger"
urlpatterns = [
    path("ledger/", views.home, name="home"),
    path("ledger/inbox/", views.my_inbox, name="inbox"),
    path("ledger/import/", views_import.upload, name="import"),
    path("ledger/import/report/", views_import.report, name="import_report"),
    path("ledger/bulk/", views_bulk.bulk, name="bulk"),
    path("ledger/groups/", views_groups.group_list, name="groups"),
    path("ledger/summary/", views.summary, name="summary"),
    path("ledger/overdue/", views.overdue_board, name="overdue"),
    path("ledger/items/<int:pk>/", views.item_detail, name="detail"),
    path("ledger/items/<int:pk>/move/", views.item_move, name="move"),
    path("ledger/items/<int:pk>/transfer/", views.transfer, name="transfer"),
    path("ledger/attachments/<int:pk>/", views.attachment, name="attachment"),
    path("ledger/items/<int:pk>/recipients/", views_kinds.recipients, name="recipients"),
    path("ledger/recipients/<int:pk>/move/", views_kinds.recipient_move, name="recipient_move"),
    path("ledger/items/<int:pk>/indicator/", views_kinds.indicator_report, name="indicator_report"),
    path("ledger/items/<int:pk>/case/", views_kinds.case_figures, name="case_figures"),
    path("ledger/tasks/board/", views_kinds.task_board, name="task_board"),
    path("ledger/<slug:kind>/new/", views_create.item_new, name="new"),
    path("ledger/<slug:kind>/", views.item_list, name="list"),
]
