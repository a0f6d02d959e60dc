from django.urls import path

from jingzhun.ledger import views

app_name = "ledger"
urlpatterns = [
    path("ledger/", views.home, name="home"),
    path("ledger/inbox/", views.my_inbox, name="inbox"),
    path("ledger/summary/", views.summary, name="summary"),
    path("ledger/overdue/", views.overdue_board, name="overdue"),
    path("ledger/items/<int:pk>/", views.item_detail, name="detail"),
    path("ledger/items/<int:pk>/move/", views.item_move, name="move"),
    path("ledger/attachments/<int:pk>/", views.attachment, name="attachment"),
    path("ledger/<slug:kind>/", views.item_list, name="list"),
]
