"""The portal's calendar, mounted at events/ behind the `events` module."""

from django.urls import path

from events import feeds, views

app_name = "events"
urlpatterns = [
    path("", views.calendar, name="calendar"),
    path("week/", views.week, name="week"),
    path("agenda/", views.agenda, name="agenda"),
    path("list/", views.event_list, name="list"),
    path("new/", views.event_create, name="create"),
    path("new/clashes/", views.clash_hints, name="clash_hints"),
    path("mine/", views.my_calendar, name="mine"),
    path("mine/new-address/", views.my_calendar_rotate, name="mine_rotate"),
    path("feed/rss/", feeds.rss, name="feed_rss"),
    path("feed/atom/", feeds.atom, name="feed_atom"),
    path("ical/", feeds.portal_ical, name="ical"),
    path("ical/category/<int:pk>/", feeds.category_ical, name="ical_category"),
    path("ical/member/<str:token>/", feeds.member_ical, name="ical_member"),
    path("<int:pk>/", views.event_detail, name="detail"),
    path("<int:pk>/edit/", views.event_edit, name="edit"),
    path("<int:pk>/cancel/", views.event_cancel, name="cancel"),
    path("<int:pk>/rsvp/", views.event_rsvp, name="rsvp"),
    path("<int:pk>/rsvp/withdraw/", views.event_rsvp_withdraw, name="rsvp_withdraw"),
    path("<int:pk>/ical/", feeds.event_ical, name="ical_event"),
]
