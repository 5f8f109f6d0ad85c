"""The ideas as CSV for the portal's moderators and administrators, built like the members
list (members.export): UTF-8 with a byte order mark, and every cell formula-safe (a cell that
starts with = + - @, a tab or a carriage return gets a leading apostrophe). Built whole while
the request is in the portal's schema."""

from __future__ import annotations

import csv
import io

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ideas.models import Idea, IdeaStatus
from members.export import BOM, cell


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def ideas_csv(ideas: QuerySet[Idea]) -> str:
    statuses = dict(IdeaStatus.choices)
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    headings = (
        _("ID"), _("Title"), _("Author"), _("On behalf of"), _("Topic"), _("District or place"),
        _("Status"), _("Supports"), _("Project"), _("Posted"), _("Hidden"),
    )  # fmt: skip
    writer.writerow([cell(heading) for heading in headings])
    for idea in ideas:
        writer.writerow(
            [
                cell(value)
                for value in (
                    idea.pk,
                    idea.title,
                    idea.author,
                    idea.on_behalf_of.name if idea.on_behalf_of else "",
                    idea.topic.name if idea.topic else "",
                    idea.place,
                    statuses.get(idea.status, idea.status),
                    idea.support_count,
                    idea.project.name if idea.project else "",
                    _when(idea.created_at),
                    _when(idea.hidden_at),
                )
            ]
        )
    return out.getvalue()
