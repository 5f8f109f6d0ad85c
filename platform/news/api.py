"""API for news posts: list (members) and publish."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from rest_framework import mixins, serializers
from rest_framework.exceptions import ValidationError as ApiValidationError

from core.api import ScopedModelViewSet
from news import selectors, services
from news.models import Post


class PostSerializer(serializers.ModelSerializer):
    author = serializers.StringRelatedField()

    class Meta:
        model = Post
        fields = ["id", "author", "body", "image", "created_at"]
        read_only_fields = ["id", "author", "image", "created_at"]


class PostViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, ScopedModelViewSet):
    serializer_class = PostSerializer
    selector = selectors.posts_visible_to

    def perform_create(self, serializer):
        try:
            serializer.instance = services.post_create(
                author=self.request.user, body=serializer.validated_data["body"]
            )
        except ValidationError as exc:
            raise ApiValidationError(
                exc.message_dict if hasattr(exc, "error_dict") else exc.messages
            ) from exc
