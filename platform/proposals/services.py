"""Writes of proposals: start and edit one in a space (every edit a new version), co-sign and
withdraw a signature, submit it to a council body (reference, PDF letter, e-mail), record what
the council did with it, and the portal's settings and recipient bodies.

Every function is keyword-only and atomic, checks before it writes and records an audit row.
Refusals are `PermissionDenied` (the actor may not do this to a proposal they can see: 403) or
`ValidationError` (bad input or a state that does not allow it, per field where a field is to
blame). A proposal the actor may not see is an Http404, the same as a missing one.

The letter is rendered inside the submitting transaction (a failure submits nothing); the
e-mail goes out from a task after the commit, so a slow mail server never holds the request.
One signature per (proposal, member) is kept by the database (`proposal_signature_once`).
"""

from __future__ import annotations

from typing import Final

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Topic, User
from core import visibility
from core.event_types import EventType
from core.media import MiB, display_name, read_upload
from core.richtext import plain
from core.services import audit_record
from core.text import single_line
from features.limits import check_storage_here
from features.selectors import enabled_here
from proposals import selectors
from proposals.models import (
    BodyKind,
    CoSignature,
    Decision,
    Proposal,
    ProposalSettings,
    ProposalStatus,
    ProposalStep,
    ProposalVersion,
    RecipientBody,
)

MAX_TITLE: Final = 200
MAX_TEXT: Final = 30_000
MAX_NOTE: Final = 10_000
MAX_ANSWER_BYTES: Final = 10 * MiB
MAX_THRESHOLD: Final = 500


# --- checks ------------------------------------------------------------------------------


def _require_member(user) -> None:
    if user is None or not user.is_authenticated or not user.is_active:
        raise PermissionDenied(_("Log in as a member of this portal first."))
    if not enabled_here(selectors.FEATURE):
        raise PermissionDenied(_("Proposals are not switched on here."))


def _require_visible(user, proposal: Proposal) -> None:
    if not visibility.can_see(user, proposal):
        raise Http404


def _require_portal_staff(user) -> None:
    from spaces.selectors import is_portal_staff

    if not is_portal_staff(user):
        raise PermissionDenied(_("Only the portal's moderators and administrators can do this."))


def _require_portal_admin(user) -> None:
    from accounts.models import Role

    if getattr(user, "role", None) != Role.ADMIN:
        raise PermissionDenied(_("Only the portal's administrators can do this."))


def can_edit(*, user, proposal: Proposal) -> bool:
    """The space's active members, while the proposal is a draft and the space is open."""
    from spaces.selectors import can_contribute

    return proposal.is_draft and can_contribute(user=user, space=proposal.space)


def can_submit(*, user, proposal: Proposal) -> bool:
    """The space's admins (and the portal's administrators), while it is a draft."""
    from spaces.selectors import is_space_admin

    return (
        proposal.is_draft
        and not proposal.space.is_archived
        and is_space_admin(user=user, space=proposal.space)
    )


def can_sign(*, user, proposal: Proposal) -> bool:
    """Any active member of the portal who sees the draft (a petition collects support)."""
    return bool(user is not None and user.is_authenticated and user.is_active and proposal.is_draft)


def can_record(*, user, proposal: Proposal) -> bool:
    from spaces.selectors import is_portal_staff

    return is_portal_staff(user) and bool(selectors.next_statuses(proposal))


# --- cleaning ------------------------------------------------------------------------------


def _line(errors: dict, field: str, value: str, limit: int) -> str:
    try:
        value = single_line(value or "")
    except ValidationError as exc:
        errors[field] = exc.messages
        return ""
    if len(value) > limit:
        errors[field] = [_("At most %(limit)d characters.") % {"limit": limit}]
    return value


def _text(errors: dict, field: str, value: str, limit: int, *, required: str = "") -> str:
    value = (value or "").replace("\r\n", "\n").strip()
    if not value and required:
        errors[field] = [required]
    elif len(value) > limit:
        errors[field] = [_("At most %(limit)d characters.") % {"limit": limit}]
    return value


