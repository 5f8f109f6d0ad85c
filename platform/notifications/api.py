"""API of the member's own notifications: list (newest first, cursor-paginated), one, mark one
or all read, and the unread count. Another member's notification is a 404 like a missing one."""

from __future__ import annotations

from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from core.api import ScopedModelViewSet
from notifications import selectors, services
from notifications.models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "event_type", "title", "excerpt", "url", "created_at", "read", "read_at"]
        read_only_fields = fields

    def get_read(self, notification: Notification) -> bool:
        return notification.read_at is not None


class NewestFirst(CursorPagination):
    page_size = selectors.PAGE_SIZE
    ordering = ("-created_at", "-pk")


class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedModelViewSet):
    serializer_class = NotificationSerializer
    selector = selectors.notifications_of
    pagination_class = NewestFirst

    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = services.notification_mark_read(notification=self.get_object())
        return Response(self.get_serializer(notification).data)

    @action(detail=False, methods=["post"], url_path="read-all", url_name="read-all")
    def read_all(self, request):
        return Response({"marked": services.notifications_mark_all_read(user=request.user)})

    @action(detail=False, methods=["get"], url_path="unread-count", url_name="unread-count")
    def unread_count(self, request):
        return Response({"unread": selectors.unread_count(user=request.user)})


def register(router) -> None:
    """Add this module's endpoints to `router` (allmende.urls_api)."""
    router.register("notifications", NotificationViewSet, basename="notifications")
