"""Data rights: a member's ideas, supports and status changes are exported, and erased."""

from __future__ import annotations

from core import gdpr
from ideas.models import Idea, StatusChange, Support
from tests.ideas.factories import idea_of, support_of


def test_export_and_erase(people, in_b):
    idea = idea_of(author=people.author, title="Meine Idee")
    other = idea_of(author=people.member, title="Fremde Idee")
    support_of(other, people.author)
    StatusChange.objects.create(
        idea=other, from_status="new", to_status="discussion", reason="Grund", by=people.author
    )
    labels = gdpr.registered_labels()
    assert {"ideas.Idea", "ideas.Support", "ideas.StatusChange"} <= labels
    exporters = {entry.model._meta.label_lower: entry for entry in gdpr.entries()}
    ideas = exporters["ideas.idea"].exporter(people.author)
    assert [row["title"] for row in ideas] == ["Meine Idee"]
    assert [row["idea"] for row in exporters["ideas.support"].exporter(people.author)] == [
        "Fremde Idee"
    ]
    assert exporters["ideas.statuschange"].exporter(people.author)[0]["reason"] == "Grund"
    for label in ("ideas.support", "ideas.statuschange", "ideas.idea"):
        exporters[label].eraser(people.author, keep_content=False)
    assert not Idea.objects.filter(pk=idea.pk).exists()
    assert not Support.objects.filter(user=people.author).exists()
    assert StatusChange.objects.get(idea=other).by is None
