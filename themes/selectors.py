"""Reading the current portal's published theme, cached per portal.

The published theme is read on every page (its language settings by the locale middleware, the
rest by the template context), so it is kept in this process (`tenants.localcache`, keyed by
schema) in front of the shared cache (schema-prefixed key). Publishing forgets both on commit;
other processes follow within LOCAL_CACHE_CHECK_SECONDS.
"""

from __future__ import annotations

from django.db.models import Q
from django.templatetags.static import static
from django.urls import reverse

from tenants import localcache
from tenants.cache import _current_schema, on_commit_in_this_schema
from themes.models import Theme, ThemeVersion

THEME_CACHE_KEY = "theme:published:v2"
THEME_TTL = 60 * 60


def _as_context(data: dict, css_url: str) -> dict:
    return {**data, "stylesheet_url": css_url}


def _local_key(schema: str) -> str:
    return f"theme:{schema}"


def published_theme() -> dict:
    """What visitors see. Costs no query and, in steady state, no shared-cache call once cached;
    forgotten when a version is published (`forget_published_theme_on_commit`)."""
    # The version lives next to the value, in the schema-prefixed default cache.
    return localcache.local_cache.get(
        _local_key(_current_schema()), _shared_published_theme, alias="default"
    )


def forget_published_theme_on_commit() -> None:
    """Forget the current portal's published theme in every process once the transaction
    commits: a new version, under which the shared cache holds nothing yet."""
    key = _local_key(_current_schema())
    on_commit_in_this_schema(lambda: localcache.local_cache.invalidate([key], alias="default"))


def _shared_published_theme(version: str) -> tuple[dict, int]:
    from django.core.cache import cache

    shared = localcache.shared_key(THEME_CACHE_KEY, version)
    data = cache.get(shared)
    if data is None:
        version = ThemeVersion.objects.order_by("-number").first()
        if version is not None:
            data = _as_context(version.data, reverse("themes:stylesheet", args=[version.css_hash]))
            data["version"] = version.number
            if version.css_custom_hash:
                data["stylesheet_custom_url"] = reverse(
                    "themes:stylesheet", args=[version.css_custom_hash]
                )
        else:
            theme = Theme.objects.first()
            data = _as_context(
                {"site_name": theme.site_name if theme else "", "tagline": ""},
                static("themes/neutral.css"),
            )
            data["version"] = 0
        cache.set(shared, data, THEME_TTL)
    return data, THEME_TTL


def draft() -> Theme | None:
    """The theme being edited (one row per portal schema)."""
    return Theme.objects.first()


def draft_theme() -> dict:
    theme = draft()
    data = theme.snapshot() if theme else {}
    return _as_context(data, reverse("themes:draft_stylesheet"))


def theme_for_request(request) -> dict:
    if not hasattr(request, "_theme"):
        theme = draft_theme() if getattr(request, "theme_preview", False) else published_theme()
        # Custom CSS is a module: while it is off, the plain stylesheet of the version is used.
        if theme.get("stylesheet_custom_url") and "custom_css" in getattr(request, "features", ()):
            theme = {**theme, "stylesheet_url": theme["stylesheet_custom_url"]}
        request._theme = theme
    return request._theme


def stylesheet_by_hash(css_hash: str) -> str | None:
    from django.core.cache import cache

    key = f"theme:css:{css_hash}"
    css = cache.get(key)
    if css is None:
        version = (
            ThemeVersion.objects.filter(Q(css_hash=css_hash) | Q(css_custom_hash=css_hash))
            .only("css", "css_hash", "css_custom")
            .first()
        )
        if version is None:
            return None
        css = version.css if version.css_hash == css_hash else version.css_custom
        cache.set(key, css, 60 * 60 * 24)
    return css


def versions():
    """Published versions, newest first, each with who published it (from the audit log)."""
    from django.db.models import CharField, OuterRef, Subquery, Value
    from django.db.models.functions import Cast, Coalesce, NullIf

    from core.event_types import EventType
    from core.models import AuditEvent

    publisher = (
        AuditEvent.objects.filter(
            event_type=EventType.THEME_PUBLISHED,
            object_type="themes.themeversion",
            object_id=Cast(OuterRef("pk"), CharField()),
        )
        .annotate(
            who=Coalesce(
                NullIf("actor__display_name", Value("")),
                "actor__email",
                NullIf("actor_label", Value("")),
                output_field=CharField(),
            )
        )
        .values("who")[:1]
    )
    return (
        ThemeVersion.objects.order_by("-number")
        .only("number", "published_at", "css_hash")
        .annotate(published_by=Subquery(publisher))
    )


def version_exists(number: int) -> bool:
    return ThemeVersion.objects.filter(number=number).exists()
