"""The administrators' page of the calendar (manage/events/): its categories."""

from django.urls import path

from events import views

app_name = "events_manage"
urlpatterns = [
    path("", views.manage, name="index"),
    path("categories/", views.manage_category, name="category_create"),
    path("categories/<int:pk>/", views.manage_category, name="category_edit"),
]
