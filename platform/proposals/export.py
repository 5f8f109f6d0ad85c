"""The proposals as CSV for the portal's moderators and administrators, built like the ideas
export: UTF-8 with a byte order mark, every cell formula-safe (members.export.cell)."""

from __future__ import annotations

import csv
import io

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from members.export import BOM, cell
from proposals.models import Decision, Proposal, ProposalStatus


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def proposals_csv(proposals: QuerySet[Proposal]) -> str:
    statuses = dict(ProposalStatus.choices)
    decisions = dict(Decision.choices)
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    headings = (
        _("ID"), _("Reference"), _("Title"), _("Space"), _("Started by"), _("To"),
        _("Topic"), _("District or place"), _("Status"), _("Decision"), _("Meeting"),
        _("Co-signatures"), _("Idea"), pgettext("date column", "Started"),
        pgettext("date column", "Submitted"), pgettext("date column", "Decided"),
    )  # fmt: skip
    writer.writerow([cell(heading) for heading in headings])
    for p in proposals:
        writer.writerow(
            [
                cell(value)
                for value in (
                    p.pk,
                    p.reference,
                    p.title,
                    p.space.name,
                    p.created_by,
                    p.recipient.name if p.recipient else "",
                    p.topic.name if p.topic else "",
                    p.place,
                    statuses.get(p.status, p.status),
                    decisions.get(p.decision, p.decision),
                    p.meeting.name if p.meeting else "",
                    p.signature_count,
                    p.idea.title if p.idea else "",
                    _when(p.created_at),
                    _when(p.submitted_at),
                    _when(p.decided_at),
                )
            ]
        )
    return out.getvalue()
