"""Template tags for the bell and the follow button.

`{% unread_notifications as count %}` costs one query per request, however often a page asks
(the answer is kept on the request). `{% is_following target as following %}` costs one query
per button; a page that shows many buttons should pass `following` itself.
"""

from __future__ import annotations

from django import template

from notifications import selectors, services

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context) -> int:
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if user is None or not user.is_authenticated:
        return 0
    if request is None:
        return selectors.unread_count(user=user)
    if not hasattr(request, "_notifications_unread"):
        request._notifications_unread = selectors.unread_count(user=user)
    return request._notifications_unread


@register.simple_tag(takes_context=True)
def is_following(context, target) -> bool:
    user = context.get("user")
    request = context.get("request")
    user = getattr(request, "user", None) or user
    if user is None or target is None:
        return False
    return services.is_following(user=user, target=target)


@register.simple_tag
def follow_target_type(target) -> str:
    """The form value naming `target`'s kind (its model label, as core.visibility knows it)."""
    return target._meta.label_lower


@register.filter
def unread_label(count: int) -> str:
    return (
        f"{selectors.UNREAD_SHOWN_UP_TO}+" if count > selectors.UNREAD_SHOWN_UP_TO else str(count)
    )
