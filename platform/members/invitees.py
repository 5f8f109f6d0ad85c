"""Who may be invited: the checks on an invitee's address, name and role, for one invitation or
for every row of an uploaded CSV file, and the signed form in which checked rows travel from
the preview to the confirmation.

A file is refused as a whole (ValidationError naming the problem, nothing read further) when it
is too large, has more than MAX_ROWS rows, cannot be decoded or parsed, or its header is not
`email,name,role`. Otherwise every row is kept with the list of its problems; only rows without
any are invited. Cells that a spreadsheet would run as a formula are refused, never "defused":
what is invited is exactly what the file says.

Between preview and confirmation the rows travel in the confirmation form, signed with the
secret key, bound to the portal's schema and the admin, compressed and valid for an hour, not in
the session: a file of up to 1 MB would otherwise be loaded with every request the admin makes
until they confirm, two uploads in two tabs would overwrite each other, and a preview left
standing would linger in the session table. The confirmation checks every row again against
the database (someone may have joined or been invited meanwhile).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Role
from accounts.services import email_normalise
from core.text import single_line

MAX_BYTES = 1024 * 1024
MAX_ROWS = 5000
COLUMNS = ("email", "name", "role")
EMAIL_MAX_LENGTH = 254
NAME_MAX_LENGTH = 120
# A cell is carried to the confirmation cut to this length: longer ones are invalid anyway.
CELL_CARRIED = 300
PAYLOAD_MAX_AGE = 60 * 60
_SALT = "members.invitees.csv"
# What makes a spreadsheet treat a cell as a formula (OWASP "CSV injection").
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class Problem:
    """Why a row is not invited; each code has a label for the preview."""

    INVALID_EMAIL = "invalid_email"
    DUPLICATE = "duplicate"
    MEMBER = "member"
    INVITED = "invited"
    BAD_ROLE = "bad_role"
    LINE_BREAK = "line_break"
    NAME_TOO_LONG = "name_too_long"
    FORMULA = "formula"
    CELLS = "cells"

    LABELS = {
        INVALID_EMAIL: gettext_lazy("invalid address"),
        DUPLICATE: gettext_lazy("duplicate in file"),
        MEMBER: gettext_lazy("already a member"),
        INVITED: gettext_lazy("already invited"),
        BAD_ROLE: gettext_lazy("unknown role"),
        LINE_BREAK: gettext_lazy("name with a line break"),
        NAME_TOO_LONG: gettext_lazy("name too long"),
        FORMULA: gettext_lazy("formula cell"),
        CELLS: gettext_lazy("more cells than columns"),
    }


@dataclass
class Row:
    number: int  # the row in the file, as a spreadsheet counts them (the header is row 1)
    email: str
    name: str
    role: str
    problems: list[str] = field(default_factory=list)
    duplicate_of: int | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def problem_labels(self) -> list[str]:
        return [str(Problem.LABELS[p]) for p in self.problems]


def is_formula(cell: str) -> bool:
    return cell.lstrip(" ").startswith(_FORMULA_STARTS)


def role_normalise(role: str) -> str:
    """The role a cell or form names ("" is a member); unknown roles are kept as they are."""
    role = (role or "").strip().lower()
    return role or Role.MEMBER


def invitee_problems(*, email: str, name: str, role: str) -> list[str]:
    """The problems of one invitee that need no database; `email` and `role` normalised."""
    problems = []
    try:
        if len(email) > EMAIL_MAX_LENGTH:
            raise ValidationError("too long")
        validate_email(email)
    except ValidationError:
        problems.append(Problem.INVALID_EMAIL)
    try:
        single_line(name)
    except ValidationError:
        problems.append(Problem.LINE_BREAK)
    if len(name.strip()) > NAME_MAX_LENGTH:
        problems.append(Problem.NAME_TOO_LONG)
    if role not in Role.values:
        problems.append(Problem.BAD_ROLE)
    return problems


def _decode(data: bytes) -> str:
    # A NUL byte means a binary file or UTF-16 ("Unicode text"), not a CSV file in UTF-8.
    if b"\x00" not in data:
        for encoding in ("utf-8-sig", "cp1252"):  # Excel on Windows saves CSV as Windows-1252
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                continue
    raise ValidationError(_("The file could not be read. Save it as CSV in UTF-8 and try again."))


def _delimiter(first_line: str) -> str:
    # Spreadsheets in German save "CSV" with semicolons.
    return ";" if first_line.count(";") > first_line.count(",") else ","


def _header(cells: list[str]) -> dict[str, int]:
    names = [cell.strip().lower() for cell in cells]
    if (
        "email" not in names
        or len(set(names)) != len(names)
        or any(name not in COLUMNS for name in names)
    ):
        raise ValidationError(
            _(
                "The first row must name the columns email, name and role (role may be left "
                "out); this file has: %(found)s. Nothing was imported."
            )
            % {"found": ", ".join(cells)[:200] or "–"}
        )
    return {name: i for i, name in enumerate(names)}


def _too_many_rows() -> ValidationError:
    return ValidationError(
        _(
            "The file has more than %(limit)s rows. Split it into files of at most %(limit)s rows "
            "each; nothing was imported."
        )
        % {"limit": number_format(MAX_ROWS, force_grouping=True)}
    )


def csv_read(data: bytes) -> list[Row]:
    """Every row of an uploaded file with the problems visible in the file itself (formula
    cells, bad addresses, names or roles, duplicates). ValidationError for a file refused as a
    whole."""
    if len(data) > MAX_BYTES:
        raise ValidationError(
            _("The file is larger than 1 MB. Split it into smaller files; nothing was imported.")
        )
    text = _decode(data)
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), "")
    if not first:
        raise ValidationError(_("The file is empty."))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first), strict=True)
    rows: list[Row] = []
    columns: dict[str, int] | None = None
    number = 0
    try:
        # Numbered as a spreadsheet shows them: a cell with a line break is still one row.
        for number, cells in enumerate(reader, start=1):
            if not any(cell.strip() for cell in cells):
                continue
            if columns is None:
                columns = _header(cells)
                continue
            if len(rows) >= MAX_ROWS:
                raise _too_many_rows()
            rows.append(_row(number, cells, columns))
    except csv.Error as exc:
        raise ValidationError(
            _("Row %(row)s of the file could not be read as CSV; nothing was imported.")
            % {"row": number + 1}
        ) from exc
    if not rows:
        raise ValidationError(_("The file has no rows below its header."))
    _mark_duplicates(rows)
    return rows


def _row(number: int, cells: list[str], columns: dict[str, int]) -> Row:
    def cell(name: str) -> str:
        index = columns.get(name)
        return cells[index] if index is not None and index < len(cells) else ""

    raw = [cell(name) for name in COLUMNS]
    row = Row(
        number=number,
        email=email_normalise(raw[0])[:CELL_CARRIED],
        name=raw[1].strip()[:CELL_CARRIED],
        role=role_normalise(raw[2])[:CELL_CARRIED],
    )
    if any(is_formula(value) for value in raw):
        row.problems.append(Problem.FORMULA)
    if len(cells) > len(columns):
        row.problems.append(Problem.CELLS)
    row.problems += [
        p
        for p in invitee_problems(email=row.email, name=raw[1], role=row.role)
        if p not in row.problems
    ]
    return row


def _mark_duplicates(rows: Iterable[Row]) -> None:
    first_seen: dict[str, int] = {}
    for row in rows:
        if not row.email:
            continue
        if row.email in first_seen:
            row.duplicate_of = first_seen[row.email]
            if Problem.DUPLICATE not in row.problems:
                row.problems.append(Problem.DUPLICATE)
        else:
            first_seen[row.email] = row.number


def rows_check(rows: list[Row]) -> list[Row]:
    """`rows` with the problems that depend on the portal added: addresses of members and of
    open invitations (two queries, whatever the number of rows)."""
    from members import selectors

    emails = [row.email for row in rows if Problem.INVALID_EMAIL not in row.problems]
    members = selectors.member_emails(emails)
    invited = selectors.invited_emails(emails)
    for row in rows:
        if row.email in members and Problem.MEMBER not in row.problems:
            row.problems.append(Problem.MEMBER)
        elif row.email in invited and Problem.INVITED not in row.problems:
            row.problems.append(Problem.INVITED)
    return rows


def payload_sign(rows: list[Row], *, actor) -> str:
    """The previewed rows with their problems, signed for the confirmation form of this admin
    in this portal."""
    return signing.dumps(
        {
            "schema": connection.schema_name,
            "by": actor.pk,
            "rows": [[r.number, r.email, r.name, r.role, r.problems, r.duplicate_of] for r in rows],
        },
        salt=_SALT,
        compress=True,
    )


def payload_rows(payload: str, *, actor) -> list[Row]:
    """The rows of a signed confirmation: each keeps the problems the preview showed and gets
    those found now (the same checks again, and the database as it is now), so a row is invited
    only if it was shown as fine and still is. ValidationError if the payload was altered, is
    older than an hour or was made for another admin or portal."""
    try:
        data = signing.loads(payload, salt=_SALT, max_age=PAYLOAD_MAX_AGE)
    except signing.BadSignature as exc:  # SignatureExpired included
        raise ValidationError(_expired_preview()) from exc
    if data.get("schema") != connection.schema_name or data.get("by") != actor.pk:
        raise ValidationError(_expired_preview())
    rows = []
    for number, email, name, role, problems, duplicate_of in data["rows"][:MAX_ROWS]:
        row = Row(number, email, name, role, list(problems), duplicate_of)
        row.problems += [
            p for p in invitee_problems(email=email, name=name, role=role) if p not in row.problems
        ]
        rows.append(row)
    return rows_check(rows)


def _expired_preview() -> str:
    return _(
        "This preview is older than an hour or was changed. Upload the file again; nothing was "
        "sent."
    )
