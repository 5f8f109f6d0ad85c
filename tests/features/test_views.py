"""The modules page of a portal's admins, the features API and the operator console."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client

from accounts.models import Role, User
from features.catalogue import FEATURES
from features.models import FeatureChange, FeatureSwitch, Plan
from features.selectors import load_portal_features
from tenants.models import Portal, PortalEvent
from tests.accounts.factories import host_of, logged_in_client, member_of
from tests.conftest import in_portal
from tests.features.conftest import set_feature

pytestmark = pytest.mark.django_db

SETTINGS_URL = "/manage/features/"


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


@pytest.fixture
def admin_b(portal_b) -> Client:
    return logged_in_client(portal_b, member_of(portal_b, Role.ADMIN, email="chefin@beta.example"))


@pytest.fixture
def admin_a(portal_a) -> Client:
    return logged_in_client(portal_a, member_of(portal_a, Role.ADMIN, email="chef@alpha.example"))


# --- the settings page -----------------------------------------------------------------------


def test_portal_admin_sees_every_module_with_its_state(admin_b, portal_b):
    set_feature(portal_b, "map", False)

    response = admin_b.get(SETTINGS_URL)

    assert response.status_code == 200
    body = response.content.decode()
    for key, feature in FEATURES.items():
        assert f'id="module-{key}"' in body
        assert str(feature.name) in body
    assert _switch_button(body, "map") == "1"  # off: offers to switch it on
    assert _switch_button(body, "events") == "0"  # on: offers to switch it off
    assert _state_of(body, "map") != _state_of(body, "events")


def test_community_admin_sees_modules_outside_the_plan_with_the_plan_offering_them(admin_a):
    body = admin_a.get(SETTINGS_URL).content.decode()

    assert _switch_button(body, "custom_css") is None
    assert _switch_button(body, "map") == "0"
    row = re.search(r'<tr id="module-custom_css">(.*?)</tr>', body, re.S).group(1)
    assert "Professional intranet" in row


def test_portal_admin_switches_a_module_off_and_on_again(admin_b, portal_b):
    response = admin_b.post(SETTINGS_URL, {"feature": "map", "enabled": "0"})

    assert response.status_code == 302
    assert response["Location"] == SETTINGS_URL
    assert FeatureSwitch.objects.get(portal=portal_b, feature="map").enabled is False
    assert "map" not in load_portal_features(portal_b)[0].enabled
    assert _switch_button(admin_b.get(SETTINGS_URL).content.decode(), "map") == "1"

    assert admin_b.post(SETTINGS_URL, {"feature": "map", "enabled": "1"}).status_code == 302

    assert "map" in load_portal_features(portal_b)[0].enabled
    assert _switch_button(admin_b.get(SETTINGS_URL).content.decode(), "map") == "0"
    change = FeatureChange.objects.filter(portal=portal_b).first()
    assert (change.feature, change.now_enabled, change.actor) == (
        "map",
        True,
        "chefin@beta.example",
    )


def test_enabling_a_module_the_plan_lacks_is_refused_with_the_reason(admin_a, portal_a):
    response = admin_a.post(SETTINGS_URL, {"feature": "custom_css", "enabled": "1"})

    assert response.status_code == 400
    body = response.content.decode()
    assert 'class="error"' in body
    assert "Professional intranet" in re.search(r'<ul class="messages".*?</ul>', body, re.S).group(
        0
    )
    assert not FeatureSwitch.objects.filter(portal=portal_a).exists()
    assert not FeatureChange.objects.filter(portal=portal_a).exists()


def test_switching_off_a_module_others_need_is_refused_on_the_page(admin_b, portal_b):
    response = admin_b.post(SETTINGS_URL, {"feature": "spaces", "enabled": "0"})

    assert response.status_code == 400
    assert str(FEATURES["proposals"].name) in response.content.decode()
    assert not FeatureSwitch.objects.filter(portal=portal_b).exists()


def test_garbled_switch_request_is_refused(admin_b, portal_b):
    response = admin_b.post(SETTINGS_URL, {"feature": "teleporter", "enabled": "1"})

    assert response.status_code == 400
    assert not FeatureSwitch.objects.filter(portal=portal_b).exists()


def test_member_who_is_not_admin_gets_403_and_changes_nothing(portal_b):
    client = logged_in_client(portal_b, member_of(portal_b))

    assert client.get(SETTINGS_URL).status_code == 403
    assert client.post(SETTINGS_URL, {"feature": "map", "enabled": "0"}).status_code == 403
    assert not FeatureSwitch.objects.filter(portal=portal_b).exists()


def test_anonymous_visitor_is_sent_to_log_in(client_b, portal_b):
    for response in (
        client_b.get(SETTINGS_URL),
        client_b.post(SETTINGS_URL, {"feature": "map", "enabled": "0"}),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    assert not FeatureSwitch.objects.filter(portal=portal_b).exists()


def test_admin_session_of_portal_a_is_no_admin_on_portal_b(admin_a, portal_b):
    client_b = Client(HTTP_HOST=host_of(portal_b))
    client_b.cookies[settings.SESSION_COOKIE_NAME] = admin_a.cookies[
        settings.SESSION_COOKIE_NAME
    ].value

    get = client_b.get(SETTINGS_URL)
    post = client_b.post(SETTINGS_URL, {"feature": "map", "enabled": "0"})

    assert get.status_code in (302, 403)
    assert post.status_code in (302, 403)
    assert not FeatureSwitch.objects.filter(portal=portal_b).exists()
    assert not FeatureChange.objects.filter(portal=portal_b).exists()


def test_administration_link_is_shown_to_admins_only(admin_b, portal_b):
    member = logged_in_client(portal_b, member_of(portal_b))

    assert f'href="{SETTINGS_URL}"' in admin_b.get("/").content.decode()
    assert f'href="{SETTINGS_URL}"' not in member.get("/").content.decode()


# --- the API ---------------------------------------------------------------------------------


def _patch(client: Client, key: str, enabled) -> object:
    return client.patch(
        f"/api/v1/features/{key}/", {"enabled": enabled}, content_type="application/json"
    )


def test_api_admin_switches_a_module_on(admin_b, portal_b):
    response = _patch(admin_b, "webhooks", True)

    assert response.status_code == 200
    assert response.json()["enabled"] is True
    assert "webhooks" in load_portal_features(portal_b)[0].enabled


def test_api_refusal_is_400_with_the_reason_in_detail(admin_b, portal_b):
    response = _patch(admin_b, "spaces", False)

    assert response.status_code == 400
    assert str(FEATURES["proposals"].name) in response.json()["detail"]
    assert not FeatureSwitch.objects.filter(portal=portal_b).exists()


def test_api_refuses_a_module_the_plan_lacks_naming_the_plan(admin_b, portal_b):
    plan = Plan.objects.get(key="professional")
    Plan.objects.create(key="enterprise", name="Enterprise", features=plan.features)
    Plan.objects.filter(key="professional").update(
        features=[k for k in plan.features if k != "sso"]
    )

    response = _patch(admin_b, "sso", True)

    assert response.status_code == 400
    assert "Enterprise" in response.json()["detail"]
    assert "sso" not in load_portal_features(portal_b)[0].enabled


def test_api_switch_by_a_member_who_is_not_admin_is_403(portal_b):
    client = logged_in_client(portal_b, member_of(portal_b))

    response = _patch(client, "map", False)

    assert response.status_code == 403
    assert not FeatureSwitch.objects.filter(portal=portal_b).exists()


def test_api_switch_of_an_unknown_module_is_404(admin_b):
    response = _patch(admin_b, "teleporter", True)

    assert response.status_code == 404
    assert "teleporter" in response.json()["detail"]


def test_api_lists_the_modules_with_their_state(admin_b, portal_b):
    set_feature(portal_b, "map", False)

    response = admin_b.get("/api/v1/features/")

    assert response.status_code == 200
    states = {row["key"]: row["enabled"] for row in response.json()["features"]}
    assert set(states) == set(FEATURES)
    assert states["map"] is False
    assert states["events"] is True


# --- the operator console --------------------------------------------------------------------


@pytest.fixture
def operator(platform_client) -> Client:
    user = User.objects.create_superuser("operator@allmende.example", "operator-pass-123")
    platform_client.force_login(user)
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


def test_operator_plan_change_in_the_console_goes_through_plan_change(operator, portal_b):
    url = f"/operator/tenants/portal/{portal_b.pk}/change/"
    data = _change_form_data(operator.get(url))
    assert data["plan"] == "professional"
    data["plan"] = "community"

    response = operator.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Portal.objects.get(pk=portal_b.pk).plan_id == "community"
    event = PortalEvent.objects.get(portal=portal_b, kind=PortalEvent.Kind.PLAN_CHANGED)
    assert event.detail == {
        "from": "professional",
        "to": "community",
        "actor": "operator@allmende.example",
    }


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


def test_operator_console_does_not_exist_on_a_portal_host(client_a, admin_a):
    assert client_a.get("/operator/").status_code == 404
    assert admin_a.get("/operator/features/plan/").status_code == 404
