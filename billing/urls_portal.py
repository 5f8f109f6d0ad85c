"""The billing page in a portal's admin area (mounted with manage_path: admins only)."""

from django.urls import path

from billing import views

app_name = "billing_portal"
urlpatterns = [
    path("", views.billing_page, name="page"),
    path("pay/", views.billing_pay, name="pay"),
    path("setup/", views.billing_setup, name="setup"),
    path("confirm/<slug:action>/", views.billing_confirm, name="confirm"),
    path("<slug:action>/", views.billing_action, name="action"),
]
