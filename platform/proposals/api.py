"""REST API of proposals: `proposals` (the portal's timeline with its filters, and every
proposal the caller sees, drafts of their spaces included, by id) and the actions
`proposals/<id>/cosign/` and `proposals/<id>/unsign/`. Read-only otherwise: drafting and
submitting happen on the pages, where the text is edited and the letter checked.

Everything starts from proposals.selectors: a proposal the caller may not see is a 404 like a
missing one. Writes go through proposals.services; their refusals become 400 or 403.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response

from core.api import ScopedModelViewSet
from core.richtext import render as render_richtext
from proposals import selectors, services
from proposals.models import Proposal, ProposalStep


def _api_error(exc: ValidationError) -> ApiValidationError:
    return ApiValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)


class StepSerializer(serializers.ModelSerializer):
    meeting = serializers.SerializerMethodField()
    answer_pdf = serializers.SerializerMethodField()

    class Meta:
        model = ProposalStep
        fields = ["status", "decision", "meeting", "note", "answer_pdf", "created_at"]

    def get_meeting(self, step: ProposalStep):
        if step.meeting is None:
            return None
        return {"name": step.meeting.name, "starts_at": step.meeting.starts_at}

    def get_answer_pdf(self, step: ProposalStep) -> str | None:
        if not step.attachment:
            return None
        from django.urls import reverse

        proposal = step.proposal
        return reverse(
            "proposals:answer",
            kwargs={"slug": proposal.space.slug, "pk": proposal.pk, "step": step.pk},
        )


class ProposalSerializer(serializers.ModelSerializer):
    space = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    recipient = serializers.StringRelatedField()
    text_html = serializers.SerializerMethodField()
    signature_count = serializers.SerializerMethodField()
    idea_id = serializers.IntegerField(read_only=True)
    url = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()

    class Meta:
        model = Proposal
        fields = [
            "id", "url", "space", "reference", "title", "text", "text_html", "recipient",
            "topic_id", "place", "status", "decision", "idea_id", "signature_count",
            "created_at", "submitted_at", "decided_at", "timeline",
        ]  # fmt: skip
        read_only_fields = fields

    def get_text_html(self, proposal: Proposal) -> str:
        return str(render_richtext(proposal.text))

    def get_signature_count(self, proposal: Proposal) -> int:
        count = getattr(proposal, "signature_count", None)
        return count if count is not None else proposal.signatures.count()

    def get_url(self, proposal: Proposal) -> str:
        return proposal.get_absolute_url()

    def get_timeline(self, proposal: Proposal) -> list:
        steps = getattr(proposal, "prefetched_steps", None)
        if steps is None:
            steps = selectors.timeline_of(proposal)
        return StepSerializer(steps, many=True).data


class ProposalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedModelViewSet):
    serializer_class = ProposalSerializer
    selector = selectors.proposals_visible_to

    def narrow(self, queryset):
        if self.action == "list":
            from proposals.views import list_filters

            return selectors.with_timeline(
                selectors.proposals_for_listing(
                    user=self.request.user, **list_filters(self.request.query_params)
                )
            )
        return selectors.with_timeline(
            selectors.with_signature_count(queryset).select_related("space", "recipient")
        )

    def _answer(self, proposal: Proposal) -> Response:
        fresh = self.get_queryset().get(pk=proposal.pk)
        return Response(ProposalSerializer(fresh).data)

    @action(detail=True, methods=["post"])
    def cosign(self, request, pk=None):
        """Co-sign the draft (once; a second signature changes nothing)."""
        proposal = self.get_object()
        try:
            services.proposal_cosign(actor=request.user, proposal=proposal)
        except ValidationError as exc:
            raise _api_error(exc) from exc
        return self._answer(proposal)

    @action(detail=True, methods=["post"])
    def unsign(self, request, pk=None):
        proposal = self.get_object()
        try:
            services.proposal_unsign(actor=request.user, proposal=proposal)
        except ValidationError as exc:
            raise _api_error(exc) from exc
        return self._answer(proposal)


def register(router) -> None:
    """Add this module's endpoints to `router` (allmende.urls_api)."""
    router.register("proposals", ProposalViewSet, basename="proposals", feature="proposals")
