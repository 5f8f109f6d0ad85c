"""RSS and Atom feeds of the portal's ideas, optionally of one topic (?topic=<id>) or district
(?district=<name>), through the same selector as the pages: an idea the reader may not see is
not in it (a members-only portal's feed is empty for feed readers, which carry no session),
and hidden ideas are left out for everyone. Titles are plain text (escaped by the feed
writer), descriptions the sanitised HTML of core.richtext."""

from __future__ import annotations

import datetime

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.translation import gettext as _

from core.richtext import render
from ideas import selectors

FEED_LENGTH = 50
# The date an empty feed gives as its last change. Django would say "now", which tells a reader
# nothing and makes two answers to the same question differ (the tests compare them).
EMPTY_FEED_DATE = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)


class _StableDate:
    def latest_post_date(self):
        return super().latest_post_date() if self.items else EMPTY_FEED_DATE


class _Rss(_StableDate, Rss201rev2Feed):
    pass


class _Atom(_StableDate, Atom1Feed):
    pass


class IdeasFeed(Feed):
    feed_type = _Rss

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
    feed_type = _Atom
    subtitle = IdeasFeed.description


def rss(request):
    """One feed object per request: it holds the reader for `items`."""
    return IdeasFeed()(request)


def atom(request):
    return IdeasAtomFeed()(request)