def _validated(
    *, title: str, text: str, recipient_id, topic_id, place: str, note: str = ""
) -> dict:
    errors: dict[str, list[str]] = {}
    title = _line(errors, "title", title, MAX_TITLE)
    if not title and "title" not in errors:
        errors["title"] = [_("Give the proposal a title.")]
    text = _text(errors, "text", text, MAX_TEXT, required=_("Write the text of the proposal."))
    place = _line(errors, "place", place, 120)
    note = _line(errors, "note", note, 300)
    recipient = None
    if recipient_id:
        recipient = selectors.recipients_open().filter(pk=recipient_id).first()
        if recipient is None:
            errors["recipient"] = [_("Choose a body from the list.")]
    topic = None
    if topic_id:
        topic = Topic.objects.filter(pk=topic_id).first()
        if topic is None:
            errors["topic"] = [_("Choose a topic from the list.")]
    if errors:
        raise ValidationError(errors)
    return {
        "title": title,
        "text": text,
        "recipient": recipient,
        "topic": topic,
        "place": place,
        "note": note,
    }


def _follow(user: User, proposal: Proposal) -> None:
    from notifications.services import follow

    follow(user=user, target=proposal)


def _notify(*, actor: User, proposal: Proposal, event_type: EventType, title: str, excerpt=""):
    from notifications.services import notify

    notify(
        event_type=event_type,
        actor=actor,
        target=proposal,
        recipients=selectors.interested_in(proposal),
        title=title,
        excerpt=excerpt,
    )


# --- drafting ------------------------------------------------------------------------------


@transaction.atomic
def proposal_start(
    *,
    actor: User,
    space,
    title: str,
    text: str,
    recipient_id: int | None = None,
    topic_id: int | None = None,
    place: str = "",
    idea_id: int | None = None,
) -> Proposal:
    """A new draft in `space` (its active members), optionally from an idea the actor sees;
    version 1 is the text as given. The author follows the proposal."""
    from spaces.selectors import can_contribute

    _require_member(actor)
    if not visibility.can_see(actor, space):
        raise Http404
    if not can_contribute(user=actor, space=space):
        raise PermissionDenied(_("Only active members of this space can start a proposal."))
    fields = _validated(
        title=title, text=text, recipient_id=recipient_id, topic_id=topic_id, place=place
    )
    idea = None
    if idea_id:
        from ideas.selectors import ideas_visible_to

        idea = ideas_visible_to(user=actor).filter(pk=idea_id).first()
        if idea is None:
            raise ValidationError({"idea": _("Choose an idea you can see.")})
    note = fields.pop("note")
    proposal = Proposal.objects.create(space=space, idea=idea, created_by=actor, **fields)
    ProposalVersion.objects.create(
        proposal=proposal,
        number=1,
        title=proposal.title,
        text=proposal.text,
        note=note,
        author=actor,
    )
    audit_record(event_type=EventType.PROPOSAL_STARTED, actor=actor, obj=proposal)
    _follow(actor, proposal)
    return proposal


