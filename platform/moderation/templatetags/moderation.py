"""Template helpers other apps use to offer "report this" and to mark hidden content.

`{% report_url target as url %}` gives the report form's address for `target`, or "" when no
link should be shown (visitor, own content, own profile), so a template cannot get it wrong;
`{% report_button target %}` (moderation/report_button.html) the link itself, which
`report_link(user, target)` also gives code that renders markup in Python (comment threads).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext

register = template.Library()


def _owner_pk(target):
    if target._meta.label_lower == "accounts.user":
        return target.pk
    return getattr(target, "author_id", None)


def _report_url(user, target) -> str:
    if target is None or getattr(target, "pk", None) is None:
        return ""
    if user is None or not user.is_authenticated or _owner_pk(target) == user.pk:
        return ""
    query = urlencode({"type": target._meta.label_lower, "id": target.pk})
    return f"{reverse('moderation:report')}?{query}"


def report_link(user, target) -> str:
    """The "Report" link for `target`, or "" where report_url gives none."""
    url = _report_url(user, target)
    if not url:
        return ""
    return format_html(
        '<a class="moderation-report-link" href="{}" rel="nofollow">{}'
        '<span class="visually-hidden"> {}</span></a>',
        url,
        gettext("Report"),
        gettext("to the moderators"),
    )


@register.simple_tag(takes_context=True)
def report_url(context, target) -> str:
    return _report_url(getattr(context.get("request"), "user", None), target)


@register.simple_tag(takes_context=True)
def report_button(context, target) -> str:
    return report_link(getattr(context.get("request"), "user", None), target)


@register.simple_tag(takes_context=True)
def moderates_anything(context) -> bool:
    """Whether the navigation offers the moderation queue to this person (one query at most,
    none for visitors)."""
    from moderation.permissions import moderates_anything as moderates

    request = context.get("request")
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and moderates(user))
