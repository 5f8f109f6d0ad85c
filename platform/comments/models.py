"""Comments on any content, and the edit history of everything members write."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _

from spaces.models import search_vector


class Comment(models.Model):
    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    target_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("target_type", "target_id")
    # A reply names the comment it answers; replies are one level deep.
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="comments"
    )
    # Markdown as written; shown only through core.richtext.render.
    body = models.TextField(_("text"), max_length=10_000)
    created_at = models.DateTimeField(_("written"), auto_now_add=True, db_index=True)
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)
    # Soft delete: the row stays (replies keep their place), the text is gone from every page.
    deleted_at = models.DateTimeField(null=True, blank=True)
    # Hidden by a moderator (moderation app); shown to moderators only, marked as hidden.
    hidden_at = models.DateTimeField(null=True, blank=True)
    search = models.GeneratedField(
        expression=search_vector(("body", "B")),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [
            models.Index(fields=["target_type", "target_id", "created_at"], name="comment_target"),
            GinIndex(fields=["search"], name="comment_search"),
        ]

    def __str__(self) -> str:
        return self.body[:60]

    def get_absolute_url(self) -> str:
        """The target's page, at this comment (a fragment of the target's URL is replaced)."""
        return self.target.get_absolute_url().split("#", 1)[0] + f"#comment-{self.pk}"


class Revision(models.Model):
    """An earlier text of something edited (a comment, a thread's opening post): the edit
    history. Written by the service that edits, before the new text replaces the old."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    content_object = GenericForeignKey("content_type", "object_id")
    body = models.TextField()
    title = models.CharField(max_length=200, blank=True)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="revision_object")]

    def __str__(self) -> str:
        return f"{self.content_type_id}:{self.object_id} @ {self.created_at:%Y-%m-%d %H:%M}"
