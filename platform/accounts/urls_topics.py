from django.urls import path

from accounts import views

app_name = "topics"
urlpatterns = [path("", views.topics_manage, name="manage")]
