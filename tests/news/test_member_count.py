"""The start page's member count: right after every change, without counting the members
table on each view."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from members.services import member_block, member_unblock
from tenants.services import portal_provision
from tests.accounts.factories import admin_of, host_of, member_of
from tests.conftest import in_portal

pytestmark = pytest.mark.django_db


def _shown(client) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/").content.decode()
    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"] and "accounts_user" in q["sql"]]
    return int(re.search(r"(\d+) Mitglied", page).group(1)), counts


def test_the_count_follows_joins_and_blocks_and_is_not_recounted_per_view(
    client, django_capture_on_commit_callbacks
):
    portal = portal_provision(
        name="Zählwerk", subdomain="zaehlwerk", admin_email="c@zaehl.example", actor_label="tests"
    ).portal
    client.defaults["HTTP_HOST"] = host_of(portal)
    admin = admin_of(portal)
    member = member_of(portal)

    first, counted = _shown(client)
    again, recounted = _shown(client)
    assert first == again >= 2  # the admin and the member at least
    assert len(counted) == 1 and recounted == []

    with in_portal(portal), django_capture_on_commit_callbacks(execute=True):
        member_block(member=member, actor=admin)
    assert _shown(client)[0] == first - 1
    member_of(portal)
    assert _shown(client)[0] == first
    with in_portal(portal), django_capture_on_commit_callbacks(execute=True):
        member_unblock(member=member, actor=admin)
    assert _shown(client)[0] == first + 1
