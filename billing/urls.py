"""Order flow and webhooks on the platform host."""

from django.urls import path

from billing import views, webhooks

app_name = "billing"
urlpatterns = [
    path("order/", views.order_form, name="order_form"),
    path("order/check/", views.subdomain_check, name="subdomain_check"),
    path("order/<uuid:token>/", views.order_page, name="order"),
    path("order/<uuid:token>/confirm/<str:signature>/", views.order_confirm, name="order_confirm"),
    path("order/<uuid:token>/resend/", views.order_resend, name="order_resend"),
    path("order/<uuid:token>/pay/", views.order_pay, name="order_pay"),
    path("order/<uuid:token>/setup/", views.order_setup, name="order_setup"),
    path("order/<uuid:token>/status/", views.order_status, name="order_status"),
    path("stripe/webhook/", webhooks.stripe_webhook, name="stripe_webhook"),
]
