"""REST API of the calendar: `events` (list with the calendar's filters and an optional
?from=&to= range of occurrences, read, create, update, cancel) and `events/<id>/rsvp/`
(answer going or maybe; DELETE takes the answer back).

Everything starts from events.selectors: an event the caller may not see is a 404 like a
missing one, and lists carry only what the calendar lists (a private space's events only for
its members). Writes go through events.services, so the API obeys the page's rules; their
refusals become 400 (bad input, with the reason per field) or 403.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response

from core.api import ScopedModelViewSet
from core.richtext import render as render_richtext
from events import recurrence, selectors, services
from events.models import Event, TargetGroup

MAX_RANGE = datetime.timedelta(days=400)


def _api_error(exc: ValidationError) -> ApiValidationError:
    return ApiValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)


class EventSerializer(serializers.ModelSerializer):
    description_html = serializers.SerializerMethodField()
    space = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    category_id = serializers.IntegerField(required=False, allow_null=True)
    topic_id = serializers.IntegerField(required=False, allow_null=True)
    latitude = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    longitude = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    going_count = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    title = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    description = serializers.CharField(required=False, allow_blank=True)
    starts_at = serializers.DateTimeField(required=False)
    ends_at = serializers.DateTimeField(required=False)
    target_group = serializers.ChoiceField(
        choices=TargetGroup.choices, required=False, default=TargetGroup.EVERYONE
    )

    class Meta:
        model = Event
        fields = [
            "id", "uid", "url", "title", "description", "description_html", "space",
            "starts_at", "ends_at", "all_day", "timezone", "rrule", "exdates", "place",
            "district", "latitude", "longitude", "online_url", "category_id", "topic_id",
            "target_group", "capacity", "status", "cancel_reason", "sequence", "going_count",
            "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = [
            "id", "uid", "status", "cancel_reason", "sequence", "created_at", "updated_at",
        ]  # fmt: skip

    def get_description_html(self, event: Event) -> str:
        return str(render_richtext(event.description))

    def get_going_count(self, event: Event) -> int:
        count = getattr(event, "going_count", None)
        return count if count is not None else selectors.answers(user=None, event=event).going

    def get_url(self, event: Event) -> str:
        return event.get_absolute_url()

    def fields_for_service(self) -> services.EventFields:
        data = self.validated_data
        return services.EventFields(
            title=data.get("title", ""),
            description=data.get("description", ""),
            starts_at=data.get("starts_at"),
            ends_at=data.get("ends_at"),
            all_day=data.get("all_day", False),
            timezone=data.get("timezone", ""),
            rrule=data.get("rrule", ""),
            exdates=list(data.get("exdates") or []),
            place=data.get("place", ""),
            district=data.get("district", ""),
            latitude=data.get("latitude") or None,
            longitude=data.get("longitude") or None,
            online_url=data.get("online_url", ""),
            category_id=data.get("category_id"),
            topic_id=data.get("topic_id"),
            target_group=data.get("target_group", TargetGroup.EVERYONE),
            capacity=data.get("capacity"),
        )


class OccurrenceSerializer(serializers.Serializer):
    event = serializers.IntegerField(source="event.pk")
    title = serializers.CharField(source="event.title")
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    url = serializers.CharField(source="event.get_absolute_url")
    status = serializers.CharField(source="event.status")


class RsvpSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=[("going", "going"), ("maybe", "maybe")])


class EventViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    ScopedModelViewSet,
):
    serializer_class = EventSerializer
    selector = selectors.events_visible_to

    def narrow(self, queryset):
        if self.action == "list":
            from events.views import filters_from

            return selectors.upcoming(
                user=self.request.user, filters=filters_from(self.request.query_params)
            )
        return selectors.with_counts(queryset).select_related("organiser")

    def list(self, request, *args, **kwargs):
        """Upcoming events; with ?from=<ISO time>&to=<ISO time>, the occurrences in between
        (series expanded, at most recurrence.DEFAULT_CAP)."""
        start, end = request.query_params.get("from"), request.query_params.get("to")
        if not (start or end):
            return super().list(request, *args, **kwargs)
        from events.views import filters_from

        begins, finishes = parse_datetime(start or ""), parse_datetime(end or "")
        if begins is None or finishes is None:
            raise ApiValidationError({"from": ["Give both from and to as ISO 8601 times."]})
        begins = begins if timezone.is_aware(begins) else timezone.make_aware(begins)
        finishes = finishes if timezone.is_aware(finishes) else timezone.make_aware(finishes)
        if not begins < finishes <= begins + MAX_RANGE:
            raise ApiValidationError({"to": ["“to” must come after “from”, within 400 days."]})
        occurrences, cut = selectors.occurrences_for(
            user=request.user,
            start=begins,
            end=finishes,
            filters=filters_from(request.query_params),
            cap=recurrence.DEFAULT_CAP,
        )
        return Response(
            {"occurrences": OccurrenceSerializer(occurrences, many=True).data, "cut": cut}
        )

    def perform_create(self, serializer):
        space = None
        slug = self.request.data.get("space")
        if slug:
            space = selectors.organising_spaces(user=self.request.user).filter(slug=slug).first()
            if space is None:
                raise ApiValidationError({"space": ["You cannot organise events for this space."]})
        try:
            event = services.event_create(
                actor=self.request.user, fields=serializer.fields_for_service(), space=space
            )
        except ValidationError as exc:
            raise _api_error(exc) from exc
        except PermissionDenied as exc:
            raise ApiPermissionDenied(str(exc)) from exc
        serializer.instance = self.get_queryset().get(pk=event.pk)

    def perform_update(self, serializer):
        event = serializer.instance
        if not selectors.can_manage(user=self.request.user, event=event):
            raise ApiPermissionDenied(
                "Only the organiser and the space's admins can change this event."
            )
        try:
            services.event_update(
                actor=self.request.user, event=event, fields=serializer.fields_for_service()
            )
        except ValidationError as exc:
            raise _api_error(exc) from exc
        serializer.instance = self.get_queryset().get(pk=event.pk)

    def update(self, request, *args, **kwargs):
        # A partial update would have to fill the rest from the event; the service takes
        # the whole event, so PATCH is refused rather than half-applied.
        if kwargs.get("partial"):
            return Response(
                {"detail": "Send the whole event with PUT."},
                status=status.HTTP_405_METHOD_NOT_ALLOWED,
            )
        return super().update(request, *args, **kwargs)

    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        event = self.get_object()
        if not selectors.can_manage(user=request.user, event=event):
            raise ApiPermissionDenied("Only the organiser and the space's admins can cancel it.")
        try:
            services.event_cancel(
                actor=request.user, event=event, reason=str(request.data.get("reason", ""))[:500]
            )
        except ValidationError as exc:
            raise _api_error(exc) from exc
        return Response(EventSerializer(self.get_queryset().get(pk=event.pk)).data)

    @action(detail=True, methods=["post", "delete"], serializer_class=RsvpSerializer)
    def rsvp(self, request, pk=None):
        """POST {"status": "going"|"maybe"}: answer (a full event puts "going" on the waiting
        list); DELETE: take the answer back. Answers with the caller's status."""
        event = self.get_object()
        if request.method == "DELETE":
            services.rsvp_withdraw(user=request.user, event=event)
            return Response({"status": ""})
        serializer = RsvpSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            rsvp = services.rsvp_set(
                user=request.user, event=event, status=serializer.validated_data["status"]
            )
        except ValidationError as exc:
            raise _api_error(exc) from exc
        except PermissionDenied as exc:
            raise ApiPermissionDenied(str(exc)) from exc
        return Response({"status": rsvp.status})


def register(router) -> None:
    """Add this module's endpoints to `router` (allmende.urls_api)."""
    router.register("events", EventViewSet, basename="events", feature="events")
