"""Import of council bodies and their meetings from a council information system's OParl 1.1 API.

`read_system()` only reads: it fetches the System (or a single Body), the body list, each body's
organization and meeting lists (following `links.next`), and returns frozen dataclasses. It
writes nothing. `import_oparl()` logs the attempt as an `OParlImport` row, reads everything, and
then upserts `RecipientBody` and `CouncilMeeting` by their OParl id in one transaction; nothing
that is already there is deleted, an admin's e-mail address and deactivation win.

How it fails: every problem (network, an answer that is not OParl, a limit exceeded, the total
deadline) is a ValidationError with a translated message and a `code`, raised before anything
is written, so an import is either whole or changes nothing. The failure is still recorded on
the OParlImport row (ok=False, error=message). All HTTP goes through `core.outbound.fetch`.
See docs/oparl.md.
"""

from __future__ import annotations

import json
import logging
import re
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.event_types import EventType
from core.outbound import OutboundError, fetch
from core.services import audit_record
from proposals.models import BodyKind, CouncilMeeting, OParlImport, RecipientBody

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)

# Hard limits. An import that would exceed one fails as a whole: a partial list of bodies would
# look complete to the admin.
MAX_DOCUMENT_BYTES = 2 * 1024 * 1024
REQUEST_TIMEOUT = 10.0  # seconds for one document
TOTAL_DEADLINE = 60.0  # seconds for the whole reading
MAX_PAGES = 100  # per list; OParl servers usually send 20 to 100 objects a page
MAX_BODIES = 500  # bodies and organizations that are kept
MAX_MEETINGS = 2000  # meetings that are kept (inside the window below)
MEETINGS_BEFORE = timedelta(days=365)
MEETINGS_AHEAD = timedelta(days=2 * 365)

ID_MAX_LENGTH = RecipientBody._meta.get_field("oparl_id").max_length
BODY_NAME_LENGTH = RecipientBody._meta.get_field("name").max_length
MEETING_NAME_LENGTH = CouncilMeeting._meta.get_field("name").max_length
LOCATION_LENGTH = CouncilMeeting._meta.get_field("location").max_length
EMAIL_LENGTH = RecipientBody._meta.get_field("email").max_length

