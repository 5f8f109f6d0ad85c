"""`{% search_offered as offered %}`: whether the header shows the search form here."""

from django import template

from search.selectors import offered_types

register = template.Library()


@register.simple_tag(takes_context=True)
def search_offered(context) -> bool:
    request = context.get("request")
    return bool(request is not None and offered_types(user=request.user))
