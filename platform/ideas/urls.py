from django.urls import path

from ideas import feeds, views

app_name = "ideas"
urlpatterns = [
    path("", views.idea_list, name="list"),
    path("new/", views.idea_create, name="create"),
    path("feed/rss/", feeds.rss, name="feed_rss"),
    path("feed/atom/", feeds.atom, name="feed_atom"),
    path("export/", views.idea_export, name="export"),
    path("<int:pk>/", views.idea_detail, name="detail"),
    path("<int:pk>/edit/", views.idea_edit, name="edit"),
    path("<int:pk>/support/", views.idea_support, name="support"),
    path("<int:pk>/withdraw/", views.idea_withdraw, name="withdraw"),
    path("<int:pk>/status/", views.idea_status, name="status"),
    path("<int:pk>/project/", views.idea_start_project, name="start_project"),
]
