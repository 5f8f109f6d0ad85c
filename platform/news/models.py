"""News posts on a portal's start page."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Post(models.Model):
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="posts"
    )
    body = models.TextField(_("text"), max_length=2000)
    image = models.ImageField(_("image"), upload_to="posts/%Y/%m/", blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # Hidden by a moderator (moderation app); shown to the portal's moderators only.
    hidden_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("post")

    def __str__(self) -> str:
        return self.body[:60]

    def get_absolute_url(self) -> str:
        """News posts have no page of their own: the start page, at the post."""
        from django.urls import reverse

        return reverse("news:home") + f"#post-{self.pk}"
