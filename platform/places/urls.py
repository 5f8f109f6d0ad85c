"""The map module's pages (behind feature_path("map", ...) in allmende.urls_portal)."""

from django.urls import path

from places import views

app_name = "places"
urlpatterns = [
    path("", views.map_page, name="map"),
    path("directory/", views.directory, name="directory"),
    path("data.geojson", views.geojson, name="geojson"),
]
