"""allauth's pages on the platform host, for platform staff: log in (with two-factor), log out,
password reset, two-factor set-up. There is no sign-up here: staff accounts are made by staff."""

from allauth.account import urls as account_urls
from django.urls import include, path

urlpatterns = [
    *(p for p in account_urls.urlpatterns if p.name != "account_signup"),
    path("2fa/", include("allauth.mfa.urls")),
]
