"""The generated accessibility statement (Erklärung zur Barrierefreiheit, BITV 2.0 § 7).

Every portal has one, in the structure of the EU model statement (implementing decision (EU)
2018/1523) as BITV 2.0 uses it: which website, compliance status, content that is not
accessible and why, how the statement was prepared and when it was last reviewed, feedback and
contact (the portal's organisation, address and contact e-mail from its order and portal
record), and the enforcement procedure (Schlichtungsstelle nach § 16 BGG). It is rendered in the
language of the request, so German and English visitors each read their own version.

The latest automated check comes from the summary file the accessibility harness (tests/a11y)
writes, `settings.ACCESSIBILITY_CHECK_RESULT`. A missing, unreadable or garbled file never
breaks the page: `latest_check()` returns None (logged as a warning when the file exists but
cannot be used) and the statement says that no automated result is available.

An admin's own version (the theme's `accessibility` text, written through
`themes.services.theme_accessibility_statement_set`) replaces the generated one; empty means
generated.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from themes.sanitize import clean_html

logger = logging.getLogger(__name__)

# The public web address of the federal conciliation body (§ 16 BGG), shown as plain text.
SCHLICHTUNGSSTELLE_URL = "https://www.schlichtungsstelle-bgg.de"


@dataclass(frozen=True)
class CheckResult:
    """The latest run of the automated check (axe-core over the URL walk)."""

    checked_at: datetime
    pages: int
    checks: int | None
    violations: int
    tool: str = ""


@dataclass(frozen=True)
class Contact:
    """Who answers feedback about barriers: from the portal's order, else the portal record."""

    organisation: str
    email: str = ""
    street: str = ""
    postal_code: str = ""
    city: str = ""


def _count(data: dict, key: str, *, required: bool = True) -> int | None:
    value = data.get(key)
    if value is None and not required:
        return None
    # bool is an int in Python; `true` pages is as garbled as "many".
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{key!r} must be a non-negative integer, not {value!r}")
    return value


def _parse(data: object) -> CheckResult:
    if not isinstance(data, dict):
        raise ValueError("the summary is not a JSON object")
    raw_date = data.get("date")
    if not isinstance(raw_date, str):
        raise ValueError("'date' is missing")
    checked_at = datetime.fromisoformat(raw_date)
    if checked_at.tzinfo is None:
        checked_at = checked_at.replace(tzinfo=UTC)
    tool = data.get("tool")
    tool = tool.strip()[:60] if isinstance(tool, str) and tool.isprintable() else ""
    return CheckResult(
        checked_at=checked_at,
        pages=_count(data, "pages"),
        checks=_count(data, "checks", required=False),
        violations=_count(data, "violations"),
        tool=tool,
    )


def latest_check(path: Path | str | None = None) -> CheckResult | None:
    """The latest automated check result, or None when there is none that can be trusted."""
    path = Path(path or settings.ACCESSIBILITY_CHECK_RESULT)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        logger.warning("Accessibility check result %s is unreadable: %s", path, exc)
        return None
    try:
        return _parse(json.loads(text))
    except (ValueError, TypeError) as exc:  # JSONDecodeError is a ValueError
        logger.warning("Accessibility check result %s is garbled: %s", path, exc)
        return None


def portal_contact(portal) -> Contact:
    """The organisation behind `portal` and how to reach it, from what it gave when ordering
    (organisation, postal address, contact e-mail) and the portal's own contact e-mail."""
    from billing.models import Order

    order = (
        Order.objects.filter(portal=portal)
        .only("organisation", "contact_email", "street", "postal_code", "city")
        .first()
        if getattr(portal, "pk", None)
        else None
    )
    return Contact(
        organisation=(order.organisation if order else "") or getattr(portal, "name", ""),
        # The portal's contact address is kept up to date by the operators; the order's is
        # what it was on the day of ordering.
        email=getattr(portal, "contact_email", "") or (order.contact_email if order else ""),
        street=order.street if order else "",
        postal_code=order.postal_code if order else "",
        city=order.city if order else "",
    )


def generated_statement(
    *, portal, site_name: str, site_url: str, has_impressum: bool, check: CheckResult | None
) -> str:
    """The statement as safe HTML (the subset of themes.sanitize), in the active language."""
    # Days on the portal's calendar, as the template shows the check's moment: in UTC they are
    # a day early between midnight and 01:00 in Berlin.
    created_at = getattr(portal, "created_at", None)
    created: date | None = timezone.localdate(created_at) if created_at else None
    reviewed = timezone.localdate(check.checked_at) if check else created
    if created and reviewed and reviewed < created:
        reviewed = created  # a check older than the portal still describes the same software
    html = render_to_string(
        "themes/accessibility_statement.html",
        {
            "contact": portal_contact(portal),
            "site_name": site_name or getattr(portal, "name", ""),
            "site_url": site_url,
            "has_impressum": has_impressum,
            "check": check,
            "created": created,
            "reviewed": reviewed,
            "schlichtungsstelle_url": SCHLICHTUNGSSTELLE_URL,
        },
    )
    # Everything in it is escaped already; cleaning makes it exactly what an admin's edit of it
    # would be stored as, so "start from the generated text" loses nothing on saving.
    return clean_html(html)


def statement_for_request(request, theme: dict) -> tuple[str, bool]:
    """(HTML, is_generated): the admin's own statement if there is one, else the generated one."""
    own = (theme.get("accessibility") or "").strip()
    if own:
        return own, False
    return generated_for_request(request, theme), True


def generated_for_request(request, theme: dict) -> str:
    return generated_statement(
        portal=getattr(request, "portal", None),
        site_name=theme.get("site_name") or "",
        site_url=request.build_absolute_uri("/"),
        has_impressum=bool(theme.get("impressum")),
        check=latest_check(),
    )
