"""A new portal's admins see their first steps on the start page until each is really done."""

from __future__ import annotations

import pytest

from accounts.models import MembershipPolicy, User
from tenants.services import portal_provision
from tests.accounts.factories import logged_in_client, member_of
from tests.conftest import in_portal
from themes.services import theme_publish, theme_update_draft

pytestmark = pytest.mark.django_db
HEADING = "First steps for your portal"


def test_the_checklist_shows_until_every_step_is_done(django_capture_on_commit_callbacks):
    portal = portal_provision(
        name="Neu hier", subdomain="neu-hier", admin_email="chefin@neu.example", actor_label="tests"
    ).portal
    with in_portal(portal):
        admin = User.objects.get(email="chefin@neu.example")  # the one the order invited
    page = logged_in_client(portal, admin, HTTP_ACCEPT_LANGUAGE="en").get("/").content.decode()
    assert HEADING in page and page.count("Done:") == 0
    member_page = logged_in_client(portal, member_of(portal)).get("/").content.decode()
    assert HEADING not in member_page  # only admins

    with in_portal(portal), django_capture_on_commit_callbacks(execute=True):
        theme_update_draft(impressum="<p>Neu hier e.V.</p>", privacy="<p>Wir speichern wenig.</p>")
        theme_publish(actor=admin)
        MembershipPolicy.objects.create(registration="approval")
    # Two members exist now (the admin and the member): the last step is done as well.
    done = logged_in_client(portal, admin, HTTP_ACCEPT_LANGUAGE="en").get("/").content.decode()
    assert HEADING not in done


def test_a_step_is_read_from_the_portal_not_ticked(django_capture_on_commit_callbacks):
    portal = portal_provision(
        name="Halb fertig", subdomain="halb", admin_email="c@halb.example", actor_label="tests"
    ).portal
    admin = member_of(portal, role="admin")
    with in_portal(portal):
        MembershipPolicy.objects.create()
    page = logged_in_client(portal, admin, HTTP_ACCEPT_LANGUAGE="en").get("/").content.decode()
    assert "Done:</span> Choose who may register" in page
    assert '<a href="/manage/theme/">Write the Impressum' in page
