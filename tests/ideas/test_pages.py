"""The idea page and forms: editing by the author only, an image stored clean, comments,
the report and follow buttons, search, and the module switch."""

from __future__ import annotations

import io

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from comments.models import Comment
from ideas.models import Idea, IdeaStatus
from search.selectors import offered_types, search
from tests.conftest import in_portal
from tests.core.images import jpeg_with_gps
from tests.features.conftest import set_feature
from tests.ideas.factories import idea_of


def test_only_the_author_edits_and_bad_input_keeps_the_text(people, portal_b):
    with in_portal(portal_b):
        idea = idea_of(author=people.author, title="Alter Titel")
    url = f"/ideas/{idea.pk}/edit/"
    assert people.client("member").get(url).status_code == 403
    author = people.client("author")
    assert author.get(url).status_code == 200  # positive control
    bad = author.post(url, {"title": "", "description": "Neuer Text bleibt stehen"})
    assert bad.status_code == 400 and "Neuer Text bleibt stehen" in bad.content.decode()
    good = author.post(url, {"title": "Neuer Titel", "description": "Neu"})
    assert good.status_code == 302
    with in_portal(portal_b):
        idea.refresh_from_db()
        assert idea.title == "Neuer Titel"


def test_an_image_is_stored_re_encoded_without_its_location(people, portal_b):
    upload = SimpleUploadedFile("foto.jpg", jpeg_with_gps(), "image/jpeg")
    response = people.client("author").post(
        "/ideas/new/", {"title": "Mit Bild", "description": "Siehe Foto", "image": upload}
    )
    assert response.status_code == 302
    with in_portal(portal_b):
        idea = Idea.objects.get(title="Mit Bild")
        assert idea.image.startswith(f"ideas/{idea.pk}/")
        with default_storage.open(idea.image) as stored:
            image = Image.open(io.BytesIO(stored.read()))
            assert not image.getexif()
    not_an_image = SimpleUploadedFile("x.jpg", b"<svg onload=alert(1)>", "image/jpeg")
    refused = people.client("author").post(
        "/ideas/new/", {"title": "Kein Bild", "description": "Text bleibt", "image": not_an_image}
    )
    assert refused.status_code == 400 and "Text bleibt" in refused.content.decode()


def test_members_comment_and_see_report_and_follow_buttons(people, portal_b):
    with in_portal(portal_b):
        idea = idea_of(author=people.author, title="Kommentierbar")
    member = people.client("member")
    page = member.get(f"/ideas/{idea.pk}/").content.decode()
    assert "/moderation/report/?type=ideas.idea" in page
    assert 'class="inline follow-form"' in page
    response = member.post(
        "/comments/new/",
        {"target_type": "idea", "target_id": idea.pk, "body": "Gute Idee!"},
    )
    assert response.status_code in (302, 303), response.content[:500]
    with in_portal(portal_b):
        assert Comment.objects.filter(body="Gute Idee!").exists()
    assert "Gute Idee!" in member.get(f"/ideas/{idea.pk}/").content.decode()
    # The author is not offered to report their own idea.
    assert "/moderation/report/?type=ideas.idea" not in (
        people.client("author").get(f"/ideas/{idea.pk}/").content.decode()
    )


def test_search_finds_visible_ideas_only(people, in_b):
    idea_of(author=people.author, title="Lastenradstation am Markt")
    idea_of(author=people.author, title="Lastenradverbot", hidden_at=timezone.now())
    assert "ideas" in {t.key for t in offered_types(user=people.member)}
    for user in (people.member, people.moderator):
        results = search(user=user, query="Lastenradstation", types=["ideas"])
        assert [h.title for h in results.hits] == ["Lastenradstation am Markt"]
    assert search(user=people.member, query="Lastenradverbot", types=["ideas"]).hits == []


def test_archived_ideas_take_no_support(people, portal_b):
    with in_portal(portal_b):
        idea = idea_of(author=people.author, status=IdeaStatus.ARCHIVED)
    client = people.client("member")
    client.post(f"/ideas/{idea.pk}/support/")
    with in_portal(portal_b):
        assert not idea.supports.exists()
    assert "Support this idea" not in client.get(f"/ideas/{idea.pk}/").content.decode()


def test_the_module_switched_off_hides_every_idea(people, portal_b):
    with in_portal(portal_b):
        idea = idea_of(author=people.author, title="Aus")
    member = people.client("member")
    assert member.get(f"/ideas/{idea.pk}/").status_code == 200  # positive control
    with in_portal(portal_b):
        set_feature(portal_b, "ideas", False)
    try:
        assert member.get(f"/ideas/{idea.pk}/").status_code == 404
        assert member.get("/api/v1/ideas/").status_code == 404
    finally:
        with in_portal(portal_b):
            set_feature(portal_b, "ideas", True)


def test_a_reported_idea_is_moderated_like_other_content(people, portal_b):
    from moderation.models import Reason
    from moderation.services import content_hide, report_file

    with in_portal(portal_b):
        idea = idea_of(author=people.author, title="Gemeldet")
    report = people.client("member").get(f"/moderation/report/?type=ideas.idea&id={idea.pk}")
    assert report.status_code == 200
    with in_portal(portal_b):
        report_file(reporter=people.member, target=idea, reason=Reason.values[0], text="Spam")
    queue = people.client("moderator").get("/moderation/").content.decode()
    assert "Gemeldet" in queue
    with in_portal(portal_b):
        content_hide(moderator=people.moderator, target=idea)
    assert people.client("member").get(f"/ideas/{idea.pk}/").status_code == 404
    assert people.client("moderator").get(f"/ideas/{idea.pk}/").status_code == 200
