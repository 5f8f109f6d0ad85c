"""The membership rules page: the current rules in a labelled form, saving with a message, and
mistakes shown at their field (400) with nothing saved."""

from __future__ import annotations

import pytest

from accounts.models import MembershipPolicy
from tests.conftest import in_portal

pytestmark = pytest.mark.django_db
POLICY = "/manage/members/policy/"


def _saved(portal) -> MembershipPolicy | None:
    with in_portal(portal):
        return MembershipPolicy.objects.first()


def test_the_admin_sets_the_rules_and_sees_them_on_the_page(portal_a, admin_browser, english):
    page = admin_browser.get(POLICY).content.decode()
    assert "<legend>Who may register</legend>" in page
    assert 'value="open" id="id_registration_0" required checked' in page
    assert '<label for="id_allowed_domains">' in page

    response = admin_browser.post(
        POLICY,
        {
            "registration": "domains",
            "allowed_domains": "Stadt-Kiel.de\r\n@verein.example\r\n",
            "members_only": "on",
        },
        follow=True,
    )
    assert response.redirect_chain == [(POLICY, 302)]
    assert [str(m) for m in response.context["messages"]] == ["The membership rules are saved."]
    policy = _saved(portal_a)
    assert policy.registration == "domains"
    assert policy.allowed_domains == ["stadt-kiel.de", "verein.example"]
    assert policy.members_only and not policy.admin_mfa_required
    page = response.content.decode()
    assert 'value="domains" id="id_registration_3" required checked' in page
    assert "stadt-kiel.de\nverein.example</textarea>" in page


def test_requiring_two_factor_login_for_admins_is_saved(portal_a, admin_browser):
    data = {"registration": "open", "allowed_domains": "", "admin_mfa_required": "on"}
    assert admin_browser.post(POLICY, data).status_code == 302
    assert _saved(portal_a).admin_mfa_required


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"registration": "domains", "allowed_domains": ""}, "List at least one domain"),
        ({"registration": "open", "allowed_domains": "kein domain"}, "Not a valid domain"),
        ({"registration": "everyone"}, "Select a valid choice."),
    ],
)
def test_a_mistake_is_shown_at_its_field_and_nothing_is_saved(
    portal_a, admin_browser, english, data, message
):
    response = admin_browser.post(POLICY, {**data, "members_only": "on"})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert 'role="alert"' in response.content.decode()
    policy = _saved(portal_a)
    assert policy is None or not policy.members_only
