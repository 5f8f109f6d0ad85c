"""Our own account pages: setting the password from an invitation; allauth's reset and
confirmation links, answered 404 for keys this portal does not know. Log in, sign up, log out,
password reset and e-mail change are django-allauth's (mounted beside this, at accounts/)."""

from django.urls import path, re_path

from accounts import views

app_name = "accounts"
urlpatterns = [
    re_path(
        r"^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$",
        views.password_reset_from_key,
        name="password_reset_from_key",
    ),
    re_path(r"^confirm-email/(?P<key>[-:\w]+)/$", views.confirm_email, name="confirm_email"),
    path("me/", views.account_overview, name="overview"),
    path("me/profile/", views.profile_edit, name="profile"),
    path("people/<int:pk>/", views.profile_page, name="person"),
    path("me/data/", views.data_download, name="data"),
    path("me/delete/", views.account_delete, name="delete"),
    path(
        "set-password/<uidb64>/<token>/",
        views.InvitationSetPasswordView.as_view(),
        name="set_password",
    ),
]
