"""Gates declared where routes are declared: URL markers, and walking the URL tree.

A marker is a default keyword argument with a reserved name on a `path()` (or an `include()`),
so it reaches every view below it. Each marker has its own key, so nested markers add up: an
include behind `feature_path("api_access", …)` that contains `feature_path("ideas", …)` needs
both modules. The gate middlewares pop their markers before the view runs; a view never sees
them. `walk(urlconf)` lists every route with the markers it carries, for the admin navigation and
for the tests that keep every route behind its gate.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver, get_resolver, path

PREFIX = "_allmende:"
FEATURE = "feature"
MANAGE = "manage"
NAV = "nav"


def marked_path(route: str, view, markers: dict[str, object], name: str | None = None):
    """`path()` with gate markers (keys without the prefix)."""
    return path(route, view, {PREFIX + key: value for key, value in markers.items()}, name=name)


def pop_markers(view_kwargs: dict, kind: str) -> list:
    """Remove every marker of `kind` from a view's kwargs and return their values."""
    keys = [
        k for k in view_kwargs if k.startswith(PREFIX) and k[len(PREFIX) :].split(":")[0] == kind
    ]
    return [view_kwargs.pop(k) for k in keys]


@dataclass(frozen=True)
class Route:
    """One URL pattern with everything inherited from the includes above it."""

    route: str  # e.g. "manage/theme/versions/<int:number>/revert/"
    name: str  # namespaced, e.g. "themes:revert"; "" for unnamed patterns
    view: object
    markers: dict = field(default_factory=dict)

    @property
    def features(self) -> frozenset[str]:
        return frozenset(v for k, v in self.markers.items() if k.split(":")[0] == FEATURE)

    @property
    def is_manage(self) -> bool:
        return bool(self.markers.get(MANAGE))


def _strip(kwargs: dict) -> dict:
    return {k[len(PREFIX) :]: v for k, v in kwargs.items() if k.startswith(PREFIX)}


def walk(urlconf: str | None = None) -> Iterator[Route]:
    def visit(patterns, prefix: str, namespace: str, markers: dict) -> Iterator[Route]:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                inherited = {**markers, **_strip(pattern.default_kwargs)}
                ns = namespace
                if pattern.namespace:
                    ns = f"{namespace}{pattern.namespace}:"
                yield from visit(pattern.url_patterns, route, ns, inherited)
            elif isinstance(pattern, URLPattern):
                inherited = {**markers, **_strip(pattern.default_args)}
                name = f"{namespace}{pattern.name}" if pattern.name else ""
                yield Route(route=route, name=name, view=pattern.callback, markers=inherited)

    yield from visit(get_resolver(urlconf).url_patterns, "", "", {})
