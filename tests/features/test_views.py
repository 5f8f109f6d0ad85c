"""The modules page of a portal's admins, the admin navigation, the features API and the operator
console. Every refusal is checked with its exact answer and next to the same request by someone
who may make it, so a missing route or a broken login cannot pass for a refusal."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from accounts.models import User
from core.event_types import EventType
from core.models import AuditEvent
from features.catalogue import FEATURES, built
from features.models import FeatureGrant, FeatureSwitch, Plan
from features.selectors import load_portal_features
from tenants.models import Portal
from tests.accounts.factories import (
    PASSWORD,
    admin_client,
    admin_of,
    host_of,
    logged_in_client,
    member_of,
    staff_user,
)
from tests.conftest import in_portal
from tests.features.conftest import set_feature

pytestmark = pytest.mark.django_db

SETTINGS_URL = "/manage/features/"
LOGIN_REDIRECT = f"/accounts/login/?next={SETTINGS_URL}"
ADMIN_PAGES = {
    "/manage/features/": "Administration",
    "/manage/members/": "Members",
    "/manage/proposals/": "Proposals",
    "/manage/events/": "Events",
    "/manage/map/": "Map",
    "/manage/theme/": "Theme",
    "/manage/billing/": "Billing",
    "/manage/domains/": "Domains",
}


def _state_of(body: str, key: str) -> str:
    """The text of the state cell in the module's row of the settings page."""
    row = re.search(rf'<tr id="module-{key}">(.*?)</tr>', body, re.S)
    assert row, f"no row for {key}"
    cells = re.findall(r"<td>(.*?)</td>", row.group(1), re.S)
    return re.sub(r"<[^>]+>", " ", cells[0]).split()[0]


def _switch_button(body: str, key: str) -> str | None:
    row = re.search(rf'<tr id="module-{key}">(.*?)</tr>', body, re.S).group(1)
    button = re.search(r'name="enabled" value="([01])"', row)
    return button.group(1) if button else None


def _switches_in_portal_log(portal) -> list[tuple]:
    """(actor id, actor label, portal id, detail) of the switches in `portal`'s own log."""
    with in_portal(portal):
        return list(
            AuditEvent.objects.filter(event_type=EventType.FEATURE_SWITCHED)
            .order_by("pk")
            .values_list("actor_id", "actor_label", "portal_id", "detail")
        )


def _switches_in_public_log() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(event_type=EventType.FEATURE_SWITCHED))


def _admin_nav(body: str) -> dict[str, str]:
    """URL -> label of the admin links in the page's main navigation."""
    nav = re.search(r'<nav aria-label="[^"]*">(.*?)</nav>', body, re.S).group(1)
    return dict(re.findall(r'<a href="(/manage/[^"]*)"[^>]*>([^<]*)</a>', nav))


# --- the settings page -----------------------------------------------------------------------


def test_portal_admin_sees_every_module_with_its_state(portal_b):
    set_feature(portal_b, "member_directory", False)

    response = admin_client(portal_b).get(SETTINGS_URL)

    assert response.status_code == 200
    body = response.content.decode()
    for key, feature in built().items():
        assert f'id="module-{key}"' in body
        assert str(feature.name) in body
    assert _switch_button(body, "member_directory") == "1"  # off: offers to switch it on
    assert _switch_button(body, "hide_branding") == "0"  # on: offers to switch it off
    assert _state_of(body, "member_directory") != _state_of(body, "hide_branding")


def test_community_admin_sees_modules_outside_the_plan_with_the_plan_offering_them(portal_a):
    body = admin_client(portal_a).get(SETTINGS_URL).content.decode()

    assert _switch_button(body, "custom_css") is None
    assert _switch_button(body, "spaces") == "0"
    row = re.search(r'<tr id="module-custom_css">(.*?)</tr>', body, re.S).group(1)
    assert "Professional intranet" in row


def test_portal_admin_switches_a_module_off_and_on_again(portal_b):
    admin = admin_of(portal_b, email="chefin@beta.example")
    client = logged_in_client(portal_b, admin)

    response = client.post(SETTINGS_URL, {"feature": "member_directory", "enabled": "0"})

    assert response.status_code == 302
    assert response["Location"] == SETTINGS_URL
    assert FeatureSwitch.objects.get(portal=portal_b, feature="member_directory").enabled is False
    assert "member_directory" not in load_portal_features(portal_b)[0].enabled
    assert _switch_button(client.get(SETTINGS_URL).content.decode(), "member_directory") == "1"

    assert (
        client.post(SETTINGS_URL, {"feature": "member_directory", "enabled": "1"}).status_code
        == 302
    )

    assert "member_directory" in load_portal_features(portal_b)[0].enabled
    assert _switch_button(client.get(SETTINGS_URL).content.decode(), "member_directory") == "0"


