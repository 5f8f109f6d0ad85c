"""The "ideas" kind of search result: visible ideas that are not hidden (search shows no
moderated content, not even to moderators), while the ideas module is on."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def _candidates(user):
    from ideas.selectors import ideas_visible_to

    return ideas_visible_to(user=user).filter(hidden_at__isnull=True).select_related("on_behalf_of")


def register_search_type() -> None:
    from ideas.models import Idea
    from search.registry import SearchType, register, while_module_on

    register(
        SearchType(
            key="ideas",
            label=_("Idea"),
            plural=_("Ideas"),
            model=Idea,
            candidates=_candidates,
            available=while_module_on("ideas"),
            title=lambda idea: idea.title,
            url=lambda idea: idea.get_absolute_url(),
            snippet_field="description",
            order=25,
        )
    )
