"""REST API of the ideas marketplace: `ideas` (list with the page's filters and sorting, read,
post) and the actions `ideas/<id>/support/` and `ideas/<id>/withdraw/`.

Everything starts from ideas.selectors: an idea the caller may not see is a 404 like a missing
one. Writes go through ideas.services; their refusals become 400 (bad input) or 403.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response

from core.api import ScopedModelViewSet
from core.richtext import render as render_richtext
from ideas import selectors, services
from ideas.models import Idea


def _api_error(exc: ValidationError) -> ApiValidationError:
    return ApiValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)


class IdeaSerializer(serializers.ModelSerializer):
    description_html = serializers.SerializerMethodField()
    author = serializers.SerializerMethodField()
    on_behalf_of = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    on_behalf_of_id = serializers.IntegerField(write_only=True, required=False, allow_null=True)
    project = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    topic_id = serializers.IntegerField(required=False, allow_null=True)
    latitude = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    longitude = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    support_count = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    # Plain text fields: the service judges them and gives the reason per field.
    title = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    description = serializers.CharField(required=False, allow_blank=True)

    class Meta:
        model = Idea
        fields = [
            "id", "url", "title", "description", "description_html", "topic_id", "place",
            "latitude", "longitude", "image", "author", "on_behalf_of", "on_behalf_of_id",
            "status", "project", "support_count", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["id", "image", "status", "created_at", "updated_at"]

    def get_description_html(self, idea: Idea) -> str:
        return str(render_richtext(idea.description))

    def get_author(self, idea: Idea) -> str:
        return str(idea.author)

    def get_support_count(self, idea: Idea) -> int:
        count = getattr(idea, "support_count", None)
        return count if count is not None else selectors.support_count(idea=idea)

    def get_url(self, idea: Idea) -> str:
        return idea.get_absolute_url()


class IdeaViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ScopedModelViewSet
):
    serializer_class = IdeaSerializer
    selector = selectors.ideas_visible_to

    def narrow(self, queryset):
        if self.action == "list":
            from ideas.views import list_filters

            # The list page's selector, which starts from the same visibility selector.
            return selectors.ideas_for_listing(
                user=self.request.user, **list_filters(self.request.query_params)
            )
        return selectors.with_counts(queryset).select_related("author", "on_behalf_of", "project")

    def perform_create(self, serializer):
        data = serializer.validated_data
        try:
            idea = services.idea_post(
                author=self.request.user,
                title=data.get("title", ""),
                description=data.get("description", ""),
                topic_id=data.get("topic_id"),
                place=data.get("place", ""),
                latitude=data.get("latitude") or None,
                longitude=data.get("longitude") or None,
                on_behalf_of_id=data.get("on_behalf_of_id"),
            )
        except ValidationError as exc:
            raise _api_error(exc) from exc
        serializer.instance = self.get_queryset().get(pk=idea.pk)  # with its counts

    def _answer(self, idea: Idea, code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=idea.pk)
        return Response(IdeaSerializer(fresh).data, status=code)

    @action(detail=True, methods=["post"])
    def support(self, request, pk=None):
        """Support the idea (once; a second support changes nothing)."""
        idea = self.get_object()
        try:
            services.idea_support(user=request.user, idea=idea)
        except ValidationError as exc:
            raise _api_error(exc) from exc
        return self._answer(idea)

    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        idea = self.get_object()
        services.idea_support_withdraw(user=request.user, idea=idea)
        return self._answer(idea)


def register(router) -> None:
    """Add this module's endpoints to `router` (allmende.urls_api)."""
    router.register("ideas", IdeaViewSet, basename="ideas", feature="ideas")
