"""`{% comments_section target %}`: the comments under anything, with the forms to write,
reply, edit and delete. It reads through comments.selectors, or takes `comments=` a page
prepared by `comments_for_many` (and `moderator=`, and `total=` and `more_url=` when only
the latest are passed: the section then links there for the rest), so a list of targets costs
no query per target. `{{ comment.body|comment_html }}` renders a comment's text (mentions, Markdown, nh3)."""

from __future__ import annotations

from django import template
from django.template.loader import render_to_string

from comments import mentions, selectors
from comments.forms import CommentForm

register = template.Library()


@register.simple_tag(takes_context=True)
def comments_section(
    context,
    target,
    comments=None,
    moderator=None,
    level=2,
    can_comment=None,
    total=None,
    more_url="",
):
    request = context.get("request")
    user = getattr(request, "user", None)
    if comments is None:
        comments = selectors.comments_for(user=user, target=target)
    if moderator is None:
        moderator = bool(user and user.is_authenticated) and selectors.may_moderate(
            user=user, target=target
        )
    if can_comment is None:
        can_comment = selectors.can_comment(user=user, target=target)
    shown = sum((0 if c.deleted_at else 1) + len(getattr(c, "shown_replies", ())) for c in comments)
    # A glimpse (comments_for_many's `latest`) says how many there are in all.
    count = shown if total is None else max(total, shown)
    values = {
        "target": target,
        "target_key": selectors.target_key(target),
        "comments": comments,
        "count": count,
        "more": count - shown,
        "more_url": more_url,
        "moderator": moderator,
        "can_comment": can_comment,
        "level": level,
        "sublevel": level + 1,
        "form": CommentForm(),
        "user": user,
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }
    if context.template is None:  # rendered outside a template (a view's helper)
        return render_to_string("comments/section.html", values, request=request)
    # As an inclusion tag does: a context of the page's kind, whose context processors already
    # ran for the page; a page of twenty sections would otherwise run them twenty times.
    section = context.template.engine.get_template("comments/section.html")
    return section.render(context.new(values))


@register.filter
def comment_html(body: str):
    return mentions.render(body)
