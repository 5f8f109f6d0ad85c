"""A space's events, mounted at spaces/<slug>/events/ behind the `events` module."""

from django.urls import path

from events import feeds, views

app_name = "space_events"
urlpatterns = [
    path("", views.space_events, name="list"),
    path("ical/", feeds.space_ical, name="ical"),
    path("calendars/", views.subscription_add, name="subscription_add"),
    path("calendars/<int:pk>/read/", views.subscription_import, name="subscription_import"),
    path("calendars/<int:pk>/delete/", views.subscription_delete, name="subscription_delete"),
]
