"""RSS and Atom feeds of the portal's ideas, optionally of one topic (?topic=<id>) or district
(?district=<name>), through the same selector as the pages: an idea the reader may not see is
not in it (a members-only portal's feed is empty for feed readers, which carry no session),
and hidden ideas are left out for everyone. Titles are plain text (escaped by the feed
writer), descriptions the sanitised HTML of core.richtext."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.translation import gettext as _

from core.feeds import StableAtomFeed, StableRssFeed
from core.richtext import render
from ideas import selectors

FEED_LENGTH = 50


class IdeasFeed(Feed):
    feed_type = StableRssFeed

    def get_object(self, request):
        from ideas.views import list_filters

        filters = list_filters(request.GET)
        self.request_user = request.user
        return {"topic_id": filters["topic_id"], "district": filters["district"]}

    def title(self, obj) -> str:
        return _("Ideas")

    def link(self, obj) -> str:
        return reverse("ideas:list")

    def description(self, obj) -> str:
        return _("New ideas on this portal")

    def items(self, obj):
        return selectors.ideas_for_feed(user=self.request_user, **obj)[:FEED_LENGTH]

    def item_title(self, idea) -> str:
        return idea.title

    def item_description(self, idea) -> str:
        return str(render(idea.description))

    def item_author_name(self, idea) -> str:
        return idea.on_behalf_of.name if idea.on_behalf_of else str(idea.author)

    def item_pubdate(self, idea):
        return idea.created_at

    def item_updateddate(self, idea):
        return idea.updated_at

    def item_categories(self, idea):
        return [idea.topic.name] if idea.topic else []


class IdeasAtomFeed(IdeasFeed):
    feed_type = StableAtomFeed
    subtitle = IdeasFeed.description


def rss(request):
    """One feed object per request: it holds the reader for `items`."""
    return IdeasFeed()(request)


def atom(request):
    return IdeasAtomFeed()(request)
