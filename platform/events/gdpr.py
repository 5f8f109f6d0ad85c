"""Data rights for events (see core.gdpr): the events a member organises, their answers, their
calendar feed address and the calendars they subscribed a space to.

Erasing deletes the answers (a freed place does not move anyone up: the erasure is not a
withdrawal anyone is told of) and the feed address; keeps the events without the organiser's
name or, as the member chooses, deletes them; keeps a space's calendar subscriptions, which
belong to the space, without the name of who added them.
"""

from __future__ import annotations

from core import gdpr
from events.models import CalendarSubscription, Event, FeedToken, Rsvp


def _export_events(user) -> list[gdpr.Row]:
    return [
        {
            "id": event.pk,
            "title": event.title,
            "description": event.description,
            "space": event.space.name if event.space else None,
            "starts_at": event.starts_at.isoformat(),
            "ends_at": event.ends_at.isoformat(),
            "repeats": event.rrule,
            "place": event.place,
            "online_url": event.online_url,
            "status": event.status,
            "created_at": event.created_at.isoformat(),
        }
        for event in Event.objects.filter(organiser=user).select_related("space").order_by("pk")
    ]


def _erase_events(user, *, keep_content: bool) -> None:
    events = Event.objects.filter(organiser=user)
    if keep_content:
        events.update(organiser=None)
        return
    ids = list(events.values_list("pk", flat=True))
    events.delete()
    gdpr.audit_forget_objects(object_type=Event._meta.label_lower, object_ids=ids)


def _export_rsvps(user) -> list[gdpr.Row]:
    return [
        {
            "event": rsvp.event.title,
            "event_id": rsvp.event_id,
            "answer": rsvp.status,
            "at": rsvp.created_at.isoformat(),
        }
        for rsvp in Rsvp.objects.filter(user=user).select_related("event").order_by("pk")
    ]


def _erase_rsvps(user, *, keep_content: bool) -> None:
    Rsvp.objects.filter(user=user).delete()


def _export_feed_token(user) -> list[gdpr.Row]:
    return [
        {
            "created_at": row.created_at.isoformat(),
            "last_used_at": row.last_used_at and row.last_used_at.isoformat(),
        }
        for row in FeedToken.objects.filter(user=user)
    ]


def _erase_feed_token(user, *, keep_content: bool) -> None:
    FeedToken.objects.filter(user=user).delete()


def _export_subscriptions(user) -> list[gdpr.Row]:
    return [
        {"space": row.space.name, "url": row.url, "created_at": row.created_at.isoformat()}
        for row in CalendarSubscription.objects.filter(created_by=user).select_related("space")
    ]


def _erase_subscriptions(user, *, keep_content: bool) -> None:
    CalendarSubscription.objects.filter(created_by=user).update(created_by=None)


gdpr.register(Event, exporter=_export_events, eraser=_erase_events)
gdpr.register(Rsvp, exporter=_export_rsvps, eraser=_erase_rsvps)
gdpr.register(FeedToken, exporter=_export_feed_token, eraser=_erase_feed_token)
gdpr.register(CalendarSubscription, exporter=_export_subscriptions, eraser=_erase_subscriptions)
