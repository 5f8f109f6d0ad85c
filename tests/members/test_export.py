"""The CSV export as a spreadsheet opens it: UTF-8 with a byte order mark, the filtered rows,
and no cell that a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.utils import timezone

from members.export import cell
from tests.accounts.factories import member_of

pytestmark = pytest.mark.django_db
EXPORT = "/manage/members/export.csv"


def _rows(response) -> list[list[str]]:
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads it as UTF-8
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            '=HYPERLINK("http://evil.example","Klick")',
            '\'=HYPERLINK("http://evil.example","Klick")',
        ),
        ("+49 170 1234567", "'+49 170 1234567"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Jörg Ärger", "Jörg Ärger"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
    ],
)
def test_a_cell_that_would_be_a_formula_gets_a_leading_apostrophe(value, expected):
    assert cell(value) == expected


def test_the_export_lists_the_filtered_members_safely_for_spreadsheets(
    portal_a, admin_browser, english
):
    joined = timezone.make_aware(datetime.datetime(2025, 5, 4, 9, 30))
    member_of(
        portal_a,
        display_name='=HYPERLINK("http://evil.example","Klick")',
        email="formula@alpha.example",
        role="moderator",
        date_joined=joined,
        last_seen_at=joined + datetime.timedelta(days=1),
    )
    member_of(portal_a, display_name="+49 170 1234567", email="phone@alpha.example")
    member_of(portal_a, display_name="Jörg Ärger", email="-joerg@alpha.example")
    member_of(portal_a, display_name="Not Exported", email="other@elsewhere.example")

    response = admin_browser.get(EXPORT, {"q": "alpha.example", "page": 2})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="members-')
    assert response["Cache-Control"] == "no-store"
    rows = _rows(response)
    assert rows[0] == ["Name", "E-mail address", "Role", "Status", "Joined", "Last seen"]
    by_email = {row[1].lstrip("'"): row for row in rows[1:]}
    assert "other@elsewhere.example" not in by_email  # filtered like the list, every page
    assert by_email["formula@alpha.example"] == [
        '\'=HYPERLINK("http://evil.example","Klick")',
        "formula@alpha.example",
        "Moderator",
        "active",
        "2025-05-04 09:30",
        "2025-05-05 09:30",
    ]
    assert by_email["phone@alpha.example"][0] == "'+49 170 1234567"
    assert by_email["-joerg@alpha.example"][:2] == ["Jörg Ärger", "'-joerg@alpha.example"]
    assert by_email["phone@alpha.example"][5] == ""  # never seen


def test_the_export_of_a_filter_that_matches_nobody_is_just_the_header(admin_browser):
    rows = _rows(admin_browser.get(EXPORT, {"q": "nobody-has-this"}))
    assert len(rows) == 1