@transaction.atomic
def proposal_edit(
    *,
    actor: User,
    proposal: Proposal,
    title: str,
    text: str,
    recipient_id: int | None = None,
    topic_id: int | None = None,
    place: str = "",
    note: str = "",
) -> ProposalVersion | None:
    """Change a draft (the space's active members). A changed title or text is a new version;
    the recipient, topic and place change in place. Returns the new version, or None when the
    text stayed as it was."""
    _require_member(actor)
    _require_visible(actor, proposal)
    proposal = Proposal.objects.select_for_update().select_related("space").get(pk=proposal.pk)
    if not can_edit(user=actor, proposal=proposal):
        if not proposal.is_draft:
            raise ValidationError(_("A submitted proposal cannot be changed any more."))
        raise PermissionDenied(_("Only active members of this space can edit the proposal."))
    fields = _validated(
        title=title,
        text=text,
        recipient_id=recipient_id,
        topic_id=topic_id,
        place=place,
        note=note,
    )
    note = fields.pop("note")
    new_text = (fields["title"], fields["text"]) != (proposal.title, proposal.text)
    for key, value in fields.items():
        setattr(proposal, key, value)
    proposal.save()
    version = None
    if new_text:
        latest = proposal.versions.order_by("-number").values_list("number", flat=True).first()
        version = ProposalVersion.objects.create(
            proposal=proposal,
            number=(latest or 0) + 1,
            title=proposal.title,
            text=proposal.text,
            note=note,
            author=actor,
        )
    audit_record(
        event_type=EventType.PROPOSAL_EDITED,
        actor=actor,
        obj=proposal,
        detail={"version": version.number if version else None},
    )
    _follow(actor, proposal)
    return version


# --- co-signing ------------------------------------------------------------------------------


def _latest_version(proposal: Proposal) -> int:
    return proposal.versions.order_by("-number").values_list("number", flat=True).first() or 1


@transaction.atomic
def proposal_cosign(*, actor: User, proposal: Proposal) -> CoSignature:
    """Sign a draft (once: a second signature, also at the same moment, returns the first).
    The signature names the version signed; signing follows the proposal."""
    _require_member(actor)
    _require_visible(actor, proposal)
    if not can_sign(user=actor, proposal=proposal):
        raise ValidationError(_("This proposal has been submitted and takes no more signatures."))
    existing = CoSignature.objects.filter(proposal=proposal, user=actor).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            signature = CoSignature.objects.create(
                proposal=proposal, user=actor, version=_latest_version(proposal)
            )
    except IntegrityError:  # the same signature at the same moment: the other one counts
        return CoSignature.objects.get(proposal=proposal, user=actor)
    audit_record(event_type=EventType.PROPOSAL_COSIGNED, actor=actor, obj=proposal)
    _follow(actor, proposal)
    from notifications.services import notify

    notify(
        event_type=EventType.PROPOSAL_COSIGNED,
        actor=actor,
        target=proposal,
        recipients=[proposal.created_by],
        title=_("%(name)s co-signed “%(proposal)s”") % {"name": actor, "proposal": proposal.title},
    )
    return signature


@transaction.atomic
def proposal_unsign(*, actor: User, proposal: Proposal) -> bool:
    """Take one's signature back while the proposal is a draft; False when there was none."""
    _require_member(actor)
    _require_visible(actor, proposal)
    if not proposal.is_draft:
        raise ValidationError(
            _("The proposal has been submitted; your signature can no longer be withdrawn.")
        )
    deleted, _rows = CoSignature.objects.filter(proposal=proposal, user=actor).delete()
    if deleted:
        audit_record(event_type=EventType.PROPOSAL_SIGNATURE_WITHDRAWN, actor=actor, obj=proposal)
    return bool(deleted)


# --- submitting ------------------------------------------------------------------------------


def _reference(proposal: Proposal, now) -> str:
    # Serialised by the settings row's lock (proposal_submit), so two submissions never share
    # a number.
    year = now.year
    taken = Proposal.objects.filter(submitted_at__year=year).exclude(reference="").count()
    return f"A-{year}-{taken + 1}"


def _store(name: str, content: bytes) -> str:
    return default_storage.save(name, ContentFile(content))


