from django.urls import path

from jingzhun.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("account/tokens/", views.tokens, name="tokens"),
]
