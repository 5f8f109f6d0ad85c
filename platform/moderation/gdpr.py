"""Data rights for moderation (see core.gdpr): reports a member filed or decided, and warnings
a member received or gave.

The export has the reports the person filed (what, why, their text, the outcome) and those they
decided, and the warnings they received. Erasing unlinks the person from every report and
warning (the decisions stay as the portal's record, by "Former member"); without keeping
content, the texts they wrote go too. Warnings they received are deleted: they are about them
and nobody else needs them once the account is gone.
"""

from __future__ import annotations

from core import gdpr
from moderation.models import MemberWarning, Report


def _when(value) -> str | None:
    return value.isoformat() if value else None


def _report_export(user) -> list[gdpr.Row]:
    rows: list[gdpr.Row] = []
    for report in Report.objects.filter(reporter=user).select_related("target_type"):
        rows.append(
            {
                "role": "reporter",
                "id": report.pk,
                "target": f"{report.target_type.app_label}.{report.target_type.model}",
                "target_id": report.target_id,
                "reason": report.reason,
                "text": report.text,
                "status": report.status,
                "outcome": report.outcome,
                "created_at": _when(report.created_at),
                "decided_at": _when(report.decided_at),
            }
        )
    for report in Report.objects.filter(decided_by=user):
        rows.append(
            {
                "role": "moderator",
                "id": report.pk,
                "outcome": report.outcome,
                "decision_note": report.decision_note,
                "decided_at": _when(report.decided_at),
            }
        )
    return rows


def _report_erase(user, *, keep_content: bool) -> None:
    if keep_content:
        Report.objects.filter(reporter=user).update(reporter=None)
        Report.objects.filter(decided_by=user).update(decided_by=None)
    else:
        Report.objects.filter(reporter=user).update(reporter=None, text="")
        Report.objects.filter(decided_by=user).update(decided_by=None, decision_note="")


def _warning_export(user) -> list[gdpr.Row]:
    return [
        {"id": w.pk, "text": w.text, "created_at": _when(w.created_at)}
        for w in MemberWarning.objects.filter(member=user)
    ]


def _warning_erase(user, *, keep_content: bool) -> None:
    MemberWarning.objects.filter(member=user).delete()
    if keep_content:
        MemberWarning.objects.filter(by=user).update(by=None)
    else:
        MemberWarning.objects.filter(by=user).update(by=None, text="")


gdpr.register(Report, exporter=_report_export, eraser=_report_erase)
gdpr.register(MemberWarning, exporter=_warning_export, eraser=_warning_erase)
