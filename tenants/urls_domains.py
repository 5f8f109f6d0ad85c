from django.urls import path

from tenants import views

app_name = "domains"
urlpatterns = [
    path("", views.domain_settings, name="settings"),
    path("<int:pk>/<slug:action>/", views.domain_action, name="action"),
]