_TYPE = re.compile(r"^https?://schema\.oparl\.org/1\.[01]/(?P<name>[A-Za-z]+)$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_SPACE = re.compile(r"\s+")
# Kinds by the organization's classification, first match wins: "Ausschuss des Stadtbezirks"
# is a district body, "Ortschaftsrat" is not the council, and a "Seniorenbeirat" or an
# "Aufsichtsrat" is no council either, so "rat" alone counts only as the whole word.
_KIND_WORDS = (
    (("bezirk", "ortsbeirat", "ortschaftsrat"), BodyKind.DISTRICT_COUNCIL),
    (("ausschuss",), BodyKind.COMMITTEE),
    (
        (
            "stadtrat", "gemeinderat", "kreistag", "bürgerschaft", "buergerschaft",
            "ratsversammlung", "stadtverordnet", "gemeindevertretung",
        ),
        BodyKind.COUNCIL,
    ),
)  # fmt: skip
_CANCELLED_STATES = ("abgesagt", "ausgefallen", "entfällt", "entfaellt")


@dataclass(frozen=True)
class OParlBody:
    """A body or an organization of type Gremium, as it will become a RecipientBody."""

    id: str
    name: str
    kind: str
    email: str


@dataclass(frozen=True)
class OParlMeeting:
    """A meeting; `body_id` is the OParl id of its organization, or of its body."""

    id: str
    name: str
    starts_at: datetime | None
    location: str
    cancelled: bool
    body_id: str


@dataclass(frozen=True)
class OParlData:
    url: str
    bodies: tuple[OParlBody, ...]
    meetings: tuple[OParlMeeting, ...]


def read_system(*, url: str) -> OParlData:
    """Everything the import needs from the OParl System (or Body) at `url`; writes nothing.

    Raises ValidationError (an OutboundError for network failures) with a message to show."""
    return _Reader(url.strip()).read()


def import_oparl(*, url: str, actor: User | None) -> OParlImport:
    """Import bodies and meetings from `url` into the current portal; returns the logged row.

    `actor` is None when the admin who started it is gone (a background task): the audit row
    then names the system actor "OParl import". On failure nothing is imported, the row says
    why, and a ValidationError with that message is raised."""
    url = (url or "").strip()
    with transaction.atomic():
        record = OParlImport.objects.create(
            url=url[: OParlImport._meta.get_field("url").max_length], by=actor
        )
    try:
        data = read_system(url=url)
        with transaction.atomic():
            counts = _write(data)
            record.ok = True
            record.bodies = len(data.bodies)
            record.meetings = len(data.meetings)
            record.finished_at = timezone.now()
            record.save(update_fields=["ok", "bodies", "meetings", "finished_at"])
            audit_record(
                event_type=EventType.PROPOSAL_BODIES_IMPORTED,
                actor=actor,
                actor_label="OParl import",
                obj=record,
                detail={"url": url, "import": record.pk, **counts},
            )
    except ValidationError as exc:
        message = " ".join(exc.messages)
        _failed(record, message)
        raise ValidationError(message, code=getattr(exc, "code", None) or "oparl") from exc
    except Exception:
        # A bug or a database failure: the row must not stay "running" forever; the traceback
        # goes to the log and the exception on to the task, which reports it.
        logger.exception("OParl import %s from %s failed", record.pk, url)
        _failed(
            record, _("The import failed because of an error on our side; nothing was imported.")
        )
        raise
    return record


def _failed(record: OParlImport, message: str) -> None:
    record.ok = False
    record.error = message
    record.finished_at = timezone.now()
    record.save(update_fields=["ok", "error", "finished_at"])


# Writing ---------------------------------------------------------------------------------


def _write(data: OParlData) -> dict[str, int]:
    # Two imports of one portal at the same time would both insert the same new ids; the
    # second waits here instead of failing on the unique constraint.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtext(%s))", [f"oparl-import:{connection.schema_name}"]
        )
    now = timezone.now()
    existing = {
        b.oparl_id: b
        for b in RecipientBody.objects.filter(oparl_id__in=[b.id for b in data.bodies])
    }
    new_bodies, changed_bodies = [], []
    for item in data.bodies:
        body = existing.get(item.id)
        if body is None:
            new_bodies.append(
                RecipientBody(oparl_id=item.id, name=item.name, kind=item.kind, email=item.email)
            )
            continue
        # An admin's address wins over the system's; `active` is the admin's alone.
        email = body.email or item.email
        if (body.name, body.kind, body.email) != (item.name, item.kind, email):
            body.name, body.kind, body.email, body.updated_at = item.name, item.kind, email, now
            changed_bodies.append(body)
    RecipientBody.objects.bulk_create(new_bodies, batch_size=500)
    RecipientBody.objects.bulk_update(
        changed_bodies, ["name", "kind", "email", "updated_at"], batch_size=500
    )
    body_pks = {b.oparl_id: b.pk for b in [*existing.values(), *new_bodies]}

    stored = {
        m.oparl_id: m
        for m in CouncilMeeting.objects.filter(oparl_id__in=[m.id for m in data.meetings])
    }
    new_meetings, changed_meetings = [], []
    for item in data.meetings:
        meeting = stored.get(item.id)
        fields = (item.name, item.starts_at, item.location, item.cancelled)
        if meeting is None:
            new_meetings.append(
                CouncilMeeting(
                    oparl_id=item.id,
                    body_id=body_pks[item.body_id],
                    name=item.name,
                    starts_at=item.starts_at,
                    location=item.location,
                    cancelled=item.cancelled,
                )
            )
        elif (meeting.name, meeting.starts_at, meeting.location, meeting.cancelled) != fields:
            meeting.name, meeting.starts_at, meeting.location, meeting.cancelled = fields
            changed_meetings.append(meeting)
    CouncilMeeting.objects.bulk_create(new_meetings, batch_size=500)
    CouncilMeeting.objects.bulk_update(
        changed_meetings, ["name", "starts_at", "location", "cancelled"], batch_size=500
    )
    return {
        "bodies_created": len(new_bodies),
        "bodies_updated": len(changed_bodies),
        "meetings_created": len(new_meetings),
        "meetings_updated": len(changed_meetings),
    }


# Reading ---------------------------------------------------------------------------------


