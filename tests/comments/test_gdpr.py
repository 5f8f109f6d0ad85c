"""Data rights for comments and threads: the export has what the member wrote; erasing keeps
it under the anonymised account or removes the text, as the member chooses."""

from __future__ import annotations

import pytest

from comments import gdpr as comments_gdpr
from comments.models import Comment, Revision
from comments.services import comment_create, comment_edit
from core.privacy import member_erase
from discussions import gdpr as discussions_gdpr
from discussions.models import Thread
from tests.accounts.factories import member_of
from tests.conftest import in_portal
from tests.discussions.factories import thread_in
from tests.spaces.factories import space_of

pytestmark = pytest.mark.django_db


def _written(portal):
    kim = member_of(portal, display_name="Kim")
    other = member_of(portal)
    with in_portal(portal):
        space = space_of(members=[kim, other])
        thread = thread_in(space, kim, title="Kims Thema", body="Kims Text")
        comment = comment_create(author=kim, target=thread, body="Erste Fassung")
        comment_edit(user=kim, comment=comment, body="Zweite Fassung")
        reply = comment_create(author=other, target=thread, body="Antwort", parent=comment)
    return kim, thread, comment, reply


def test_export_has_the_comments_edits_and_threads(portal_a):
    kim, _thread, _comment, _reply = _written(portal_a)
    with in_portal(portal_a):
        assert [r["body"] for r in comments_gdpr._export_comments(kim)] == ["Zweite Fassung"]
        assert [r["body"] for r in comments_gdpr._export_revisions(kim)] == ["Erste Fassung"]
        assert discussions_gdpr._export(kim)[0]["title"] == "Kims Thema"


def test_erasing_without_content_removes_the_text_and_keeps_replies(portal_a):
    kim, thread, comment, reply = _written(portal_a)
    with in_portal(portal_a):
        member_erase(user=kim, keep_content=False)
        comment = Comment.objects.get(pk=comment.pk)
        assert comment.body == "" and comment.deleted_at is not None
        assert Comment.objects.get(pk=reply.pk).body == "Antwort"
        assert not Revision.objects.filter(body="Erste Fassung").exists()
        erased = Thread.objects.get(pk=thread.pk)
        assert erased.title == "" and erased.deleted_at is not None


def test_erasing_with_content_keeps_it(portal_a):
    kim, thread, comment, _reply = _written(portal_a)
    with in_portal(portal_a):
        member_erase(user=kim, keep_content=True)
        assert Comment.objects.get(pk=comment.pk).body == "Zweite Fassung"
        assert Thread.objects.get(pk=thread.pk).title == "Kims Thema"
        assert Revision.objects.get().edited_by_id is None