@transaction.atomic
def proposal_submit(*, actor: User, proposal: Proposal) -> Proposal:
    """Submit a draft to its recipient body: the space's admins, once it has the co-signatures
    the portal asks for and a body with an e-mail address. Gives the reference, renders the
    letter, starts the public timeline, tells everyone concerned and sends the mail after the
    commit. Refused with what is missing (the number of signatures, the body, its address)."""
    from proposals import letter

    _require_member(actor)
    _require_visible(actor, proposal)
    settings_row = ProposalSettings.objects.select_for_update().get(
        pk=selectors.proposal_settings().pk
    )
    proposal = (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("space", "recipient", "created_by", "idea")
        .get(pk=proposal.pk)
    )
    if not proposal.is_draft:
        raise ValidationError(_("This proposal has been submitted already."))
    if not can_submit(user=actor, proposal=proposal):
        raise PermissionDenied(_("Only the admins of this space can submit its proposals."))
    missing = selectors.missing_signatures(
        proposal=proposal, threshold=settings_row.cosigner_threshold
    )
    problems = []
    if missing:
        problems.append(
            ngettext(
                "It needs %(count)d more co-signature before it can be submitted.",
                "It needs %(count)d more co-signatures before it can be submitted.",
                missing,
            )
            % {"count": missing}
        )
    if proposal.recipient is None or not proposal.recipient.active:
        problems.append(_("Choose the body the proposal goes to."))
    elif not proposal.recipient.email:
        problems.append(
            _("“%(body)s” has no e-mail address yet: ask the portal's administrators to add it.")
            % {"body": proposal.recipient.name}
        )
    if problems:
        raise ValidationError(problems)
    now = timezone.now()
    proposal.status = ProposalStatus.SUBMITTED
    proposal.submitted_at = now
    proposal.reference = _reference(proposal, now)
    proposal.save(update_fields=["status", "submitted_at", "reference", "updated_at"])
    content = letter.render_letter(proposal=proposal, when=timezone.localdate(now))
    check_storage_here(len(content))
    proposal.letter = _store(f"proposals/{proposal.pk}/{proposal.reference}.pdf", content)
    proposal.save(update_fields=["letter", "updated_at"])
    ProposalStep.objects.create(
        proposal=proposal,
        status=ProposalStatus.SUBMITTED,
        note=_("Sent to %(body)s.") % {"body": proposal.recipient.name},
        by=actor,
    )
    audit_record(
        event_type=EventType.PROPOSAL_SUBMITTED,
        actor=actor,
        obj=proposal,
        detail={"reference": proposal.reference, "recipient": proposal.recipient_id},
    )
    _notify(
        actor=actor,
        proposal=proposal,
        event_type=EventType.PROPOSAL_SUBMITTED,
        title=_("“%(proposal)s” was submitted to %(body)s")
        % {"proposal": proposal.title, "body": proposal.recipient.name},
    )
    schema = connection.schema_name
    pk, actor_pk = proposal.pk, actor.pk

    def send() -> None:
        from tenants.celery import PORTAL_HEADER, _task_by_name

        _task_by_name("proposals.tasks.send_letter").apply_async(
            kwargs={"proposal_id": pk, "actor_id": actor_pk}, headers={PORTAL_HEADER: schema}
        )

    # robust: the proposal is submitted and its letter stored whatever the broker says; the
    # timeline shows whether the mail went out, and admins can send it again.
    transaction.on_commit(send, robust=True)
    return proposal


def send_letter(*, proposal_id: int, actor_id: int | None = None) -> bool:
    """E-mail the stored letter to the recipient body, with the PDF attached (the task). False
    when there is nothing to send (not submitted, no address, the file is gone)."""
    from themes.mail import send_themed_mail

    proposal = (
        Proposal.objects.select_related("space", "recipient", "created_by")
        .filter(pk=proposal_id)
        .first()
    )
    if (
        proposal is None
        or proposal.is_draft
        or not proposal.letter
        or proposal.recipient is None
        or not proposal.recipient.email
    ):
        return False
    try:
        with default_storage.open(proposal.letter, "rb") as handle:
            content = handle.read()
    except FileNotFoundError:
        return False
    send_themed_mail(
        to=proposal.recipient.email,
        template="proposals/email/letter",
        context={"proposal": proposal, "signatories": selectors.signatories(proposal)},
        attachments=((f"{proposal.reference}.pdf", content, "application/pdf"),),
        reply_to=(proposal.created_by.email,),
    )
    audit_record(
        event_type=EventType.PROPOSAL_LETTER_SENT,
        actor_label="proposals",
        obj=proposal,
        detail={"to": proposal.recipient.email, "by": actor_id},
    )
    return True


