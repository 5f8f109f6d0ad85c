"""Reports of content or members to the moderators, their decisions, and warnings.

A report names its target generically (a comment, a discussion, a post, a document, or a member
account) and remembers the space the target lived in when it was filed, so that the queue of a
space admin is one query and not a walk over every target. One reporter has at most one open
report per target (a database constraint, not only a check in the service).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

TEXT_MAX_LENGTH = 2000


class Reason(models.TextChoices):
    SPAM = "spam", _("spam or advertising")
    ABUSE = "abuse", _("abuse or harassment")
    ILLEGAL = "illegal", _("illegal content")
    MISINFORMATION = "misinformation", _("misleading or false information")
    OTHER = "other", _("something else")


class ReportStatus(models.TextChoices):
    OPEN = "open", _("open")
    RESOLVED = "resolved", _("decided")


class Outcome(models.TextChoices):
    HIDDEN = "hidden", _("content hidden")
    NO_ACTION = "no_action", _("no action needed")
    WARNED = "warned", _("author warned")
    BLOCKED = "blocked", _("author blocked")


class Report(models.Model):
    # Null once the reporter's account is erased: the decision stays on record.
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="moderation_reports",
    )
    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    target_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("target_type", "target_id")
    space = models.ForeignKey(
        "spaces.Space", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    text = models.TextField(_("what is wrong"), max_length=TEXT_MAX_LENGTH, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.OPEN
    )
    outcome = models.CharField(_("decision"), max_length=12, choices=Outcome.choices, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.TextField(
        _("note on the decision"), max_length=TEXT_MAX_LENGTH, blank=True
    )
    created_at = models.DateTimeField(_("reported"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.UniqueConstraint(
                fields=["reporter", "target_type", "target_id"],
                condition=Q(status="open"),
                name="moderation_one_open_report_per_reporter",
            )
        ]
        indexes = [
            models.Index(fields=["status", "target_type", "target_id"], name="report_queue"),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} ({self.target_type_id}:{self.target_id})"

    def get_absolute_url(self) -> str:
        return f"{reverse('moderation:mine')}#report-{self.pk}"


class MemberWarning(models.Model):
    """A moderator's warning to a member; the member sees it on their moderation page."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="moderation_warnings"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The space the warning is about (None: the whole portal); its admins see it.
    space = models.ForeignKey(
        "spaces.Space", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    report = models.ForeignKey(
        Report, null=True, blank=True, on_delete=models.SET_NULL, related_name="warnings"
    )
    text = models.TextField(_("warning"), max_length=TEXT_MAX_LENGTH)
    created_at = models.DateTimeField(_("warned"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("warning")
        verbose_name_plural = _("warnings")

    def __str__(self) -> str:
        return self.text[:60]

    def get_absolute_url(self) -> str:
        return f"{reverse('moderation:mine')}#warning-{self.pk}"
