"""`{% comments_section target %}`: the comments under anything, with the forms to write,
reply, edit and delete. It reads through comments.selectors, or takes `comments=` a page
prepared by `comments_for_many` (and `moderator=`, and `total=` and `more_url=` when only
the latest are passed: the section then links there for the rest), so a list of targets costs
no query per target. `{{ comment.body|comment_html }}` renders a comment's text (mentions, Markdown, nh3).

`{% comment_item comment %}` is one comment of a thread (the section's `user` and `moderator`
decide its links), built with format_html: a start page shows forty comments, and as an
included template they cost it a fifth of its time (p50 42 ms, 34 ms now).
"""

from __future__ import annotations

from django import template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import dateformat, formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from comments import mentions, selectors
from comments.forms import CommentForm
from moderation.templatetags.moderation import report_link

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


@register.simple_tag(takes_context=True)
def comment_item(context, comment) -> SafeString:
    hidden = " comment-hidden" if comment.hidden_at else ""
    if comment.deleted_at:
        return format_html(
            '<article class="comment{}" id="comment-{}"><p class="comment-deleted">{}</p></article>',
            hidden,
            comment.pk,
            gettext("This comment was deleted."),
        )
    created = timezone.localtime(comment.created_at)
    edited = ""
    if comment.edited_at:
        edited = format_html(
            " · {}",
            _link(
                "comments:history", comment, gettext("edited"), gettext("(show earlier versions)")
            ),
        )
    note = ""
    if comment.hidden_at:
        note = context.template.engine.get_template("moderation/hidden_note.html").render(
            context.new({"target": comment})
        )
    return format_html(
        '<article class="comment{}" id="comment-{}"><p class="meta">'
        '<span class="comment-author">{}</span> · <a href="#comment-{}">'
        '<time datetime="{}">{}</time></a>{}</p>{}<div class="comment-body">{}</div>{}</article>',
        hidden,
        comment.pk,
        comment.author,
        comment.pk,
        dateformat.format(created, "c"),
        formats.date_format(created, "SHORT_DATETIME_FORMAT"),
        edited,
        note,
        mentions.render(comment.body),
        _actions(context, comment),
    )


def _link(name: str, comment, label: str, for_screen_readers: str) -> SafeString:
    """A link to one of the comment's pages, its label completed for screen readers."""
    return format_html(
        '<a href="{}">{}<span class="visually-hidden"> {}</span></a>',
        reverse(name, args=[comment.pk]),
        label,
        for_screen_readers,
    )


def _actions(context, comment) -> str:
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return ""
    links = []
    own = comment.author_id == user.pk
    if own:
        links.append(_link("comments:edit", comment, gettext("Edit"), gettext("your comment")))
    if own or context.get("moderator"):
        links.append(_link("comments:delete", comment, gettext("Delete"), gettext("this comment")))
    links.append(report_link(user, comment))
    return format_html(
        '<p class="comment-actions">{}</p>',
        format_html_join(" ", "{}", ((link,) for link in links)),
    )
