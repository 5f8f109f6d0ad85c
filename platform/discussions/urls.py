from django.urls import path

from discussions import feeds, views

app_name = "discussions"
urlpatterns = [
    path("", views.thread_list, name="list"),
    path("feed/", feeds.space_feed, name="feed"),
    path("new/", views.thread_create, name="create"),
    path("<int:pk>/", views.thread_detail, name="thread"),
    path("<int:pk>/edit/", views.thread_edit, name="edit"),
    path("<int:pk>/pin/", views.thread_pin, name="pin"),
    path("<int:pk>/delete/", views.thread_delete, name="delete"),
    path("<int:pk>/history/", views.thread_history, name="history"),
]
