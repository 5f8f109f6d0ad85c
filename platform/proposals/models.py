"""Proposals (Anträge) that a space drafts together and sends to a council, the bodies they go
to, the council meetings imported from OParl, and the public timeline of what became of them.

A proposal keeps every version of its text (`ProposalVersion`); `Proposal.title` and `.text` are
the newest version, copied so that lists, feeds and search need no join. Co-signatures name the
version that was signed. The timeline (`ProposalStep`) is written only by `proposals.services`.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from spaces.models import search_vector


class BodyKind(models.TextChoices):
    COUNCIL = "council", _("council")
    DISTRICT_COUNCIL = "district_council", _("district council")
    COMMITTEE = "committee", _("committee")
    OTHER = "other", pgettext_lazy("body kind", "other body")


class RecipientBody(models.Model):
    """A body a proposal can be addressed to: configured by the portal's admins or imported."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=BodyKind.choices)
    email = models.EmailField(_("e-mail address"), blank=True)
    # The OParl object's id (a URL) when the body came from an import; re-imports update it.
    oparl_id = models.URLField(_("OParl id"), max_length=500, blank=True)
    active = models.BooleanField(_("can receive proposals"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("recipient body")
        verbose_name_plural = _("recipient bodies")
        constraints = [
            models.UniqueConstraint(
                fields=["oparl_id"], condition=~Q(oparl_id=""), name="body_oparl_once"
            )
        ]

    def __str__(self) -> str:
        return self.name


class CouncilMeeting(models.Model):
    """A meeting of a body, imported from OParl; a proposal can be put on its agenda."""

    body = models.ForeignKey(RecipientBody, on_delete=models.CASCADE, related_name="meetings")
    oparl_id = models.URLField(max_length=500, blank=True)
    name = models.CharField(_("name"), max_length=300)
    starts_at = models.DateTimeField(_("starts"), null=True, blank=True)
    location = models.CharField(_("location"), max_length=300, blank=True)
    cancelled = models.BooleanField(_("cancelled"), default=False)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("council meeting")
        verbose_name_plural = _("council meetings")
        constraints = [
            models.UniqueConstraint(
                fields=["oparl_id"], condition=~Q(oparl_id=""), name="meeting_oparl_once"
            )
        ]

    def __str__(self) -> str:
        return self.name


class OParlImport(models.Model):
    """One import from a council information system: what was asked, what came of it."""

    url = models.URLField(_("OParl address"), max_length=500)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    ok = models.BooleanField(default=False)
    bodies = models.PositiveIntegerField(default=0)
    meetings = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return self.url


class ProposalSettings(models.Model):
    """The portal's rules for proposals; one row (pk 1), made on first use."""

    cosigner_threshold = models.PositiveSmallIntegerField(
        _("co-signers needed"),
        default=3,
        validators=[MaxValueValidator(500)],
        help_text=_("A proposal can be submitted once this many members have co-signed it."),
    )

    class Meta:
        verbose_name = _("proposal settings")

    def __str__(self) -> str:
        return str(self.cosigner_threshold)


class ProposalStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    RECEIVED = "received", _("received")
    ON_AGENDA = "on_agenda", _("on the agenda")
    DECIDED = "decided", _("decided")


class Decision(models.TextChoices):
    ACCEPTED = "accepted", _("accepted")
    REJECTED = "rejected", _("rejected")
    REFERRED = "referred", _("referred")


class Proposal(models.Model):
    space = models.ForeignKey("spaces.Space", on_delete=models.CASCADE, related_name="proposals")
    idea = models.ForeignKey(
        "ideas.Idea",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="proposals",
        verbose_name=_("idea"),
    )
    title = models.CharField(_("title"), max_length=200)
    # Markdown of the newest version; shown only through core.richtext.render.
    text = models.TextField(_("text"), max_length=30_000)
    topic = models.ForeignKey(
        "accounts.Topic",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="proposals",
        verbose_name=_("topic"),
    )
    place = models.CharField(_("district or place"), max_length=120, blank=True)
    recipient = models.ForeignKey(
        RecipientBody,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proposals",
        verbose_name=_("to"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ProposalStatus.choices, default=ProposalStatus.DRAFT
    )
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, blank=True)
    meeting = models.ForeignKey(
        CouncilMeeting,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="proposals",
        verbose_name=_("meeting"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="proposals"
    )
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    # Given on submission, e.g. "A-2026-7"; printed on the letter and in the mail's subject.
    reference = models.CharField(_("reference"), max_length=30, blank=True)
    # The letter as sent: a name in the portal's private media folder "proposals/".
    letter = models.CharField(max_length=200, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    search = models.GeneratedField(
        expression=search_vector(("title", "A"), ("place", "B"), ("text", "C")),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        indexes = [
            GinIndex(fields=["search"], name="proposal_search"),
            models.Index(fields=["status", "-submitted_at"], name="proposal_status_submitted"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("proposals:detail", kwargs={"slug": self.space.slug, "pk": self.pk})

    @property
    def is_draft(self) -> bool:
        return self.status == ProposalStatus.DRAFT


class ProposalVersion(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"), max_length=30_000)
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="proposal_versions",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("version")
        verbose_name_plural = _("versions")
        constraints = [
            models.UniqueConstraint(fields=["proposal", "number"], name="proposal_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id} v{self.number}"


class CoSignature(models.Model):
    """One member's signature under a proposal; the database keeps it to one per member."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="signatures")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="proposal_signatures"
    )
    version = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("co-signature")
        verbose_name_plural = _("co-signatures")
        constraints = [
            models.UniqueConstraint(fields=["proposal", "user"], name="proposal_signature_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.proposal}"


class ProposalStep(models.Model):
    """One entry of the public timeline: submitted, received, on an agenda, decided."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="steps")
    status = models.CharField(max_length=12, choices=ProposalStatus.choices)
    decision = models.CharField(max_length=10, choices=Decision.choices, blank=True)
    meeting = models.ForeignKey(
        CouncilMeeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The council's answer or the admin's note, Markdown; the answer may also be a PDF.
    note = models.TextField(_("note"), max_length=10_000, blank=True)
    attachment = models.CharField(max_length=200, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.status}"
