"""REST API of moderation: `reports/`. Members file reports (POST) and read their own;
moderators also read the reports they may decide. Decisions are taken on the queue page."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from rest_framework import mixins, serializers
from rest_framework.exceptions import ValidationError as ApiValidationError

from core.api import ScopedModelViewSet
from moderation import selectors, services
from moderation.models import TEXT_MAX_LENGTH, Reason, Report


class ReportSerializer(serializers.ModelSerializer):
    target_type = serializers.CharField(
        write_only=False, max_length=100, help_text='"app.model", e.g. "comments.comment"'
    )
    reporter = serializers.StringRelatedField()
    reason = serializers.ChoiceField(choices=Reason.choices)
    text = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX_LENGTH)

    class Meta:
        model = Report
        fields = [
            "id",
            "target_type",
            "target_id",
            "reporter",
            "reason",
            "text",
            "status",
            "outcome",
            "created_at",
            "decided_at",
        ]
        read_only_fields = ["id", "reporter", "status", "outcome", "created_at", "decided_at"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["target_type"] = f"{instance.target_type.app_label}.{instance.target_type.model}"
        return data


class ReportViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    ScopedModelViewSet,
):
    serializer_class = ReportSerializer
    selector = selectors.reports_visible_to

    def perform_create(self, serializer):
        data = serializer.validated_data
        # Http404 for a target the caller cannot see: the API answers 404 as for a missing one.
        target = selectors.target_to_report(
            user=self.request.user, label=data["target_type"], pk=data["target_id"]
        )
        try:
            serializer.instance = services.report_file(
                reporter=self.request.user,
                target=target,
                reason=data["reason"],
                text=data.get("text", ""),
            )
        except ValidationError as exc:
            raise ApiValidationError(
                exc.message_dict if hasattr(exc, "error_dict") else exc.messages
            ) from exc


def register(router) -> None:
    """Add this module's endpoints to `router` (allmende.urls_api)."""
    router.register("reports", ReportViewSet, basename="reports")
