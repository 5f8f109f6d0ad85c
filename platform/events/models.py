"""Events of a portal and its spaces, who comes, the calendars a space imports, and the secret
feed address of each member's own calendar.

Times are stored as instants (UTC) together with the IANA time zone the organiser meant;
recurring events store one RFC 5545 RRULE and their exceptions and are expanded lazily for the
range a page shows (events.recurrence), never stored as rows per occurrence. `series_ends_at`
(the end of the last occurrence, or NULL for a series without end) lets a range query find
the events that touch a month without expanding anything.
"""

from __future__ import annotations

import functools
import secrets
import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Q
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import gettext_lazy as _

from spaces.models import search_vector


class EventStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("scheduled")
    CANCELLED = "cancelled", _("cancelled")


class TargetGroup(models.TextChoices):
    EVERYONE = "everyone", _("everyone")
    CHILDREN = "children", _("children")
    YOUTH = "youth", _("young people")
    FAMILIES = "families", _("families")
    SENIORS = "seniors", _("older people")
    INITIATIVES = "initiatives", _("initiatives and associations")
    ADMINISTRATION = "administration", _("administration and politics")


class EventCategory(models.Model):
    """A portal's own list of event kinds (workshop, meeting, festival …), kept by its admins."""

    name = models.CharField(_("name"), max_length=80)
    slug = models.SlugField(_("address"), max_length=80, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("event category")
        verbose_name_plural = _("event categories")

    def __str__(self) -> str:
        return self.name


def new_uid() -> str:
    return f"{uuid.uuid4()}@allmende"


class CalendarSubscription(models.Model):
    """An external iCal address a space imports (its own website's calendar)."""

    space = models.ForeignKey(
        "spaces.Space", on_delete=models.CASCADE, related_name="calendar_subscriptions"
    )
    url = models.URLField(_("calendar address (iCal)"), max_length=500)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    # The outcome of the latest run as the space's admins read it: counts, or the error.
    last_error = models.TextField(blank=True)
    last_created = models.PositiveIntegerField(default=0)
    last_updated = models.PositiveIntegerField(default=0)
    last_removed = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("calendar subscription")
        verbose_name_plural = _("calendar subscriptions")
        constraints = [
            models.UniqueConstraint(fields=["space", "url"], name="calendar_subscription_once")
        ]

    def __str__(self) -> str:
        return self.url


# An event's page is reversed once per URLconf and script prefix, with a pk no event has that
# the real one replaces: a month view links a hundred dates, and reverse() costs ~50 µs each.
_ANY_PK = 2147483647


@functools.lru_cache(maxsize=32)
def _detail_pattern(urlconf: str, prefix: str) -> str:
    return reverse("events:detail", kwargs={"pk": _ANY_PK}, urlconf=urlconf)


class Event(models.Model):
    title = models.CharField(_("title"), max_length=200)
    # Markdown as the organiser wrote it; shown only through core.richtext.render.
    description = models.TextField(_("description"), max_length=10_000, blank=True)
    # None: a portal-wide event; else the space organising it (and whose visibility it has).
    space = models.ForeignKey(
        "spaces.Space",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="events",
        verbose_name=_("organised by"),
    )
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events_organised",
    )
    category = models.ForeignKey(
        EventCategory,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
        verbose_name=_("category"),
    )
    topic = models.ForeignKey(
        "accounts.Topic",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
        verbose_name=_("topic"),
    )
    target_group = models.CharField(
        _("target group"),
        max_length=16,
        choices=TargetGroup.choices,
        default=TargetGroup.EVERYONE,
    )
    starts_at = models.DateTimeField(_("start"))
    # Exclusive; an all-day event ends at midnight after its last day.
    ends_at = models.DateTimeField(_("end"))
    all_day = models.BooleanField(_("all day"), default=False)
    timezone = models.CharField(_("time zone"), max_length=64, default=settings.TIME_ZONE)
    # One RFC 5545 RRULE value ("FREQ=WEEKLY;BYDAY=TU;COUNT=10"); blank: a single event.
    rrule = models.CharField(_("repeats"), max_length=500, blank=True)
    # Starts of occurrences that do not take place (EXDATE).
    exdates = ArrayField(models.DateTimeField(), default=list, blank=True)
    series_ends_at = models.DateTimeField(null=True, blank=True)
    place = models.CharField(_("address or place"), max_length=200, blank=True)
    district = models.CharField(_("district"), max_length=120, blank=True)
    latitude = models.DecimalField(max_digits=8, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    online_url = models.URLField(_("online link"), max_length=500, blank=True)
    capacity = models.PositiveIntegerField(_("places"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=EventStatus.choices, default=EventStatus.SCHEDULED
    )
    cancel_reason = models.CharField(_("reason"), max_length=500, blank=True)
    # iCal identity: UID stays for the event's life; SEQUENCE counts its changes.
    uid = models.CharField(max_length=255, default=new_uid)
    sequence = models.PositiveIntegerField(default=0)
    source = models.ForeignKey(
        CalendarSubscription,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="events",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    search = models.GeneratedField(
        expression=search_vector(("title", "A"), ("place", "B"), ("description", "C")),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [
            GinIndex(fields=["search"], name="event_search"),
            models.Index(fields=["starts_at"], name="event_starts"),
            models.Index(fields=["series_ends_at"], name="event_series_ends"),
            # The district filter walks it value by value (core.distinct).
            models.Index(fields=["district"], name="event_district"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gte=F("starts_at")), name="event_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="event_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="event_longitude_range",
            ),
            models.UniqueConstraint(
                fields=["uid"], condition=Q(source__isnull=True), name="event_uid_once"
            ),
            models.UniqueConstraint(
                fields=["source", "uid"],
                condition=Q(source__isnull=False),
                name="event_imported_uid_once",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        pattern = _detail_pattern(get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())
        return pattern.replace(str(_ANY_PK), str(self.pk))

    @property
    def is_cancelled(self) -> bool:
        return self.status == EventStatus.CANCELLED

    @property
    def is_recurring(self) -> bool:
        return bool(self.rrule)

    @property
    def is_imported(self) -> bool:
        return self.source_id is not None


class RsvpStatus(models.TextChoices):
    GOING = "going", _("going")
    MAYBE = "maybe", _("maybe")
    WAITING = "waiting", _("on the waiting list")


class Rsvp(models.Model):
    """One member's answer to one event (for a series: to the series); one per member
    (`event_rsvp_once`). Waiting places move up in the order they were taken."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="rsvps")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_rsvps"
    )
    status = models.CharField(_("answer"), max_length=10, choices=RsvpStatus.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The start of the occurrence last reminded of, so the reminder job sends each once.
    reminded_for = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("RSVP")
        verbose_name_plural = _("RSVPs")
        constraints = [models.UniqueConstraint(fields=["event", "user"], name="event_rsvp_once")]
        indexes = [models.Index(fields=["event", "status", "created_at"], name="rsvp_queue")]

    def __str__(self) -> str:
        return f"{self.user} – {self.event}: {self.status}"


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class FeedToken(models.Model):
    """The secret in the address of a member's own calendar feed. Calendar apps send no cookie,
    so the address is the credential: revocable (a new token), and only looked up in the
    portal's own schema, so a token of one portal means nothing on another."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed_token"
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed address")
        verbose_name_plural = _("calendar feed addresses")

    def __str__(self) -> str:
        return f"{self.user}"
