from django.urls import path

from moderation import views

app_name = "moderation"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("decided/", views.resolved, name="resolved"),
    path("decide/", views.decide, name="decide"),
    path("report/", views.report, name="report"),
    path("mine/", views.mine, name="mine"),
]
