"""Ideas of the marketplace, who supports them, and the public timeline of their statuses."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from spaces.models import search_vector


class IdeaStatus(models.TextChoices):
    NEW = "new", _("new")
    DISCUSSION = "discussion", _("under discussion")
    IMPLEMENTATION = "implementation", _("in implementation")
    REALISED = "realised", _("realised")
    ARCHIVED = "archived", _("archived")


class Idea(models.Model):
    title = models.CharField(_("title"), max_length=200)
    # Markdown as the author wrote it; shown only through core.richtext.render.
    description = models.TextField(_("description"), max_length=10_000)
    topic = models.ForeignKey(
        "accounts.Topic",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ideas",
        verbose_name=_("topic"),
    )
    place = models.CharField(_("district or place"), max_length=120, blank=True)
    latitude = models.DecimalField(max_digits=8, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    # A name in the portal's media storage, written only after sanitising (core.media).
    image = models.CharField(_("image"), max_length=200, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ideas"
    )
    # Posted "as" a space (a party, an initiative, the administration): shown as that space.
    on_behalf_of = models.ForeignKey(
        "spaces.Space",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ideas_posted",
        verbose_name=_("on behalf of"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=IdeaStatus.choices, default=IdeaStatus.NEW
    )
    project = models.ForeignKey(
        "spaces.Space",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ideas_implemented",
        verbose_name=_("project"),
    )
    created_at = models.DateTimeField(_("posted"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    # The trending weight's logarithm and the newest support, kept by ideas.trend from the
    # supports (NULL: none), so that the marketplace sorts without summing them per request.
    trend_rank = models.FloatField(null=True, editable=False)
    last_supported_at = models.DateTimeField(null=True, editable=False)
    search = models.GeneratedField(
        expression=search_vector(("title", "A"), ("place", "B"), ("description", "C")),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("idea")
        verbose_name_plural = _("ideas")
        indexes = [
            GinIndex(fields=["search"], name="idea_search"),
            models.Index(fields=["status", "-created_at"], name="idea_status_created"),
            # The district filter walks it value by value (core.distinct).
            models.Index(fields=["place"], name="idea_place"),
            # The first page of the trending order walks it (selectors._trending_first_page).
            models.Index(
                F("trend_rank").desc(), F("created_at").desc(), F("id").desc(), name="idea_trend"
            ),
            models.Index(fields=["last_supported_at"], name="idea_last_supported"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("ideas:detail", kwargs={"pk": self.pk})


class Support(models.Model):
    """One member's support of one idea; the database keeps it to one (`idea_support_once`)."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="idea_supports"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [models.UniqueConstraint(fields=["idea", "user"], name="idea_support_once")]
        indexes = [models.Index(fields=["idea", "created_at"], name="idea_support_time")]

    def __str__(self) -> str:
        return f"{self.user} – {self.idea}"


class StatusChange(models.Model):
    """One step of an idea's public timeline, with the moderator's reason."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=16, choices=IdeaStatus.choices)
    to_status = models.CharField(max_length=16, choices=IdeaStatus.choices)
    reason = models.TextField(_("reason"), max_length=2000)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")

    def __str__(self) -> str:
        return f"{self.idea}: {self.from_status} → {self.to_status}"
