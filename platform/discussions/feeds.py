"""The Atom feed of a space's discussions, through the same selectors as its pages: a space or
thread the reader may not see is not in it, and a private space's feed is a 404 for outsiders
(feed readers carry no session, so in practice it serves public spaces). Titles are plain text
(escaped by the feed writer), texts the sanitised HTML of core.richtext."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from core.richtext import render
from discussions import selectors

FEED_LENGTH = 30


class SpaceDiscussionsFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request, slug: str):
        from spaces.selectors import space_for

        self.request_user = request.user
        return space_for(user=request.user, slug=slug)

    def title(self, space) -> str:
        return _("Discussions in %(space)s") % {"space": space.name}

    def link(self, space) -> str:
        from django.urls import reverse

        return reverse("discussions:list", kwargs={"slug": space.slug})

    def subtitle(self, space) -> str:
        return ""

    def items(self, space):
        return selectors.threads_of_space(user=self.request_user, space=space)[:FEED_LENGTH]

    def item_title(self, thread) -> str:
        return thread.title

    def item_description(self, thread) -> str:
        return str(render(thread.body))

    def item_author_name(self, thread) -> str:
        return str(thread.author)

    def item_pubdate(self, thread):
        return thread.created_at

    def item_updateddate(self, thread):
        return thread.last_activity_at


def space_feed(request, slug: str):
    """One feed object per request: it holds the reader for `items`."""
    return SpaceDiscussionsFeed()(request, slug=slug)
