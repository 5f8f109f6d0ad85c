"""A small portal for the moderation tests: a space with its admin, a second space with
another admin, a thread and a comment by an author, a reporter, a portal moderator and an
administrator. Content rows are made directly; their apps' services have their own tests."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.contenttypes.models import ContentType

from accounts.models import Role, User
from comments.models import Comment
from discussions.models import Thread
from spaces.models import Space, SpaceVisibility
from tests.accounts.factories import member_of
from tests.conftest import in_portal
from tests.spaces.factories import space_of


@dataclass
class World:
    space: Space
    other_space: Space
    space_admin: User
    other_admin: User
    author: User
    reporter: User
    member: User
    moderator: User
    admin: User
    thread: Thread
    comment: Comment
    other_thread: Thread


def thread_in(space: Space, author: User, **fields) -> Thread:
    fields.setdefault("title", "Radweg an der Lindenstraße")
    fields.setdefault("body", "Wer macht mit?")
    return Thread.objects.create(space=space, author=author, **fields)


def comment_on(target, author: User, body: str = "Ein Kommentar") -> Comment:
    return Comment.objects.create(
        target_type=ContentType.objects.get_for_model(target),
        target_id=target.pk,
        author=author,
        body=body,
    )


@pytest.fixture
def world(portal_a) -> World:
    people = {
        name: member_of(portal_a, display_name=label)
        for name, label in (
            ("space_admin", "Sabine Spaceadmin"),
            ("other_admin", "Otto Otherspace"),
            ("author", "Anton Author"),
            ("reporter", "Rita Reporter"),
            ("member", "Mia Member"),
        )
    }
    people["moderator"] = member_of(portal_a, role=Role.MODERATOR, display_name="Moritz Mod")
    people["admin"] = member_of(portal_a, role=Role.ADMIN, display_name="Ada Admin")
    with in_portal(portal_a):
        space = space_of(
            name="Lindenviertel",
            visibility=SpaceVisibility.MEMBERS,
            admin=people["space_admin"],
            members=[people["author"], people["reporter"]],
        )
        other_space = space_of(
            name="Hafenrunde", visibility=SpaceVisibility.MEMBERS, admin=people["other_admin"]
        )
        thread = thread_in(space, people["author"])
        comment = comment_on(thread, people["author"], "Das ist **Spam**, kauft hier!")
        other_thread = thread_in(other_space, people["other_admin"], title="Hafenfest")
    return World(
        space=space,
        other_space=other_space,
        thread=thread,
        comment=comment,
        other_thread=other_thread,
        **people,
    )
