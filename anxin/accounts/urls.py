from django.urls import path

from anxin.accounts import admin_views, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", views.password_change, name="password_change"),
    path("otp/setup/", views.otp_setup, name="otp_setup"),
    path("otp/verify/", views.otp_verify, name="otp_verify"),
    # account administration (bureau administrator; school leaders read their staff)
    path("users/", admin_views.UserListView.as_view(), name="user_list"),
    path("users/new/", admin_views.user_create, name="user_create"),
    path("users/<int:pk>/", admin_views.user_detail, name="user_detail"),
    path("users/<int:pk>/posts/", admin_views.membership_add, name="membership_add"),
    path("users/<int:pk>/reset-password/", admin_views.user_reset_password, name="user_reset_password"),
    path("users/<int:pk>/unlock/", admin_views.user_unlock, name="user_unlock"),
    path("users/<int:pk>/deactivate/", admin_views.user_deactivate, name="user_deactivate"),
    path("posts/<int:pk>/end/", admin_views.membership_end, name="membership_end"),
    # access outside one's scope (LAW 18)
    path("grants/", admin_views.grant_list, name="grant_list"),
    path("grants/new/", admin_views.grant_request, name="grant_request"),
    path("grants/<int:pk>/decide/", admin_views.grant_decide, name="grant_decide"),
    path("grants/<int:pk>/revoke/", admin_views.grant_revoke, name="grant_revoke"),
    # the user's own API token
    path("token/", admin_views.token, name="token"),
]
