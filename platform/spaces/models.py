"""Spaces and who belongs to them."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class SpaceKind(models.TextChoices):
    GROUP = "group", _("group")
    PROJECT = "project", _("project")


class SpaceVisibility(models.TextChoices):
    PUBLIC = "public", _("public: everyone, also visitors")
    MEMBERS = "members", _("members of the portal")
    PRIVATE = "private", _("private: only the space's members")


class JoinPolicy(models.TextChoices):
    OPEN = "open", _("open: every member may join")
    REQUEST = "request", _("by request: a space admin approves")
    INVITATION = "invitation", _("by invitation only")


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    ACTIVE = "active", _("running")
    PAUSED = "paused", _("paused")
    DONE = "done", _("completed")


def search_vector(*weighted: tuple[str, str]) -> SearchVector:
    """German and English stemming over the given (field, weight) pairs, for a generated column.
    Both configurations are stored so that "Radwege" finds "Radweg" and "cycling" finds
    "cycle"; `to_tsvector(regconfig, text)` is immutable, which a generated column requires."""
    vector = None
    for config in ("german", "english"):
        for field, weight in weighted:
            part = SearchVector(field, config=config, weight=weight)
            vector = part if vector is None else vector + part
    return vector


class Space(models.Model):
    kind = models.CharField(_("kind"), max_length=10, choices=SpaceKind.choices)
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("address"), max_length=80, unique=True, allow_unicode=False)
    # Markdown as the members wrote it; shown only through core.richtext.render.
    description = models.TextField(_("description"), max_length=10_000, blank=True)
    # A name in the portal's media storage, written only after sanitising (core.media).
    image = models.CharField(_("image"), max_length=200, blank=True)
    topics = models.ManyToManyField(
        "accounts.Topic", blank=True, related_name="spaces", verbose_name=_("topics")
    )
    place = models.CharField(_("district or place"), max_length=120, blank=True)
    latitude = models.DecimalField(max_digits=8, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    visibility = models.CharField(
        _("who can see it"),
        max_length=10,
        choices=SpaceVisibility.choices,
        default=SpaceVisibility.MEMBERS,
    )
    join_policy = models.CharField(
        _("who can join"), max_length=12, choices=JoinPolicy.choices, default=JoinPolicy.OPEN
    )
    # Projects only.
    goal = models.TextField(_("goal"), max_length=2000, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ProjectStatus.choices, blank=True)
    starts_on = models.DateField(_("start"), null=True, blank=True)
    ends_on = models.DateField(_("end"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)
    search = models.GeneratedField(
        expression=search_vector(("name", "A"), ("place", "B"), ("description", "C")),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("space")
        verbose_name_plural = _("spaces")
        indexes = [
            GinIndex(fields=["search"], name="space_search"),
            # The map's district filter walks it value by value (core.distinct).
            models.Index(fields=["place"], name="space_place"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=models.F("starts_on")),
                name="space_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("spaces:detail", kwargs={"slug": self.slug})

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class SpaceRole(models.TextChoices):
    MEMBER = "member", _("member")
    ADMIN = "admin", _("space admin")


class MembershipStatus(models.TextChoices):
    ACTIVE = "active", _("member")
    REQUESTED = "requested", _("asked to join")
    INVITED = "invited", _("invited")


class SpaceMembership(models.Model):
    """One person's relation to one space: a member, an open request or an open invitation.
    One row per (space, user): a second join, request or acceptance finds the first."""

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="space_memberships"
    )
    role = models.CharField(
        _("role"), max_length=10, choices=SpaceRole.choices, default=SpaceRole.MEMBER
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=MembershipStatus.choices,
        default=MembershipStatus.ACTIVE,
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    message = models.CharField(_("message"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    joined_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("space membership")
        verbose_name_plural = _("space memberships")
        constraints = [
            models.UniqueConstraint(fields=["space", "user"], name="space_membership_once")
        ]
        indexes = [models.Index(fields=["user", "status"], name="space_membership_user")]

    def __str__(self) -> str:
        return f"{self.user} – {self.space}"

    @property
    def is_active(self) -> bool:
        return self.status == MembershipStatus.ACTIVE

    @property
    def is_admin(self) -> bool:
        return self.is_active and self.role == SpaceRole.ADMIN
