"""RSS and Atom feeds of the portal's submitted proposals and what became of them, optionally
of one topic (?topic=<id>) or district (?district=<name>), through the same selector as the
timeline page (drafts are never in it; a members-only portal's feed is empty for feed readers,
which carry no session). Titles are plain text (escaped by the feed writer), descriptions the
sanitised HTML of core.richtext."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.translation import gettext as _

from core.feeds import StableAtomFeed, StableRssFeed
from core.richtext import render
from proposals import selectors

FEED_LENGTH = 50


class ProposalsFeed(Feed):
    feed_type = StableRssFeed

    def get_object(self, request):
        from proposals.views import list_filters

        filters = list_filters(request.GET)
        self.request_user = request.user
        return {"topic_id": filters["topic_id"], "district": filters["district"]}

    def title(self, obj) -> str:
        return _("Proposals to the council")

    def link(self, obj) -> str:
        return reverse("council:list")

    def description(self, obj) -> str:
        return _("Proposals submitted on this portal and what the council decided")

    def items(self, obj):
        return selectors.proposals_for_feed(user=self.request_user, **obj)[:FEED_LENGTH]

    def item_title(self, proposal) -> str:
        status = proposal.get_status_display()
        if proposal.decision:
            status = proposal.get_decision_display()
        return f"{proposal.title} ({status})"

    def item_description(self, proposal) -> str:
        return str(render(proposal.text))

    def item_author_name(self, proposal) -> str:
        return proposal.space.name

    def item_pubdate(self, proposal):
        return proposal.submitted_at

    def item_updateddate(self, proposal):
        return proposal.updated_at

    def item_categories(self, proposal):
        return [proposal.topic.name] if proposal.topic else []


class ProposalsAtomFeed(ProposalsFeed):
    feed_type = StableAtomFeed
    subtitle = ProposalsFeed.description


def rss(request):
    return ProposalsFeed()(request)


def atom(request):
    return ProposalsAtomFeed()(request)
