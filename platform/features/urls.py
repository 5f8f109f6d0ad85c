from django.urls import path

from features import views

app_name = "features"
urlpatterns = [path("", views.feature_settings, name="settings")]
