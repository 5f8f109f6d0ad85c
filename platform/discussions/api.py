"""REST API of discussions: list (`?space=<slug>`), read and start threads.

The rows come from discussions.selectors.threads_visible_to and the writes go through
discussions.services, so a private space's threads are invisible (404 on detail, absent from
lists) for outsiders, and starting a thread needs the same membership as on the page.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from rest_framework import mixins, serializers
from rest_framework.exceptions import ValidationError as ApiValidationError

from core.api import ScopedModelViewSet
from core.richtext import render
from discussions import selectors, services
from discussions.models import Thread


class ThreadSerializer(serializers.ModelSerializer):
    space = serializers.SlugField(source="space.slug")
    author = serializers.StringRelatedField()
    body_html = serializers.SerializerMethodField()
    pinned = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Thread
        fields = [
            "id",
            "space",
            "title",
            "body",
            "body_html",
            "author",
            "created_at",
            "edited_at",
            "last_activity_at",
            "pinned",
            "url",
        ]
        read_only_fields = ["id", "author", "created_at", "edited_at", "last_activity_at"]

    def get_body_html(self, thread: Thread) -> str:
        return str(render(thread.body))

    def get_pinned(self, thread: Thread) -> bool:
        return thread.pinned_at is not None

    def get_url(self, thread: Thread) -> str:
        return self.context["request"].build_absolute_uri(thread.get_absolute_url())


class ThreadViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    ScopedModelViewSet,
):
    serializer_class = ThreadSerializer
    selector = selectors.threads_visible_to

    def narrow(self, queryset):
        slug = self.request.query_params.get("space")
        if slug:
            queryset = queryset.filter(space__slug=slug)
        return queryset.order_by("-last_activity_at", "-pk")

    def perform_create(self, serializer):
        from spaces.selectors import space_for

        data = serializer.validated_data
        space = space_for(user=self.request.user, slug=data["space"]["slug"])
        try:
            serializer.instance = services.thread_create(
                author=self.request.user, space=space, title=data["title"], body=data["body"]
            )
        except ValidationError as exc:
            raise ApiValidationError(exc.message_dict) from exc


def register(router) -> None:
    """Add this module's endpoints to `router` (allmende.urls_api)."""
    router.register("threads", ThreadViewSet, basename="threads", feature="spaces")
