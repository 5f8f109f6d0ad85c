"""The member dashboard (dashboard/): not behind the spaces module, as it shows notifications
whatever modules are on."""

from django.urls import path

from spaces import views

app_name = "dashboard"
urlpatterns = [path("", views.dashboard, name="home")]
