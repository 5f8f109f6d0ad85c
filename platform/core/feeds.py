"""Feed writers for the portal's RSS and Atom feeds (ideas, proposals).

An empty feed's "last changed" is a fixed date instead of Django's "now": "now" tells a reader
nothing and makes two answers to the same question differ.
"""

from __future__ import annotations

import datetime

from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

EMPTY_FEED_DATE = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)


class _StableDate:
    def latest_post_date(self):
        return super().latest_post_date() if self.items else EMPTY_FEED_DATE


class StableRssFeed(_StableDate, Rss201rev2Feed):
    pass


class StableAtomFeed(_StableDate, Atom1Feed):
    pass
