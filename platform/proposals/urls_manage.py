"""The administrators' pages of proposals (manage/proposals/): bodies, OParl, threshold."""

from django.urls import path

from proposals import views

app_name = "proposals_manage"
urlpatterns = [
    path("", views.manage, name="index"),
    path("threshold/", views.manage_threshold, name="threshold"),
    path("oparl/", views.manage_oparl, name="oparl"),
    path("bodies/new/", views.body_edit, name="body_create"),
    path("bodies/<int:pk>/", views.body_edit, name="body_edit"),
]
