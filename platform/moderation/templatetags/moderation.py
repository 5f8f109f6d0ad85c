"""Template helpers other apps use to offer "report this" and to mark hidden content.

`{% report_url target as url %}` gives the report form's address for `target`, or "" when no
link should be shown (visitor, own content, own profile), so a template cannot get it wrong.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import template
from django.urls import reverse

register = template.Library()


def _owner_pk(target):
    if target._meta.label_lower == "accounts.user":
        return target.pk
    return getattr(target, "author_id", None)


@register.simple_tag(takes_context=True)
def report_url(context, target) -> str:
    request = context.get("request")
    user = getattr(request, "user", None)
    if target is None or getattr(target, "pk", None) is None:
        return ""
    if user is None or not user.is_authenticated or _owner_pk(target) == user.pk:
        return ""
    query = urlencode({"type": target._meta.label_lower, "id": target.pk})
    return f"{reverse('moderation:report')}?{query}"


@register.simple_tag(takes_context=True)
def moderates_anything(context) -> bool:
    """Whether the navigation offers the moderation queue to this person (one query at most,
    none for visitors)."""
    from moderation.permissions import moderates_anything as moderates

    request = context.get("request")
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and moderates(user))