def test_admins_switch_on_the_page_is_in_the_portals_log_not_the_platforms(portal_b):
    admin = admin_of(portal_b, email="chefin@beta.example")
    client = logged_in_client(portal_b, admin)

    client.post(SETTINGS_URL, {"feature": "member_directory", "enabled": "0"})
    client.post(SETTINGS_URL, {"feature": "member_directory", "enabled": "1"})

    assert _switches_in_portal_log(portal_b) == [
        (admin.pk, "", None, {"feature": "member_directory", "from": True, "to": False}),
        (admin.pk, "", None, {"feature": "member_directory", "from": False, "to": True}),
    ]
    with in_portal(portal_b):
        newest = AuditEvent.objects.filter(event_type=EventType.FEATURE_SWITCHED).first()
        assert newest.actor.email == "chefin@beta.example"
    assert _switches_in_public_log() == []


def test_enabling_a_module_the_plan_lacks_is_refused_with_the_reason(portal_a):
    response = admin_client(portal_a).post(SETTINGS_URL, {"feature": "custom_css", "enabled": "1"})

    assert response.status_code == 400
    body = response.content.decode()
    assert 'class="error"' in body
    assert "Professional intranet" in re.search(r'<ul class="messages".*?</ul>', body, re.S).group(
        0
    )
    assert not FeatureSwitch.objects.filter(portal=portal_a).exists()
    assert _switches_in_portal_log(portal_a) == []
    assert _switches_in_public_log() == []


def test_switching_off_a_module_others_need_is_refused_on_the_page(portal_b):
    response = admin_client(portal_b).post(SETTINGS_URL, {"feature": "spaces", "enabled": "0"})

    assert response.status_code == 400
    assert str(FEATURES["documents"].name) in response.content.decode()
    assert not FeatureSwitch.objects.filter(portal=portal_b).exists()
    assert _switches_in_portal_log(portal_b) == []


def test_garbled_switch_request_is_refused(portal_b):
    response = admin_client(portal_b).post(SETTINGS_URL, {"feature": "teleporter", "enabled": "1"})

    assert response.status_code == 400
    assert not FeatureSwitch.objects.filter(portal=portal_b).exists()


# --- who may open it -------------------------------------------------------------------------


def test_member_who_is_not_admin_gets_403_and_changes_nothing(portal_b):
    member = logged_in_client(portal_b, member_of(portal_b))
    admin = admin_client(portal_b)

    assert member.get(SETTINGS_URL).status_code == 403
    assert (
        member.post(SETTINGS_URL, {"feature": "member_directory", "enabled": "0"}).status_code
        == 403
    )
    assert not FeatureSwitch.objects.filter(portal=portal_b).exists()

    # The same requests by an admin of the portal succeed.
    assert admin.get(SETTINGS_URL).status_code == 200
    assert (
        admin.post(SETTINGS_URL, {"feature": "member_directory", "enabled": "0"}).status_code == 302
    )
    assert FeatureSwitch.objects.get(portal=portal_b, feature="member_directory").enabled is False


def test_anonymous_visitor_is_sent_to_log_in_and_comes_back_as_admin(client_b, portal_b):
    for response in (
        client_b.get(SETTINGS_URL),
        client_b.post(SETTINGS_URL, {"feature": "member_directory", "enabled": "0"}),
    ):
        assert response.status_code == 302
        assert response["Location"] == LOGIN_REDIRECT
    assert not FeatureSwitch.objects.filter(portal=portal_b).exists()

    admin = admin_of(portal_b)
    login = client_b.post(LOGIN_REDIRECT, {"login": admin.email, "password": PASSWORD})
    assert login.status_code == 302
    assert login["Location"] == SETTINGS_URL
    assert client_b.get(SETTINGS_URL).status_code == 200