# --- the council's answer --------------------------------------------------------------------


def _clean_answer(upload: UploadedFile) -> bytes:
    fallback = _("The answer")
    try:
        data = read_upload(
            upload, label=display_name(upload.name, fallback), max_bytes=MAX_ANSWER_BYTES
        )
    except ValidationError as exc:
        raise ValidationError({"attachment": exc.messages}) from exc
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-2048:]:
        raise ValidationError({"attachment": _("Upload the council's answer as a PDF file.")})
    try:
        check_storage_here(len(data))
    except ValidationError as exc:
        raise ValidationError({"attachment": exc.messages}) from exc
    return data


@transaction.atomic
def proposal_record_step(
    *,
    actor: User,
    proposal: Proposal,
    status: str,
    decision: str = "",
    meeting_id: int | None = None,
    note: str = "",
    attachment: UploadedFile | None = None,
) -> ProposalStep:
    """Record what the council did (the portal's moderators and administrators): received, on
    the agenda of a meeting (one of the body's imported meetings, or described in the note),
    decided (accepted, rejected or referred) with the council's answer as text or PDF. Steps go
    forward only; a decision is final. Everyone concerned is told."""
    _require_member(actor)
    _require_visible(actor, proposal)
    _require_portal_staff(actor)
    proposal = (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("space", "recipient")
        .get(pk=proposal.pk)
    )
    errors: dict[str, list[str]] = {}
    allowed = selectors.next_statuses(proposal)
    if status not in allowed:
        errors["status"] = [
            _("A proposal that is %(now)s cannot become %(next)s.")
            % {
                "now": proposal.get_status_display(),
                "next": dict(ProposalStatus.choices).get(status, status),
            }
        ]
    note = _text(errors, "note", note, MAX_NOTE)
    meeting = None
    if meeting_id:
        meeting = selectors.meetings_for(body=proposal.recipient).filter(pk=meeting_id).first()
        if meeting is None:
            errors["meeting"] = [_("Choose a meeting of %(body)s.") % {"body": proposal.recipient}]
    if status == ProposalStatus.ON_AGENDA and meeting is None and not note and not errors:
        errors["meeting"] = [_("Choose the meeting, or describe it in the note.")]
    if status == ProposalStatus.DECIDED:
        if decision not in Decision.values:
            errors["decision"] = [_("Choose what the council decided.")]
        if not note and attachment is None:
            errors.setdefault("note", []).append(
                _("Give the council's answer as text or as a PDF.")
            )
    elif decision:
        decision = ""
    data = None
    if attachment is not None and not errors:
        try:
            data = _clean_answer(attachment)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    step = ProposalStep.objects.create(
        proposal=proposal, status=status, decision=decision, meeting=meeting, note=note, by=actor
    )
    if data is not None:
        step.attachment = _store(f"proposals/{proposal.pk}/answer-{step.pk}.pdf", data)
        step.save(update_fields=["attachment"])
    proposal.status = status
    fields = ["status", "updated_at"]
    if meeting is not None:
        proposal.meeting = meeting
        fields.append("meeting")
    if status == ProposalStatus.DECIDED:
        proposal.decision = decision
        proposal.decided_at = timezone.now()
        fields += ["decision", "decided_at"]
    proposal.save(update_fields=fields)
    audit_record(
        event_type=EventType.PROPOSAL_STATUS_CHANGED,
        actor=actor,
        obj=proposal,
        detail={"status": status, "decision": decision, "meeting": meeting_id},
    )
    _notify(
        actor=actor,
        proposal=proposal,
        event_type=EventType.PROPOSAL_STATUS_CHANGED,
        title=step_headline(step, proposal),
        excerpt=plain(note, limit=300),
    )
    return step


