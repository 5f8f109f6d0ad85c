"""Writes of moderation: filing reports, hiding content, warning and blocking, deciding.

Every function is atomic, takes keyword arguments only and writes one audit row per change.
Refusals: Http404 for a target the caller cannot see (the same as a missing one),
PermissionDenied when the caller may not moderate where the target lives (space admins moderate
their own spaces only; only portal staff block), ValidationError for bad input or a decision
taken twice. Reporters learn the outcome of their report without learning who decided it.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from core.event_types import EventType
from core.services import audit_record
from moderation import selectors
from moderation.models import (
    TEXT_MAX_LENGTH,
    MemberWarning,
    Outcome,
    Reason,
    Report,
    ReportStatus,
)
from moderation.permissions import may_block, may_moderate

OUTCOME_MESSAGES = {
    Outcome.HIDDEN: gettext_lazy("The moderators have hidden what you reported."),
    Outcome.NO_ACTION: gettext_lazy(
        "The moderators looked at what you reported and took no action."
    ),
    Outcome.WARNED: gettext_lazy("The moderators have warned the author of what you reported."),
    Outcome.BLOCKED: gettext_lazy("The moderators have blocked the author of what you reported."),
}


def _clean_text(text: str, *, field: str, required: bool = False) -> str:
    text = (text or "").strip()
    if required and not text:
        raise ValidationError({field: _("Write a few words first.")})
    if len(text) > TEXT_MAX_LENGTH:
        raise ValidationError(
            {field: _("Keep it under %(limit)s characters.") % {"limit": TEXT_MAX_LENGTH}}
        )
    return text


def _require_moderator(*, moderator: User, target: models.Model) -> None:
    if not may_moderate(user=moderator, space=selectors.space_of_target(target)):
        raise PermissionDenied(_("You do not moderate this."))


def _has_hidden_at(target: models.Model) -> bool:
    return any(f.name == "hidden_at" for f in target._meta.concrete_fields)


def report_file(*, reporter: User, target: models.Model, reason: str, text: str = "") -> Report:
    """Report `target` (content or a member account) to the moderators. Reporting the same
    thing again while the first report is open returns that report and changes nothing."""
    if reason not in Reason.values:
        raise ValidationError({"reason": _("Choose one of the reasons offered.")})
    text = _clean_text(text, field="text")
    # Http404 for what the reporter cannot see: the same answer as for something missing.
    target = selectors.target_to_report(user=reporter, label=target._meta.label_lower, pk=target.pk)
    if selectors.author_of(target) == reporter:
        raise ValidationError(_("You cannot report yourself or what you wrote."))
    existing = selectors.open_reports_about(target).filter(reporter=reporter).first()
    if existing is not None:
        return existing
    report = Report(
        reporter=reporter,
        target=target,
        space=selectors.space_of_target(target),
        reason=reason,
        text=text,
    )
    try:
        with transaction.atomic():
            report.save()
            audit_record(
                event_type=EventType.REPORT_FILED,
                actor=reporter,
                obj=report,
                detail={"target": target._meta.label_lower, "target_id": target.pk},
            )
    except IntegrityError:
        # The same report sent twice at the same moment: the first one stands.
        return selectors.open_reports_about(target).get(reporter=reporter)
    return report


@transaction.atomic
def content_hide(*, moderator: User, target: models.Model, note: str = "") -> models.Model:
    """Hide `target` from everyone but its moderators. Hiding hidden content changes nothing."""
    if not _has_hidden_at(target):
        raise ValidationError(_("This cannot be hidden."))
    _require_moderator(moderator=moderator, target=target)
    fresh = type(target)._base_manager.select_for_update().get(pk=target.pk)
    if fresh.hidden_at is not None:
        return fresh
    fresh.hidden_at = timezone.now()
    fresh.save(update_fields=["hidden_at"])
    target.hidden_at = fresh.hidden_at
    audit_record(
        event_type=EventType.CONTENT_HIDDEN,
        actor=moderator,
        obj=fresh,
        detail={"note": _clean_text(note, field="note")} if note else None,
    )
    return fresh


@transaction.atomic
def content_unhide(*, moderator: User, target: models.Model) -> models.Model:
    """Show hidden content again. Content that is not hidden changes nothing."""
    if not _has_hidden_at(target):
        raise ValidationError(_("This cannot be hidden."))
    _require_moderator(moderator=moderator, target=target)
    fresh = type(target)._base_manager.select_for_update().get(pk=target.pk)
    if fresh.hidden_at is None:
        return fresh
    fresh.hidden_at = None
    fresh.save(update_fields=["hidden_at"])
    target.hidden_at = None
    audit_record(event_type=EventType.CONTENT_UNHIDDEN, actor=moderator, obj=fresh)
    return fresh


@transaction.atomic
def member_warn(
    *,
    moderator: User,
    member: User,
    text: str,
    about: models.Model | None = None,
    report: Report | None = None,
) -> MemberWarning:
    """Warn `member` (for `about`, something they wrote, when given): a warning they can read
    and a notification. Space admins warn only about content of their spaces."""
    text = _clean_text(text, field="text", required=True)
    space = selectors.space_of_target(about) if about is not None else None
    if not may_moderate(user=moderator, space=space):
        raise PermissionDenied(_("You do not moderate this."))
    if member.pk == moderator.pk:
        raise ValidationError(_("You cannot warn yourself."))
    warning = MemberWarning.objects.create(
        member=member, by=moderator, space=space, report=report, text=text
    )
    audit_record(
        event_type=EventType.MEMBER_WARNED, actor=moderator, obj=member, detail={"text": text}
    )
    from notifications.services import notify

    # Without an actor: the warning comes from the moderation team, not from a person the
    # member could turn against.
    notify(
        event_type=EventType.MEMBER_WARNED,
        actor=None,
        target=warning,
        recipients=[member],
        title=_("A warning from the moderators"),
        excerpt=text,
    )
    return warning


def member_block(*, moderator: User, member: User, reason: str = "") -> User:
    """Block `member` from the portal. Portal staff only; the members module decides the rest
    (not oneself, not the last administrator) and writes the audit row."""
    if not may_block(moderator):
        raise PermissionDenied(_("Only the portal's moderators and administrators block."))
    from members.services import member_block as block

    return block(member=member, actor=moderator, reason=reason)


def _resolve(*, moderator: User, report: Report, outcome: str, note: str) -> Report:
    fresh = (
        Report.objects.select_for_update(of=("self",)).select_related("reporter").get(pk=report.pk)
    )
    if fresh.status != ReportStatus.OPEN:
        raise ValidationError(_("This report has been decided already."))
    fresh.status = ReportStatus.RESOLVED
    fresh.outcome = outcome
    fresh.decided_by = moderator
    fresh.decided_at = timezone.now()
    fresh.decision_note = note
    fresh.save(update_fields=["status", "outcome", "decided_by", "decided_at", "decision_note"])
    audit_record(
        event_type=EventType.REPORT_RESOLVED,
        actor=moderator,
        obj=fresh,
        detail={"outcome": outcome},
    )
    if fresh.reporter is not None:
        from notifications.services import notify

        # actor=None: the reporter learns the outcome, not who decided it.
        notify(
            event_type=EventType.REPORT_RESOLVED,
            actor=None,
            target=fresh,
            recipients=[fresh.reporter],
            title=_("Your report has been decided"),
            excerpt=str(OUTCOME_MESSAGES[Outcome(outcome)]),
        )
    return fresh


@transaction.atomic
def report_resolve(*, moderator: User, report: Report, outcome: str, note: str = "") -> Report:
    """Decide one report (the action itself, such as hiding, is taken separately)."""
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": _("Choose one of the decisions offered.")})
    note = _clean_text(note, field="note")
    if not may_moderate(user=moderator, space=report.space):
        raise PermissionDenied(_("You do not moderate this."))
    return _resolve(moderator=moderator, report=report, outcome=outcome, note=note)


@transaction.atomic
def target_decide(
    *,
    moderator: User,
    target: models.Model,
    outcome: str,
    note: str = "",
    warning: str = "",
) -> list[Report]:
    """Take the decision on a reported item and close every open report about it: hide it,
    warn or block its author, or take no action. Returns the reports decided (none if nobody
    had reported it: the action is taken all the same)."""
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": _("Choose one of the decisions offered.")})
    note = _clean_text(note, field="note")
    _require_moderator(moderator=moderator, target=target)
    author = selectors.author_of(target)
    reports = list(selectors.open_reports_about(target).order_by("pk"))
    if outcome == Outcome.HIDDEN:
        content_hide(moderator=moderator, target=target, note=note)
    elif outcome in (Outcome.WARNED, Outcome.BLOCKED):
        if author is None:
            raise ValidationError(_("This has no author to warn or block."))
        if outcome == Outcome.WARNED:
            member_warn(
                moderator=moderator,
                member=author,
                text=warning,
                about=None if target is author else target,
                report=reports[0] if reports else None,
            )
        else:
            member_block(moderator=moderator, member=author, reason=note)
    return [
        _resolve(moderator=moderator, report=report, outcome=outcome, note=note)
        for report in reports
    ]


@transaction.atomic
def reports_close_orphaned(*, moderator: User, label: str, pk: int, note: str = "") -> list[Report]:
    """Close without action the open reports about an item that no longer exists (its author
    deleted it). Http404 if the moderator has no such report to decide."""
    from django.http import Http404

    note = _clean_text(note, field="note")
    reports = list(selectors.open_reports_by_key(user=moderator, label=label, pk=pk))
    if not reports:
        raise Http404
    return [
        report_resolve(moderator=moderator, report=report, outcome=Outcome.NO_ACTION, note=note)
        for report in reports
    ]
