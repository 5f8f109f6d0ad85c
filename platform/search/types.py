"""The built-in search types: spaces, threads, posts and comments, members.

Each starts from the kind's visibility selector (core.visibility, or the member directory's
selector for members) and only narrows it for search:
- spaces: `spaces_listed_for`, so a private space is found by its members only, never by
  anyone else (not even the portal's staff, who reach it by its page);
- threads: visible ones in spaces the user may find, neither hidden nor deleted (search shows
  no moderated content, not even to moderators);
- posts and comments: visible ones, neither hidden nor deleted; one on a thread only when the
  thread itself is findable; none on content whose module is off;
- members: logged-in members only, and only while the member directory module is on: the
  directory's members (active accounts that chose to be listed), matched by display name
  only, never by e-mail; the place is shown where the profile lets members see it.
A selector that is not registered fails loudly (ImproperlyConfigured) instead of showing all.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from search.registry import SearchType, register

MEMBER_DIRECTORY = "member_directory"
SPACES = "spaces"


def _enabled(key: str) -> bool:
    from features.selectors import enabled_here

    return enabled_here(key)


def _is_member(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def _spaces(user):
    from spaces.selectors import spaces_listed_for

    return spaces_listed_for(user=user)


def _threads(user):
    from core import visibility
    from discussions.models import Thread

    return (
        visibility.visible(Thread, user)
        .filter(hidden_at__isnull=True, deleted_at__isnull=True, space__in=_spaces(user))
        .select_related("space")
    )


def _comments(user):
    from django.contrib.contenttypes.prefetch import GenericPrefetch

    from comments.models import Comment
    from core import visibility
    from discussions.models import Thread

    thread_type = ContentType.objects.get_for_model(Thread)
    comments = visibility.visible(Comment, user).filter(
        Q(hidden_at__isnull=True, deleted_at__isnull=True),
        ~Q(target_type=thread_type) | Q(target_id__in=_threads(user).values("pk")),
    )
    for kind in visibility.registered().values():
        if kind.feature and not _enabled(kind.feature):
            comments = comments.exclude(target_type=ContentType.objects.get_for_model(kind.model))
    return comments.prefetch_related(
        GenericPrefetch("target", [Thread.objects.select_related("space")])
    )


def _members(user):
    from accounts.profiles import directory
    from core.privacy import ERASED_EMAIL_SUFFIX

    if not _is_member(user):
        return directory(viewer=user).none()
    return (
        directory(viewer=user)
        .filter(is_active=True)
        .exclude(email__endswith=ERASED_EMAIL_SUFFIX)
        .prefetch_related(None)
    )


def _member_place(member) -> str:
    from accounts.models import Visibility

    profile = member.profile
    # Only members search members, so "members" and "public" places may both be shown.
    if profile.visibility_of("place") in (Visibility.PUBLIC, Visibility.MEMBERS):
        return profile.place
    return ""


def _target_title(comment) -> str:
    from django.utils.translation import gettext

    target = comment.target
    # Not the target's bare title: the thread itself may be a hit right above, and two links
    # with the same text leading to different places confuse screen reader users.
    return gettext("On “%(title)s”") % {"title": getattr(target, "title", "") or str(target)}


def _target_space(comment):
    return getattr(comment.target, "space", None)


def _comment_url(comment) -> str:
    if hasattr(comment.target, "get_absolute_url"):
        return comment.get_absolute_url()
    return reverse("news:home") + f"#comment-{comment.pk}"


def register_builtin() -> None:
    """Called from SearchConfig.ready(): the models exist only once apps are loaded."""
    from accounts.models import User
    from comments.models import Comment
    from discussions.models import Thread
    from spaces.models import Space

    register(
        SearchType(
            key="spaces",
            label=_("Space"),
            plural=_("Spaces"),
            model=Space,
            candidates=_spaces,
            available=lambda user: _enabled(SPACES),
            title=lambda space: space.name,
            url=lambda space: space.get_absolute_url(),
            snippet_field="description",
            order=10,
        )
    )
    register(
        SearchType(
            key="threads",
            label=_("Discussion"),
            plural=_("Discussions"),
            model=Thread,
            candidates=_threads,
            available=lambda user: _enabled(SPACES),
            title=lambda thread: thread.title,
            url=lambda thread: thread.get_absolute_url(),
            space=lambda thread: thread.space,
            snippet_field="body",
            order=20,
        )
    )
    register(
        SearchType(
            key="comments",
            label=_("Post or comment"),
            plural=_("Posts and comments"),
            model=Comment,
            candidates=_comments,
            # News posts take comments whatever modules are on; the selector decides the rest.
            available=lambda user: True,
            title=_target_title,
            url=_comment_url,
            space=_target_space,
            snippet_field="body",
            present=lambda comment: comment.target is not None,
            order=30,
        )
    )
    register(
        SearchType(
            key="members",
            label=_("Member"),
            plural=_("Members"),
            model=User,
            candidates=_members,
            available=lambda user: _is_member(user) and _enabled(MEMBER_DIRECTORY),
            title=lambda member: member.display_name,
            url=lambda member: reverse("accounts:person", kwargs={"pk": member.pk}),
            extra_snippet=_member_place,
            configs=("simple",),
            order=40,
        )
    )
