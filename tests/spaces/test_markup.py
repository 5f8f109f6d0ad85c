"""The structure assistive technology relies on, on every page of spaces (the axe walk in
tests/a11y covers the rest in a browser): one h1, a label for every field, no inline style or
script (the CSP forbids them), buttons that are buttons with a name."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from spaces.models import JoinPolicy, MembershipStatus, SpaceKind
from tests.conftest import in_portal
from tests.spaces.factories import join, space_of


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.h1 = 0
        self.fields: list[str] = []
        self.labels: set[str] = set()
        self.inline: list[str] = []
        self.buttons: list[str] = []
        self._button: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "h1":
            self.h1 += 1
        if tag == "label" and attrs.get("for"):
            self.labels.add(attrs["for"])
        if tag in ("input", "select", "textarea") and attrs.get("type") != "hidden":
            self.fields.append(attrs.get("id") or f"<{tag} name={attrs.get('name')}>")
        if "style" in attrs or (tag == "script" and "src" not in attrs):
            self.inline.append(tag)
        if tag == "button":
            self._button = []

    def handle_data(self, data):
        if self._button is not None:
            self._button.append(data)

    def handle_endtag(self, tag):
        if tag == "button" and self._button is not None:
            self.buttons.append("".join(self._button).strip())
            self._button = None


@pytest.fixture
def pages(people, portal_b):
    with in_portal(portal_b):
        space = space_of(
            name="Gartenfreunde",
            kind=SpaceKind.PROJECT,
            goal="Beete",
            admin=people.space_admin,
            members=[people.space_member],
            join_policy=JoinPolicy.REQUEST,
        )
        join(space, people.member, status=MembershipStatus.REQUESTED)
        join(space, people.invited, status=MembershipStatus.INVITED)
        other = space_of(name="Offen", admin=people.space_admin, join_policy=JoinPolicy.REQUEST)
    return [
        ("visitor", "/spaces/"),
        ("member", "/spaces/"),
        ("visitor", f"/spaces/{space.slug}/"),
        ("member", f"/spaces/{space.slug}/"),
        ("member", f"/spaces/{other.slug}/"),  # the request form
        ("invited", f"/spaces/{space.slug}/"),
        ("space_admin", f"/spaces/{space.slug}/"),
        ("space_admin", f"/spaces/{space.slug}/members/"),
        ("space_admin", f"/spaces/{space.slug}/edit/"),
        ("member", "/spaces/new/"),
        ("member", "/dashboard/"),
    ]


def test_every_page_has_one_h1_labelled_fields_and_named_buttons(people, pages):
    for role, path in pages:
        response = people.client(role).get(path)
        assert response.status_code == 200, (role, path)
        page = _Page()
        page.feed(response.content.decode())
        assert page.h1 == 1, (role, path)
        unlabelled = [f for f in page.fields if f not in page.labels]
        assert unlabelled == [], (role, path)
        assert page.inline == [], (role, path)
        assert all(page.buttons), (role, path, page.buttons)
