"""Feeds (RSS and Atom) and the moderators' CSV export: they parse, show only visible ideas,
escape script and are formula-safe; the export is refused to members."""

from __future__ import annotations

import csv
import io

from defusedxml import ElementTree as ET
from django.utils import timezone

from accounts.models import Topic
from tests.conftest import in_portal
from tests.ideas.factories import idea_of

SCRIPT = '<script>alert("x")</script>'
ATOM = "{http://www.w3.org/2005/Atom}"


def test_feeds_parse_and_hold_only_visible_ideas(people, portal_b):
    with in_portal(portal_b):
        topic = Topic.objects.create(name="Wasser")
        idea_of(author=people.author, title="Brunnen", topic=topic, place="Nord")
        idea_of(author=people.author, title="Ampel", place="Süd")
        idea_of(author=people.author, title="Versteckt", hidden_at=timezone.now())
    client = people.client("visitor")
    rss = client.get("/ideas/feed/rss/")
    assert rss.status_code == 200 and rss["Content-Type"].startswith("application/rss+xml")
    titles = {item.findtext("title") for item in ET.fromstring(rss.content).iter("item")}
    assert titles == {"Brunnen", "Ampel"}
    atom = client.get("/ideas/feed/atom/", {"topic": topic.pk})
    root = ET.fromstring(atom.content)
    assert [e.findtext(f"{ATOM}title") for e in root.iter(f"{ATOM}entry")] == ["Brunnen"]
    south = ET.fromstring(client.get("/ideas/feed/atom/", {"district": "süd"}).content)
    assert [e.findtext(f"{ATOM}title") for e in south.iter(f"{ATOM}entry")] == ["Ampel"]


def test_script_is_escaped_in_page_feed_csv_and_api(people, portal_b):
    with in_portal(portal_b):
        idea = idea_of(author=people.author, title=SCRIPT, description=SCRIPT, place=SCRIPT)
    member = people.client("member")
    for url in ("/ideas/", f"/ideas/{idea.pk}/"):
        page = member.get(url).content.decode()
        assert SCRIPT not in page
        assert "&lt;script&gt;" in page
    feed = member.get("/ideas/feed/rss/").content
    root = ET.fromstring(feed)  # it parses: the script is text, not markup
    item = next(root.iter("item"))
    assert item.findtext("title") == SCRIPT
    assert "<script" not in (item.findtext("description") or "")
    exported = people.client("admin").get("/ideas/export/").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(exported)))
    assert rows[1][1] == SCRIPT  # plain text in a cell, which a spreadsheet does not run
    api = member.get(f"/api/v1/ideas/{idea.pk}/").json()
    assert api["title"] == SCRIPT
    assert "<script" not in api["description_html"]


def test_the_csv_export_is_formula_safe_and_for_moderators_only(people, portal_b):
    with in_portal(portal_b):
        idea_of(author=people.author, title='=HYPERLINK("http://evil")', place="+49 Nord")
        idea_of(author=people.author, title="@SUM(A1)", place="-1")
    assert people.client("member").get("/ideas/export/").status_code == 403
    visitor = people.client("visitor").get("/ideas/export/")
    assert visitor.status_code == 302 and "login" in visitor["Location"]
    for role in ("moderator", "admin"):  # positive control
        response = people.client(role).get("/ideas/export/")
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    cells = [cell for row in rows[1:] for cell in row]
    assert '\'=HYPERLINK("http://evil")' in cells and "'@SUM(A1)" in cells
    assert "'+49 Nord" in cells and "'-1" in cells
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