def test_admin_session_of_portal_a_is_anonymous_on_portal_b(portal_a, portal_b):
    admin_a = logged_in_client(portal_a, admin_of(portal_a))
    client_b = Client(HTTP_HOST=host_of(portal_b))
    client_b.cookies[settings.SESSION_COOKIE_NAME] = admin_a.cookies[
        settings.SESSION_COOKIE_NAME
    ].value

    get = client_b.get(SETTINGS_URL)
    post = client_b.post(SETTINGS_URL, {"feature": "member_directory", "enabled": "0"})

    for response in (get, post):
        assert response.status_code == 302
        assert response["Location"] == LOGIN_REDIRECT
    assert not FeatureSwitch.objects.filter(portal=portal_b).exists()
    assert _switches_in_portal_log(portal_b) == []
    # The same session is an admin's on its own portal.
    assert admin_a.get(SETTINGS_URL).status_code == 200


# --- the admin navigation --------------------------------------------------------------------


def test_admin_navigation_lists_every_admin_page_and_each_link_opens(portal_b):
    admin = admin_client(portal_b)

    nav = _admin_nav(admin.get("/").content.decode())

    assert nav == ADMIN_PAGES
    for url in nav:
        assert admin.get(url).status_code == 200, url


def test_admin_navigation_is_not_shown_to_members_or_visitors_who_get_refused(portal_b, client_b):
    member = logged_in_client(portal_b, member_of(portal_b))

    assert _admin_nav(member.get("/").content.decode()) == {}
    assert _admin_nav(client_b.get("/").content.decode()) == {}
    for url in ADMIN_PAGES:
        assert member.get(url).status_code == 403, url
        anonymous = client_b.get(url)
        assert anonymous.status_code == 302, url
        assert anonymous["Location"] == f"/accounts/login/?next={url}"


def test_domains_entry_and_page_exist_only_while_own_domain_is_on(portal_a, portal_b):
    community_admin = admin_client(portal_a)
    professional_admin = admin_client(portal_b)

    assert "/manage/domains/" not in _admin_nav(community_admin.get("/").content.decode())
    assert community_admin.get("/manage/domains/").status_code == 404
    assert "/manage/domains/" in _admin_nav(professional_admin.get("/").content.decode())
    assert professional_admin.get("/manage/domains/").status_code == 200

    set_feature(portal_b, "own_domain", False)

    nav = _admin_nav(professional_admin.get("/").content.decode())
    assert nav == {url: label for url, label in ADMIN_PAGES.items() if url != "/manage/domains/"}
    assert professional_admin.get("/manage/domains/").status_code == 404


def test_current_admin_page_is_marked_in_the_navigation(portal_b):
    body = admin_client(portal_b).get(SETTINGS_URL).content.decode()

    assert f'<a href="{SETTINGS_URL}" aria-current="page">' in body
    assert '<a href="/manage/theme/" aria-current="page">' not in body


# --- the API ---------------------------------------------------------------------------------


def _patch(client: Client, key: str, enabled) -> object:
    return client.patch(
        f"/api/v1/features/{key}/", {"enabled": enabled}, content_type="application/json"
    )


def test_api_admin_switches_a_module_on_and_it_is_in_the_portals_log(portal_b):
    admin = admin_of(portal_b)

    response = _patch(logged_in_client(portal_b, admin), "custom_css", True)

    assert response.status_code == 200
    assert response.json()["enabled"] is True
    assert "custom_css" in load_portal_features(portal_b)[0].enabled
    assert _switches_in_portal_log(portal_b) == [
        (admin.pk, "", None, {"feature": "custom_css", "from": False, "to": True})
    ]
    assert _switches_in_public_log() == []


def test_api_refusal_is_400_with_the_reason_in_detail(portal_b):
    response = _patch(admin_client(portal_b), "spaces", False)

    assert response.status_code == 400
    assert str(FEATURES["documents"].name) in response.json()["detail"]
    assert not FeatureSwitch.objects.filter(portal=portal_b).exists()
    assert _switches_in_portal_log(portal_b) == []


def test_api_refuses_a_module_the_plan_lacks_naming_the_plan(portal_b):
    plan = Plan.objects.get(key="professional")
    Plan.objects.create(key="enterprise", name="Enterprise", features=plan.features)
    Plan.objects.filter(key="professional").update(
        features=[k for k in plan.features if k != "custom_css"]
    )

    response = _patch(admin_client(portal_b), "custom_css", True)

    assert response.status_code == 400
    assert "Enterprise" in response.json()["detail"]
    assert "custom_css" not in load_portal_features(portal_b)[0].enabled