class _Reader:
    """One reading of a system, with one deadline for all its documents."""

    def __init__(self, url: str):
        self.url = url
        self.deadline = time.monotonic() + TOTAL_DEADLINE
        now = timezone.now()
        self.window = (now - MEETINGS_BEFORE, now + MEETINGS_AHEAD)
        self.today = timezone.localdate()

    def read(self) -> OParlData:
        entry = self.get(self.url)
        kind = _type_of(entry)
        if kind == "Body":
            raw_bodies = [entry]
        elif kind == "System":
            if not _is_url(entry.get("body")):
                raise _not_oparl(self.url)
            raw_bodies = self.list(entry["body"])
        else:
            raise _not_oparl(self.url)

        bodies: dict[str, OParlBody] = {}
        # Organizations that exist but are not kept (parties, ended committees): their meetings
        # are not a council's.
        skipped: set[str] = set()
        meetings: dict[str, OParlMeeting] = {}
        for raw in raw_bodies:
            body = _body(raw)
            if body is None:
                continue
            self.keep(bodies, body)
            if _is_url(raw.get("organization")):
                for org in self.list(raw["organization"]):
                    item = self.organization(org)
                    if item is not None:
                        self.keep(bodies, item)
                    elif isinstance(org.get("id"), str):
                        skipped.add(org["id"])
            if _is_url(raw.get("meeting")):
                for item in self.list(raw["meeting"]):
                    meeting = self.meeting(item, body=body, bodies=bodies, skipped=skipped)
                    if meeting is not None:
                        meetings[meeting.id] = meeting
                        if len(meetings) > MAX_MEETINGS:
                            raise ValidationError(
                                _(
                                    "The system has more than %(limit)s meetings in the "
                                    "coming two years and the past year; nothing was imported."
                                )
                                % {"limit": MAX_MEETINGS},
                                code="too_many_meetings",
                            )
        return OParlData(
            url=self.url, bodies=tuple(bodies.values()), meetings=tuple(meetings.values())
        )

    def keep(self, bodies: dict[str, OParlBody], body: OParlBody) -> None:
        bodies[body.id] = body
        if len(bodies) > MAX_BODIES:
            raise ValidationError(
                _("The system has more than %(limit)s bodies and committees; nothing was imported.")
                % {"limit": MAX_BODIES},
                code="too_many_bodies",
            )

    def organization(self, raw: dict) -> OParlBody | None:
        if _type_of(raw) != "Organization" or raw.get("deleted") is True:
            return None
        if _text(raw.get("organizationType")).casefold() != "gremium":
            return None
        ended = _date(raw.get("endDate"))
        if ended is not None and ended < self.today:
            return None
        oparl_id = _id(raw)
        name = _line(raw.get("name"), BODY_NAME_LENGTH) or _line(
            raw.get("shortName"), BODY_NAME_LENGTH
        )
        if not oparl_id or not name:
            return None
        return OParlBody(
            id=oparl_id,
            name=name,
            kind=_kind(_text(raw.get("classification")) or name),
            email=_email(raw.get("email")),
        )

    def meeting(
        self, raw: dict, *, body: OParlBody, bodies: dict[str, OParlBody], skipped: set[str]
    ) -> OParlMeeting | None:
        oparl_id = _id(raw)
        if _type_of(raw) != "Meeting" or raw.get("deleted") is True or not oparl_id:
            return None
        starts_at = _datetime(raw.get("start"))
        if starts_at is not None and not self.window[0] <= starts_at <= self.window[1]:
            return None
        listed = raw.get("organization")
        organizations = (
            [o for o in listed if isinstance(o, str)] if isinstance(listed, list) else []
        )
        owner = next((bodies[o] for o in organizations if o in bodies), None)
        if owner is None:
            if organizations and all(o in skipped for o in organizations):
                return None
            owner = body
        state = _text(raw.get("meetingState")).casefold()
        return OParlMeeting(
            id=oparl_id,
            name=_line(raw.get("name"), MEETING_NAME_LENGTH) or owner.name[:MEETING_NAME_LENGTH],
            starts_at=starts_at,
            location=_location(raw.get("location")),
            cancelled=raw.get("cancelled") is True or any(s in state for s in _CANCELLED_STATES),
            body_id=owner.id,
        )

    def list(self, url: str) -> list[dict]:
        """The objects of an external list, all its pages."""
        items: list[dict] = []
        seen: set[str] = set()
        page: str | None = url
        while page and page not in seen:
            if len(seen) >= MAX_PAGES:
                raise ValidationError(
                    _("The list at %(url)s has more than %(limit)s pages; nothing was imported.")
                    % {"url": url, "limit": MAX_PAGES},
                    code="too_many_pages",
                )
            seen.add(page)
            document = self.get(page)
            data = document.get("data")
            if not isinstance(data, list):
                raise _not_oparl(page)
            items.extend(item for item in data if isinstance(item, dict))
            links = document.get("links")
            following = links.get("next") if isinstance(links, dict) else None
            page = urljoin(page, following) if isinstance(following, str) and following else None
        return items

    def get(self, url: str) -> dict:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise self.too_slow()
        timeout = min(REQUEST_TIMEOUT, left)
        try:
            got = fetch(
                url,
                max_bytes=MAX_DOCUMENT_BYTES,
                timeout=timeout,
                accept="application/json",
                purpose="oparl",
            )
        except OutboundError as exc:
            if exc.code == "timeout" and timeout < REQUEST_TIMEOUT:
                raise self.too_slow() from None
            raise
        host = urlsplit(got.final_url).hostname or got.final_url
        if (
            got.media_type in {"text/html", "application/xhtml+xml"}
            or got.body.lstrip()[:1] == b"<"
        ):
            raise ValidationError(
                _(
                    "%(host)s answered with a web page, not with OParl data. Enter the address "
                    "of the OParl system itself, often ending in /oparl/v1.1/system."
                )
                % {"host": host},
                code="not_oparl",
            )
        try:
            document = json.loads(got.body.decode(got.charset or "utf-8-sig"))
        except (LookupError, ValueError, RecursionError):
            raise ValidationError(
                _("%(host)s did not answer with readable JSON, so it is not an OParl system.")
                % {"host": host},
                code="not_oparl",
            ) from None
        if not isinstance(document, dict):
            raise _not_oparl(url)
        return document

    def too_slow(self) -> ValidationError:
        return ValidationError(
            ngettext(
                "Reading the system took longer than %(seconds)s second and was stopped; "
                "nothing was imported.",
                "Reading the system took longer than %(seconds)s seconds and was stopped; "
                "nothing was imported.",
                # "0.5 seconds": a fraction takes the plural, as 2 does (also in German).
                int(TOTAL_DEADLINE) if float(TOTAL_DEADLINE).is_integer() else 2,
            )
            % {"seconds": f"{TOTAL_DEADLINE:g}"},
            code="deadline",
        )


