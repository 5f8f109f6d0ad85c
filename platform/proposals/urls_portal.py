"""The portal's public timeline of proposals, its feeds and the CSV export (at proposals/)."""

from django.urls import path

from proposals import feeds, views

app_name = "council"
urlpatterns = [
    path("", views.proposal_list, name="list"),
    path("feed/rss/", feeds.rss, name="feed_rss"),
    path("feed/atom/", feeds.atom, name="feed_atom"),
    path("export/", views.proposal_export, name="export"),
]