def test_api_switch_by_a_member_who_is_not_admin_is_403(portal_b):
    member = logged_in_client(portal_b, member_of(portal_b))

    response = _patch(member, "member_directory", False)

    assert response.status_code == 403
    assert not FeatureSwitch.objects.filter(portal=portal_b).exists()
    # The same request by an admin switches the module.
    assert _patch(admin_client(portal_b), "member_directory", False).status_code == 200
    assert FeatureSwitch.objects.get(portal=portal_b, feature="member_directory").enabled is False


def test_api_switch_by_an_anonymous_visitor_is_403(client_b, portal_b):
    response = _patch(client_b, "member_directory", False)

    assert response.status_code == 403
    assert not FeatureSwitch.objects.filter(portal=portal_b).exists()
    assert _patch(admin_client(portal_b), "member_directory", False).status_code == 200


def test_api_switch_of_an_unknown_module_is_404(portal_b):
    response = _patch(admin_client(portal_b), "teleporter", True)

    assert response.status_code == 404
    assert "teleporter" in response.json()["detail"]


def test_api_lists_the_modules_with_their_state_to_members(portal_b):
    set_feature(portal_b, "member_directory", False)

    response = logged_in_client(portal_b, member_of(portal_b)).get("/api/v1/features/")

    assert response.status_code == 200
    states = {row["key"]: row["enabled"] for row in response.json()["features"]}
    assert set(states) == set(built())
    assert states["member_directory"] is False
    assert states["hide_branding"] is True


# --- modules that are not built --------------------------------------------------------------

UNBUILT = sorted(set(FEATURES) - set(built()))


def test_modules_page_and_api_leave_out_modules_that_are_not_built(portal_b):
    assert "sso" in UNBUILT  # else this test would check nothing
    set_feature(portal_b, "sso", True)  # entitled (Professional) and switched on
    admin = admin_client(portal_b)

    body = admin.get(SETTINGS_URL).content.decode()
    listed = admin.get("/api/v1/features/").json()["features"]

    for key in UNBUILT:
        assert f'id="module-{key}"' not in body, key
        assert str(FEATURES[key].name) not in body, key
    assert not {row["key"] for row in listed} & set(UNBUILT)
    # A built module is there on both, so the page and the list are the real ones.
    assert 'id="module-spaces"' in body
    assert "spaces" in {row["key"] for row in listed}


@pytest.mark.parametrize("enabled", ["1", "0"])
def test_modules_page_cannot_switch_a_module_that_is_not_built(portal_b, enabled):
    admin = admin_client(portal_b)

    response = admin.post(SETTINGS_URL, {"feature": "sso", "enabled": enabled})

    assert response.status_code == 400
    assert 'class="error"' in response.content.decode()
    assert not FeatureSwitch.objects.filter(portal=portal_b).exists()
    assert _switches_in_portal_log(portal_b) == []
    # The same request for a built module switches it.
    built_key, value = ("custom_css", "1") if enabled == "1" else ("hide_branding", "0")
    assert admin.post(SETTINGS_URL, {"feature": built_key, "enabled": value}).status_code == 302
    assert FeatureSwitch.objects.filter(portal=portal_b, feature=built_key).exists()


@pytest.mark.parametrize("enabled", [True, False])
def test_api_cannot_switch_a_module_that_is_not_built(portal_b, enabled):
    admin = admin_client(portal_b)

    response = _patch(admin, "sso", enabled)

    assert response.status_code == 404
    assert "sso" in response.json()["detail"]
    assert not FeatureSwitch.objects.filter(portal=portal_b).exists()
    assert "sso" not in load_portal_features(portal_b)[0].enabled
    # The same request for a built module switches it.
    built_key = "custom_css" if enabled else "hide_branding"
    assert _patch(admin, built_key, enabled).status_code == 200
    assert FeatureSwitch.objects.get(portal=portal_b, feature=built_key).enabled is enabled


# --- the operator console --------------------------------------------------------------------


@pytest.fixture
def operator_user(db) -> User:
    return staff_user()


@pytest.fixture
def operator(platform_client, operator_user) -> Client:
    platform_client.force_login(operator_user)
    return platform_client


def _change_form_data(response) -> dict:
    """The data the admin change form would post back unchanged, inlines included."""
    form = response.context["adminform"].form
    data = {}
    for bound in form:
        value = bound.value()
        if value is not None:
            data[bound.html_name] = value
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for bound in formset.management_form:
            data[bound.html_name] = bound.value()
        for child in formset.forms:
            for bound in child:
                value = bound.value()
                if value not in (None, False):
                    data[bound.html_name] = value
    return data


