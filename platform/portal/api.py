"""API for news posts."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError as ApiValidationError

from portal import selectors, services
from portal.models import Post


class PostSerializer(serializers.ModelSerializer):
    author = serializers.StringRelatedField()

    class Meta:
        model = Post
        fields = ["id", "author", "body", "image", "created_at"]
        read_only_fields = ["id", "author", "image", "created_at"]


class PostListCreateView(generics.ListCreateAPIView):
    serializer_class = PostSerializer

    def get_queryset(self):
        return selectors.latest_posts(limit=None)

    def perform_create(self, serializer):
        try:
            serializer.instance = services.post_create(
                author=self.request.user, body=serializer.validated_data["body"]
            )
        except ValidationError as exc:
            raise ApiValidationError(
                exc.message_dict if hasattr(exc, "error_dict") else exc.messages
            ) from exc
