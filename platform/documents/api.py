"""REST API for documents: list and retrieve what the caller may see (documents.selectors),
with their versions and download links. Writes go through the pages for now."""

from __future__ import annotations

from django.urls import reverse
from rest_framework import mixins, serializers

from core.api import ScopedModelViewSet
from documents import selectors
from documents.models import Document, DocumentVersion


class VersionSerializer(serializers.ModelSerializer):
    uploaded_by = serializers.StringRelatedField()
    download = serializers.SerializerMethodField()

    class Meta:
        model = DocumentVersion
        fields = [
            "number",
            "original_name",
            "size",
            "content_type",
            "sha256",
            "uploaded_by",
            "created_at",
            "download",
        ]

    def get_download(self, version) -> str:
        document = version.document
        path = reverse(
            "documents:download_version",
            kwargs={"slug": document.space.slug, "pk": document.pk, "number": version.number},
        )
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class DocumentSerializer(serializers.ModelSerializer):
    space = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    folder = serializers.PrimaryKeyRelatedField(read_only=True)
    created_by = serializers.StringRelatedField()
    versions = VersionSerializer(many=True, read_only=True)

    class Meta:
        model = Document
        fields = [
            "id",
            "space",
            "folder",
            "title",
            "created_by",
            "created_at",
            "updated_at",
            "versions",
        ]
        read_only_fields = fields


class DocumentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedModelViewSet):
    serializer_class = DocumentSerializer
    selector = selectors.documents_visible_to

    def narrow(self, queryset):
        return selectors.with_versions(queryset).order_by("pk")


def register(router) -> None:
    """Add this module's endpoints to `router` (allmende.urls_api)."""
    router.register("documents", DocumentViewSet, basename="documents", feature="documents")