def step_headline(step: ProposalStep, proposal: Proposal) -> str:
    """One line for a notification about a step, e.g. "“Tree sponsorships” was accepted"."""
    values = {"proposal": proposal.title, "body": proposal.recipient.name}
    if step.status == ProposalStatus.RECEIVED:
        return _("“%(proposal)s” was received by %(body)s") % values
    if step.status == ProposalStatus.ON_AGENDA:
        if step.meeting is not None:
            return _("“%(proposal)s” is on the agenda of %(meeting)s") % {
                **values,
                "meeting": step.meeting.name,
            }
        return _("“%(proposal)s” is on the agenda of %(body)s") % values
    if step.status == ProposalStatus.DECIDED:
        return {
            Decision.ACCEPTED: _("“%(proposal)s” was accepted"),
            Decision.REJECTED: _("“%(proposal)s” was rejected"),
            Decision.REFERRED: _("“%(proposal)s” was referred"),
        }.get(step.decision, _("“%(proposal)s” was decided")) % values
    return _("“%(proposal)s” was submitted") % values


# --- the portal's settings and bodies --------------------------------------------------------


@transaction.atomic
def settings_update(*, actor: User, cosigner_threshold) -> ProposalSettings:
    _require_member(actor)
    _require_portal_admin(actor)
    try:
        threshold = int(cosigner_threshold)
    except (TypeError, ValueError):
        threshold = -1
    if not 0 <= threshold <= MAX_THRESHOLD:
        raise ValidationError(
            {
                "cosigner_threshold": _("Enter a whole number from 0 to %(max)d.")
                % {"max": MAX_THRESHOLD}
            }
        )
    row = ProposalSettings.objects.select_for_update().get(pk=selectors.proposal_settings().pk)
    before = row.cosigner_threshold
    row.cosigner_threshold = threshold
    row.save()
    audit_record(
        event_type=EventType.PROPOSAL_SETTINGS_CHANGED,
        actor=actor,
        detail={"cosigner_threshold": [before, threshold]},
    )
    return row


@transaction.atomic
def body_save(
    *,
    actor: User,
    body: RecipientBody | None = None,
    name: str,
    kind: str,
    email: str = "",
    active: bool = True,
) -> RecipientBody:
    """Create or change a recipient body (the portal's administrators)."""
    from django.core.validators import validate_email

    _require_member(actor)
    _require_portal_admin(actor)
    errors: dict[str, list[str]] = {}
    name = _line(errors, "name", name, 200)
    if not name and "name" not in errors:
        errors["name"] = [_("Give the body's name.")]
    if kind not in BodyKind.values:
        errors["kind"] = [_("Choose a kind from the list.")]
    email = (email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = [_("Enter a valid e-mail address.")]
    if errors:
        raise ValidationError(errors)
    body = body or RecipientBody()
    body.name, body.kind, body.email, body.active = name, kind, email, bool(active)
    body.save()
    audit_record(event_type=EventType.PROPOSAL_BODY_SAVED, actor=actor, obj=body)
    return body


def oparl_import_start(*, actor: User, url: str) -> None:
    """Check the address now (a clear error at once) and import in the background."""
    from core.outbound import validate_url

    _require_member(actor)
    _require_portal_admin(actor)
    url = (url or "").strip()
    if not url:
        raise ValidationError({"url": _("Enter the address of the OParl system.")})
    try:
        validate_url(url)
    except ValidationError as exc:
        raise ValidationError({"url": exc.messages}) from exc
    schema = connection.schema_name
    actor_pk = actor.pk

    def start() -> None:
        from tenants.celery import PORTAL_HEADER, _task_by_name

        _task_by_name("proposals.tasks.import_oparl").apply_async(
            kwargs={"url": url, "actor_id": actor_pk}, headers={PORTAL_HEADER: schema}
        )

    transaction.on_commit(start)
