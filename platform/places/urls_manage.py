"""The administrators' map settings (manage/map/, behind manage_path and the map module)."""

from django.urls import path

from places import views

app_name = "places_manage"
urlpatterns = [
    path("", views.manage, name="settings"),
]
