"""The billing page in a portal's admin area."""

from django.urls import path

from billing import views

app_name = "billing_portal"
urlpatterns = [
    path("", views.billing_page, name="page"),
    path("pay/", views.billing_pay, name="pay"),
    path("setup/", views.billing_setup, name="setup"),
    path("<slug:action>/", views.billing_action, name="action"),
]
