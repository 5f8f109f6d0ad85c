"""REST API of groups and projects: `spaces` (list, read, create) and `space-memberships` (the
caller's memberships, requests and invitations; join and leave).

Everything starts from the spaces selectors: a space the caller may not see is a 404 like a
missing one, the list shows only what listings show (a private space only to its members).
Writes go through spaces.services; their refusals become 400 (bad input) or 403.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response

from core.api import ScopedModelViewSet
from core.richtext import render as render_richtext
from spaces import selectors, services
from spaces.models import JoinPolicy, Space, SpaceKind, SpaceMembership, SpaceVisibility


def _api_error(exc: ValidationError) -> ApiValidationError:
    return ApiValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)


class SpaceSerializer(serializers.ModelSerializer):
    description_html = serializers.SerializerMethodField()
    topics = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    topic_ids = serializers.ListField(
        child=serializers.IntegerField(), write_only=True, required=False
    )
    # Plain text fields: the service judges the choices and gives the reason (the model's
    # choices would only say "not a valid choice").
    kind = serializers.CharField(default=SpaceKind.GROUP)
    visibility = serializers.CharField(default=SpaceVisibility.MEMBERS)
    join_policy = serializers.CharField(default=JoinPolicy.OPEN)
    status = serializers.CharField(required=False, allow_blank=True, default="")
    url = serializers.SerializerMethodField()

    class Meta:
        model = Space
        fields = [
            "id", "slug", "url", "name", "kind", "description", "description_html", "place",
            "visibility", "join_policy", "goal", "status", "starts_on", "ends_on", "topics",
            "topic_ids", "image", "created_at", "archived_at",
        ]  # fmt: skip
        read_only_fields = ["id", "slug", "image", "created_at", "archived_at"]

    def get_description_html(self, space: Space) -> str:
        return str(render_richtext(space.description))

    def get_url(self, space: Space) -> str:
        return space.get_absolute_url()


class SpaceViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ScopedModelViewSet
):
    serializer_class = SpaceSerializer
    selector = selectors.spaces_visible_to
    lookup_field = "slug"

    def narrow(self, queryset):
        if self.action == "list":
            listed = selectors.spaces_listed_for(user=self.request.user)
            queryset = queryset.filter(pk__in=listed.values("pk"))
        return queryset.prefetch_related("topics")

    def perform_create(self, serializer):
        data = serializer.validated_data
        try:
            serializer.instance = services.space_create(
                actor=self.request.user,
                name=data.get("name", ""),
                kind=data.get("kind", SpaceKind.GROUP),
                description=data.get("description", ""),
                place=data.get("place", ""),
                visibility=data.get("visibility", SpaceVisibility.MEMBERS),
                join_policy=data.get("join_policy", JoinPolicy.OPEN),
                goal=data.get("goal", ""),
                status=data.get("status", ""),
                starts_on=data.get("starts_on"),
                ends_on=data.get("ends_on"),
                topic_ids=data.get("topic_ids", []),
            )
        except ValidationError as exc:
            raise _api_error(exc) from exc


class MembershipSerializer(serializers.ModelSerializer):
    space = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = SpaceMembership
        fields = ["id", "space", "role", "status", "message", "created_at", "joined_at"]
        read_only_fields = fields


class MembershipActionSerializer(serializers.Serializer):
    space = serializers.SlugField()
    message = serializers.CharField(required=False, allow_blank=True, default="")


class SpaceMembershipViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedModelViewSet):
    serializer_class = MembershipSerializer
    selector = selectors.memberships_visible_to

    def get_serializer_class(self):
        if self.action in ("join", "leave"):
            return MembershipActionSerializer
        return MembershipSerializer

    def _space(self, request):
        form = MembershipActionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        space = selectors.space_for(user=request.user, slug=form.validated_data["space"])
        return space, form.validated_data

    @action(detail=False, methods=["post"])
    def join(self, request):
        """Join an open space, ask to join one by request, or accept an invitation."""
        space, data = self._space(request)
        try:
            membership = services.space_join(
                user=request.user, space=space, message=data["message"]
            )
        except ValidationError as exc:
            raise _api_error(exc) from exc
        return Response(MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)

    @action(detail=False, methods=["post"])
    def leave(self, request):
        space, _data = self._space(request)
        try:
            services.space_leave(user=request.user, space=space)
        except ValidationError as exc:
            raise _api_error(exc) from exc
        return Response(status=status.HTTP_204_NO_CONTENT)


def register(router) -> None:
    """Add this module's endpoints to `router` (allmende.urls_api)."""
    router.register("spaces", SpaceViewSet, basename="spaces", feature="spaces")
    router.register(
        "space-memberships", SpaceMembershipViewSet, basename="space-memberships", feature="spaces"
    )
