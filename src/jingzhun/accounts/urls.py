from django.urls import path

from jingzhun.accounts import admin_views, otp_views, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("account/otp/enrol/", otp_views.enrol, name="otp_enrol"),
    path("account/otp/verify/", otp_views.verify, name="otp_verify"),
    path("account/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("account/tokens/", views.tokens, name="tokens"),
    path("account/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("account/users/", admin_views.user_list, name="user_list"),
    path("account/users/new/", admin_views.user_new, name="user_new"),
    path("account/users/<int:pk>/", admin_views.user_detail, name="user_detail"),
    path("account/users/<int:pk>/<str:action>/", admin_views.user_action, name="user_action"),
]
