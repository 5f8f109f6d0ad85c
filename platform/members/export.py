"""The members list as CSV for spreadsheets: UTF-8 with a byte order mark (so that Excel reads
umlauts right), and safe to open: a cell that a spreadsheet would run as a formula (it starts
with = + - @, a tab or a carriage return) gets a leading apostrophe, so "=HYPERLINK(…)" in a
name stays text.

The whole file is built while the request is still in the portal's schema: a streamed
response would run its queries after the routing middleware has reset the connection to the
public schema, and list the wrong accounts.
"""

from __future__ import annotations

import csv
import io

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import MemberStatus, Role, User

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value) -> str:
    """`value` as text a spreadsheet shows as it is, never as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def members_csv(members: QuerySet[User]) -> str:
    """The CSV text (with BOM): name, e-mail, role, status, joined, last seen."""
    roles, statuses = dict(Role.choices), dict(MemberStatus.choices)
    rows = (
        (name, email, roles.get(role, role), statuses.get(status, status), _when(j), _when(s))
        for name, email, role, status, j, s in members.values_list(
            "display_name", "email", "role", "status", "date_joined", "last_seen_at"
        ).iterator(chunk_size=2000)
    )
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    headings = (_("Name"), _("E-mail address"), _("Role"), _("Status"), _("Joined"), _("Last seen"))
    writer.writerow([cell(heading) for heading in headings])
    for row in rows:
        writer.writerow([cell(value) for value in row])
    return out.getvalue()