def _not_oparl(url: str) -> ValidationError:
    return ValidationError(
        _("%(url)s does not answer like an OParl system.") % {"url": url}, code="not_oparl"
    )


def _body(raw: dict) -> OParlBody | None:
    oparl_id = _id(raw)
    name = _line(raw.get("name"), BODY_NAME_LENGTH) or _line(raw.get("shortName"), BODY_NAME_LENGTH)
    if _type_of(raw) != "Body" or raw.get("deleted") is True or not oparl_id or not name:
        return None
    return OParlBody(
        id=oparl_id, name=name, kind=BodyKind.COUNCIL, email=_email(raw.get("contactEmail"))
    )


def _kind(classification: str) -> str:
    words = classification.casefold()
    if words == "rat":
        return BodyKind.COUNCIL
    for needles, kind in _KIND_WORDS:
        if any(needle in words for needle in needles):
            return kind
    return BodyKind.OTHER


def _type_of(raw: Any) -> str:
    if not isinstance(raw, dict) or not isinstance(raw.get("type"), str):
        return ""
    match = _TYPE.match(raw["type"].strip())
    return match.group("name") if match else ""


def _is_url(value: Any) -> bool:
    return (
        isinstance(value, str)
        and len(value) <= ID_MAX_LENGTH
        and urlsplit(value).scheme in {"http", "https"}
    )


def _id(raw: dict) -> str:
    value = raw.get("id")
    return value if _is_url(value) else ""


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _line(value: Any, max_length: int) -> str:
    """One line of plain text: no control characters, runs of white space made one space."""
    text = _CONTROL.sub(" ", _text(value))
    return _SPACE.sub(" ", text).strip()[:max_length].strip()


def _email(value: Any) -> str:
    email = _text(value)
    if email.lower().startswith("mailto:"):
        email = email[7:]
    if not email or len(email) > EMAIL_LENGTH:
        return ""
    try:
        EmailValidator()(email)
    except ValidationError:
        return ""
    return email


def _date(value: Any) -> date | None:
    try:
        return parse_date(_text(value)[:10]) if _text(value) else None
    except ValueError:
        return None


def _datetime(value: Any) -> datetime | None:
    text = _text(value)
    if not text:
        return None
    try:
        parsed = parse_datetime(text)
        if parsed is None:
            day = parse_date(text)
            parsed = datetime(day.year, day.month, day.day) if day else None
    except ValueError:
        return None
    if parsed is not None and timezone.is_naive(parsed):
        # OParl asks for an offset; a system that leaves it out means its own (German) time.
        parsed = timezone.make_aware(parsed)
    return parsed


def _location(value: Any) -> str:
    # Only an embedded Location object is used; one given as a URL would cost a request per
    # meeting.
    if not isinstance(value, dict):
        return ""
    locality = " ".join(
        p for p in (_line(value.get("postalCode"), 20), _line(value.get("locality"), 100)) if p
    )
    parts: list[str] = []
    for part in (
        _line(value.get("description"), LOCATION_LENGTH),
        _line(value.get("room"), LOCATION_LENGTH),
        _line(value.get("streetAddress"), LOCATION_LENGTH),
        locality,
    ):
        if part and part not in parts:
            parts.append(part)
    return ", ".join(parts)[:LOCATION_LENGTH].strip(" ,")
