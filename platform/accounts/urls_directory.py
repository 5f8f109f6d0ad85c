from django.urls import path

from accounts import views

app_name = "directory"
urlpatterns = [path("", views.directory, name="list")]