def test_operator_opens_plans_and_the_portal_page(operator, portal_b):
    plans = operator.get("/operator/features/plan/")
    portal = operator.get(f"/operator/tenants/portal/{portal_b.pk}/change/")

    assert plans.status_code == 200
    assert "Professional intranet" in plans.content.decode()
    assert portal.status_code == 200
    assert portal_b.name in portal.content.decode()


def test_operator_plan_change_in_the_console_is_in_the_public_log_with_the_operator(
    operator, operator_user, portal_b
):
    url = f"/operator/tenants/portal/{portal_b.pk}/change/"
    data = _change_form_data(operator.get(url))
    assert data["plan"] == "professional"
    data["plan"] = "community"

    response = operator.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Portal.objects.get(pk=portal_b.pk).plan_id == "community"
    event = AuditEvent.objects.get(event_type=EventType.PORTAL_PLAN_CHANGED)
    assert (event.actor, event.actor_label) == (operator_user, "")
    assert (event.portal_id, event.portal_name) == (portal_b.pk, portal_b.name)
    assert event.detail == {"from": "professional", "to": "community"}
    with in_portal(portal_b):
        assert not AuditEvent.objects.filter(event_type=EventType.PORTAL_PLAN_CHANGED).exists()


def test_operator_grant_in_the_console_is_in_the_public_log_with_the_operator(
    operator, operator_user, portal_a
):
    url = f"/operator/tenants/portal/{portal_a.pk}/change/"
    data = _change_form_data(operator.get(url))
    expires = (timezone.localtime() + timedelta(days=30)).replace(microsecond=0)
    data.update(
        {
            "feature_grants-TOTAL_FORMS": "1",
            "feature_grants-0-feature": "member_directory",
            "feature_grants-0-expires_at_0": expires.strftime("%Y-%m-%d"),
            "feature_grants-0-expires_at_1": expires.strftime("%H:%M:%S"),
            "feature_grants-0-note": "Pilot",
        }
    )

    response = operator.post(url, data)

    assert response.status_code == 302, response.context["inline_admin_formsets"][1].formset.errors
    grant = FeatureGrant.objects.get(portal=portal_a)
    assert (grant.feature, grant.granted_by) == ("member_directory", operator_user)
    assert "member_directory" in load_portal_features(portal_a)[0].enabled
    event = AuditEvent.objects.get(event_type=EventType.FEATURE_GRANTED)
    assert (event.actor, event.portal_id, event.object_id) == (
        operator_user,
        portal_a.pk,
        "member_directory",
    )
    assert event.detail["note"] == "Pilot"


def test_operator_plan_edit_warns_about_portals_over_the_new_limit(operator, portal_a):
    with in_portal(portal_a):
        members = User.objects.filter(is_active=True).count()
    plan = Plan.objects.get(key="community")
    url = f"/operator/features/plan/{plan.pk}/change/"
    data = _change_form_data(operator.get(url))
    data["max_members"] = members - 1 if members > 1 else 0

    response = operator.post(url, data, follow=True)

    assert response.status_code == 200
    assert Plan.objects.get(key="community").max_members == data["max_members"]
    assert any(portal_a.name in str(m) for m in response.context["messages"])
    with in_portal(portal_a):
        assert User.objects.filter(is_active=True).count() == members


def test_operator_console_does_not_exist_on_a_portal_host(operator, client_a, portal_a):
    admin_a = admin_client(portal_a)

    assert client_a.get("/operator/").status_code == 404
    assert admin_a.get("/operator/features/plan/").status_code == 404
    # On the platform host the same page is there for the operator.
    assert operator.get("/operator/features/plan/").status_code == 200


def test_operator_session_is_anonymous_on_a_portal_host(operator, portal_b):
    on_portal = Client(HTTP_HOST=host_of(portal_b))
    on_portal.cookies[settings.SESSION_COOKIE_NAME] = operator.cookies[
        settings.SESSION_COOKIE_NAME
    ].value

    response = on_portal.get(SETTINGS_URL)

    assert response.status_code == 302
    assert response["Location"] == LOGIN_REDIRECT
    assert operator.get(f"/operator/tenants/portal/{portal_b.pk}/change/").status_code == 200
