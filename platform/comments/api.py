"""REST API of comments: list (optionally for one target: `?target_type=thread&target_id=12`),
read, write, and edit or delete one's own (moderators may delete too).

Everything starts from comments.selectors.comments_visible_to; writes go through
comments.services, so the API keeps exactly the rules of the pages: a target the caller may
not see is a 404, one they may see but not comment on a 403, bad input a 400.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from rest_framework import mixins, serializers
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response

from comments import mentions, registry, selectors, services
from comments.models import Comment
from core.api import ScopedModelViewSet


def _api_error(exc: ValidationError) -> ApiValidationError:
    return ApiValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)


class CommentSerializer(serializers.ModelSerializer):
    author = serializers.StringRelatedField()
    target_type = serializers.CharField(write_only=True)
    target_id = serializers.IntegerField()
    target = serializers.SerializerMethodField()
    body_html = serializers.SerializerMethodField()
    hidden = serializers.SerializerMethodField()

    class Meta:
        model = Comment
        fields = [
            "id",
            "target_type",
            "target_id",
            "target",
            "parent",
            "author",
            "body",
            "body_html",
            "created_at",
            "edited_at",
            "hidden",
        ]
        read_only_fields = ["id", "author", "created_at", "edited_at"]

    def get_fields(self):
        fields = super().get_fields()
        fields["parent"] = serializers.PrimaryKeyRelatedField(
            queryset=selectors.comments_visible_to(user=self.context["request"].user),
            required=False,
            allow_null=True,
        )
        return fields

    def get_target(self, comment: Comment) -> str:
        return registry.target_of(comment.target_type.model_class()).key

    def get_body_html(self, comment: Comment) -> str:
        return str(mentions.render(comment.body))

    def get_hidden(self, comment: Comment) -> bool:
        return comment.hidden_at is not None


class CommentEditSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=services.MAX_BODY, trim_whitespace=True)


class CommentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    ScopedModelViewSet,
):
    serializer_class = CommentSerializer
    selector = selectors.comments_visible_to

    def narrow(self, queryset):
        queryset = queryset.select_related("target_type").order_by("created_at", "pk")
        key = self.request.query_params.get("target_type")
        if not key:
            return queryset
        return selectors.on_target(
            queryset, key=key, target_id=self.request.query_params.get("target_id")
        )

    def perform_create(self, serializer):
        data = serializer.validated_data
        target = selectors.target_for(
            user=self.request.user, key=data["target_type"], pk=data["target_id"]
        )
        try:
            serializer.instance = services.comment_create(
                author=self.request.user,
                target=target,
                body=data["body"],
                parent=data.get("parent"),
            )
        except ValidationError as exc:
            raise _api_error(exc) from exc

    def update(self, request, *args, **kwargs):
        comment = self.get_object()
        edit = CommentEditSerializer(data=request.data)
        edit.is_valid(raise_exception=True)
        try:
            comment = services.comment_edit(
                user=request.user, comment=comment, body=edit.validated_data["body"]
            )
        except ValidationError as exc:
            raise _api_error(exc) from exc
        return Response(self.get_serializer(comment).data)

    def perform_destroy(self, instance):
        services.comment_delete(user=self.request.user, comment=instance)


def register(router) -> None:
    """Add this module's endpoints to `router` (allmende.urls_api)."""
    router.register("comments", CommentViewSet, basename="comments")
