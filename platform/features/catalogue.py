"""Every module of Allmende, declared once.

A module's key is what plans, switches, grants and the gate speak of. `plans` names the plans
whose entitlements include the module when they are seeded; operators may change plans later.
`requires` lists modules that must be enabled too. `default_on` is the module's state in a portal
whose admin has not switched it yet. `nav` is the URL name of the module's start page, for
modules that have one. `built` is False for a module that is declared (plans already name
it) but not written yet: the modules page, the API and the navigation leave it out, and it
cannot be switched on, so nobody is offered what does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

COMMUNITY = "community"
PROFESSIONAL = "professional"


@dataclass(frozen=True)
class Feature:
    key: str
    name: str
    description: str
    plans: frozenset[str]
    requires: tuple[str, ...] = ()
    default_on: bool = True
    nav: str | None = None
    built: bool = True


_ALL = frozenset({COMMUNITY, PROFESSIONAL})
_PRO = frozenset({PROFESSIONAL})

FEATURES: dict[str, Feature] = {
    f.key: f
    for f in (
        Feature(
            "spaces",
            _("Groups and projects"),
            _("Members organise in groups and projects with their own pages."),
            _ALL,
            nav="spaces:list",
        ),
        Feature(
            "private_spaces",
            _("Private groups and projects"),
            _("Spaces hidden from everyone but their members, for internal work."),
            _PRO,
            requires=("spaces",),
        ),
        Feature(
            "ideas",
            _("Ideas"),
            _("Members post ideas and support the ideas of others."),
            _ALL,
            nav="ideas:list",
        ),
        Feature(
            "proposals",
            _("Proposals"),
            _("Groups draft proposals together and send them to a council."),
            _PRO,
            requires=("spaces",),
            nav="council:list",
        ),
        Feature(
            "events",
            _("Events calendar"),
            _("A shared calendar of events that avoids date collisions."),
            _ALL,
            nav="events:calendar",
        ),
        Feature(
            "map",
            _("Map"),
            _("Initiatives, projects and events on a map of the region."),
            _ALL,
            nav="places:map",
        ),
        Feature(
            "documents",
            _("Documents"),
            _("Internal documents shared in groups and projects."),
            _PRO,
            requires=("spaces",),
        ),
        Feature(
            "member_directory",
            _("Member directory"),
            _("A directory of all members for the members."),
            _PRO,
            nav="directory:list",
        ),
        Feature(
            "api_access",
            _("API access"),
            _("A REST API for integrations with other systems."),
            _PRO,
            nav="api-root",
        ),
        Feature(
            "webhooks",
            _("Outbound webhooks"),
            _("Notify other systems when something happens in the portal."),
            _PRO,
            requires=("api_access",),
            default_on=False,
            built=False,
        ),
        Feature(
            "sso",
            _("Single sign-on"),
            _("Members log in with the organisation's account."),
            _PRO,
            default_on=False,
            built=False,
        ),
        Feature(
            "own_domain",
            _("Own domain"),
            _("The portal runs under the organisation's domain."),
            _PRO,
        ),
        Feature(
            "custom_css",
            _("Custom CSS"),
            _("Style sheets beyond the theme editor."),
            _PRO,
            default_on=False,
        ),
        Feature(
            "hide_branding",
            _("No platform branding"),
            _("Hide the “Runs on Allmende” notice."),
            _PRO,
        ),
    )
}


def get(key: str) -> Feature:
    try:
        return FEATURES[key]
    except KeyError:
        raise KeyError(f"Unknown feature {key!r}; the catalogue has {sorted(FEATURES)}.") from None


def built() -> dict[str, Feature]:
    """The modules that exist, in catalogue order."""
    return {key: feature for key, feature in FEATURES.items() if feature.built}


def dependants(key: str) -> list[str]:
    return [f.key for f in FEATURES.values() if key in f.requires]


# The seeded plans' texts (features migration 0002), so that they are translated where shown.
PLAN_TEXTS = (
    gettext_noop("Community"),
    gettext_noop("Public network features for initiatives, free of charge."),
    gettext_noop("Professional intranet"),
    gettext_noop("Everything in Community plus the social intranet for organisations."),
)
