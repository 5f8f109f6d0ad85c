"""The gate: a module that is off does not exist in URLs, the API, navigation, templates and tasks,
for its own portal only; checking it is cheap, and every change reaches it at once. A module that
is declared but not built is off everywhere, whatever the plan, grants and switches say."""

from __future__ import annotations

from datetime import timedelta

import pytest
from celery import shared_task
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.routing import walk
from features.catalogue import FEATURES, Feature, built
from features.gate import is_enabled
from features.models import FeatureGrant, FeatureSwitch, Plan
from features.selectors import forget_portal_features, portal_features, resolve_enabled
from features.services import feature_grant, feature_switch, plan_change
from news.models import Post
from tenants.models import Portal
from tests.accounts.factories import host_of, logged_in_client, member_of
from tests.conftest import in_portal
from tests.features.conftest import set_feature
from tests.news.factories import PostFactory

pytestmark = pytest.mark.django_db

GATED_URLCONF = "tests.features.urls_gated"
API_NAV_LINK = 'href="/api/v1/"'
BRANDING = 'class="platform-branding"'


UNBUILT = sorted(set(FEATURES) - set(built()))


@pytest.fixture
def gated_urls(settings):
    settings.ROOT_URLCONF = GATED_URLCONF


@shared_task(required_feature="custom_css")
def rebuild_stylesheet(reason: str) -> dict:
    """A task of a module that is off until switched on (Professional only)."""
    return {"reason": reason, "schema": connection.schema_name}


@shared_task(required_feature="webhooks")
def deliver_webhook(event: str) -> dict:
    """A task of a module that is not built."""
    return {"event": event, "schema": connection.schema_name}


# --- URLs and API views ----------------------------------------------------------------------


@pytest.mark.parametrize("enabled", [True, False], ids=["on", "off"])
@pytest.mark.parametrize("key", sorted(built()))
def test_page_and_api_view_behind_a_module_exist_only_while_it_is_on(
    gated_urls, client_b, portal_b, key, enabled
):
    set_feature(portal_b, key, enabled)
    assert (key in portal_features(portal_b)) is enabled

    page = client_b.get(f"/gated/{key}/")
    api = client_b.get(f"/gated/{key}/api/")

    expected = 200 if enabled else 404
    assert page.status_code == expected
    assert api.status_code == expected
    if enabled:
        assert page.content == b"page of the module"
        assert api.json() == {"module": "api"}


def test_module_granted_outside_the_plan_opens_its_url(gated_urls, client_a, portal_a):
    assert client_a.get("/gated/member_directory/").status_code == 404

    FeatureGrant.objects.create(
        portal=portal_a, feature="member_directory", expires_at=timezone.now() + timedelta(days=3)
    )
    forget_portal_features([portal_a.pk])

    assert client_a.get("/gated/member_directory/").status_code == 200


def test_module_removed_from_the_plan_closes_its_url(
    gated_urls, client_b, portal_b, django_capture_on_commit_callbacks
):
    assert client_b.get("/gated/member_directory/").status_code == 200
    plan = Plan.objects.get(key="professional")
    plan.features = [k for k in plan.features if k != "member_directory"]

    with django_capture_on_commit_callbacks(execute=True):
        plan.save()

    assert client_b.get("/gated/member_directory/").status_code == 404


# --- modules that are not built --------------------------------------------------------------


def test_the_catalogue_declares_modules_that_are_not_built():
    # Without any, the tests of this section would check nothing.
    assert {"webhooks", "sso"} <= set(UNBUILT)
    assert {
        "spaces",
        "private_spaces",
        "documents",
        "member_directory",
        "ideas",
        "proposals",
        "events",
        "map",
    } <= set(built())
    assert list(built()) == [key for key in FEATURES if key not in UNBUILT]  # catalogue order


def test_resolve_enables_no_module_that_is_not_built_whatever_the_plan_and_switches():
    everything = frozenset(FEATURES)

    enabled = resolve_enabled(everything, {key: True for key in FEATURES})

    assert enabled == frozenset(built())


def test_built_module_that_requires_one_not_built_stays_off(monkeypatch):
    # A test-only catalogue entry: no real built module requires an unbuilt one (yet).
    probe = Feature("sso_groups", "SSO groups", "Groups from SSO.", frozenset(), ("sso",))
    monkeypatch.setitem(FEATURES, probe.key, probe)
    entitled = frozenset({"sso", "sso_groups", "spaces"})

    enabled = resolve_enabled(entitled, {"sso": True, "sso_groups": True})

    assert enabled == {"spaces"}


@pytest.mark.parametrize("key", UNBUILT)
def test_module_not_built_is_off_even_when_entitled_and_switched_on(
    gated_urls, client_b, portal_b, key
):
    set_feature(portal_b, key, True)  # with what it requires

    current = portal_features(portal_b)
    assert key in current.entitled
    assert current.wanted(key)
    assert key not in current
    assert not is_enabled(portal_b, key)
    assert client_b.get(f"/gated/{key}/").status_code == 404
    assert client_b.get(f"/gated/{key}/api/").status_code == 404
    # The same portal opens a built module's pages: the 404 is the module's, not the probe's.
    for required in (*FEATURES[key].requires, "member_directory"):
        assert required in current
        assert client_b.get(f"/gated/{required}/").status_code == 200


def test_module_not_built_is_off_even_when_granted(gated_urls, client_a, portal_a):
    for key in ("sso", "member_directory"):
        FeatureGrant.objects.create(
            portal=portal_a, feature=key, expires_at=timezone.now() + timedelta(days=3)
        )
    forget_portal_features([portal_a.pk])
    set_feature(portal_a, "sso", True)

    current = portal_features(portal_a)
    assert "sso" in current.entitled
    assert "sso" not in current
    assert client_a.get("/gated/sso/").status_code == 404
    # The grant of a built module next to it opens that module.
    assert "member_directory" in current
    assert client_a.get("/gated/member_directory/").status_code == 200


def test_task_of_a_module_not_built_is_skipped_even_when_switched_on(portal_b):
    set_feature(portal_b, "webhooks", True)
    set_feature(portal_b, "custom_css", True)

    with in_portal(portal_b):
        skipped = deliver_webhook.delay("post_created").get()
        ran = rebuild_stylesheet.delay("theme_published").get()

    assert skipped is None
    assert ran == {"reason": "theme_published", "schema": portal_b.schema_name}


# --- nested markers: a route behind two modules ----------------------------------------------


def test_nested_markers_add_up_in_the_declared_routes():
    routes = {route.route: route.features for route in walk(GATED_URLCONF)}

    assert routes["nested/x/"] == {"api_access", "member_directory"}
    assert routes["nested/plain/"] == {"api_access"}
    assert routes["gated/member_directory/"] == {"member_directory"}


def test_every_route_of_the_real_api_is_behind_api_access():
    api_routes = [route for route in walk(settings.ROOT_URLCONF) if route.route.startswith("api/")]

    assert {route.name for route in api_routes} >= {"api-root", "posts-list", "features-list"}
    assert all("api_access" in route.features for route in api_routes)


@pytest.mark.parametrize(
    ("api_access", "directory_on"),
    [(True, True), (True, False), (False, True), (False, False)],
    ids=["both-on", "directory-off", "api-off", "both-off"],
)
def test_route_behind_api_access_and_the_directory_exists_only_while_both_are_on(
    gated_urls, client_b, portal_b, api_access, directory_on
):
    set_feature(portal_b, "api_access", api_access)
    set_feature(portal_b, "member_directory", directory_on)
    enabled = portal_features(portal_b)
    assert ("api_access" in enabled, "member_directory" in enabled) == (api_access, directory_on)

    nested = client_b.get("/nested/x/")
    outer_only = client_b.get("/nested/plain/")

    assert nested.status_code == (200 if api_access and directory_on else 404)
    assert outer_only.status_code == (200 if api_access else 404)
    if api_access and directory_on:
        assert nested.content == b"page of the module"


@pytest.mark.parametrize(
    ("api_access", "directory_on"),
    [(True, True), (True, False), (False, True)],
    ids=["both-on", "directory-off", "api-off"],
)
def test_api_endpoint_of_a_module_needs_the_module_and_api_access(
    gated_urls, portal_b, api_access, directory_on
):
    member = logged_in_client(portal_b, member_of(portal_b))
    set_feature(portal_b, "api_access", api_access)
    set_feature(portal_b, "member_directory", directory_on)

    endpoint = member.get("/probe-api/directory-probe/")
    root = member.get("/probe-api/")

    if not api_access:
        assert (endpoint.status_code, root.status_code) == (404, 404)
    elif not directory_on:
        assert endpoint.status_code == 404
        assert root.status_code == 200
        assert root.json() == {}
    else:
        assert endpoint.status_code == 200
        assert endpoint.json() == {"module": "member_directory"}
        assert root.status_code == 200
        assert list(root.json()) == ["directory-probe"]
        assert root.json()["directory-probe"].endswith("/probe-api/directory-probe/")


def test_api_root_lists_the_portals_endpoints_to_a_member(portal_b):
    member = logged_in_client(portal_b, member_of(portal_b))

    response = member.get("/api/v1/")

    assert response.status_code == 200
    # The modules' apps add their endpoints (spaces, comments, ...); the platform's own are
    # always there, and every entry leads to its endpoint.
    assert set(response.json()) >= {"features", "members", "posts"}
    for name, url in response.json().items():
        assert url.endswith(f"/api/v1/{name}/"), (name, url)


# --- navigation and templates ----------------------------------------------------------------


def test_api_nav_entry_is_shown_on_professional_portal_and_not_on_community(portal_a, portal_b):
    body_a = logged_in_client(portal_a, member_of(portal_a)).get("/").content.decode()
    body_b = logged_in_client(portal_b, member_of(portal_b)).get("/").content.decode()

    assert API_NAV_LINK in body_b
    assert API_NAV_LINK not in body_a


def test_visitors_navigation_has_no_api_link(client_b, portal_b):
    # The API answers visitors with its bare "forbidden" page: no link leads them there.
    assert "api_access" in portal_features(portal_b)
    assert API_NAV_LINK not in client_b.get("/").content.decode()
    member = logged_in_client(portal_b, member_of(portal_b))
    assert API_NAV_LINK in member.get("/").content.decode()


def test_switching_api_access_off_removes_its_nav_entry(portal_b):
    member = logged_in_client(portal_b, member_of(portal_b))
    assert API_NAV_LINK in member.get("/").content.decode()

    set_feature(portal_b, "api_access", False)

    assert API_NAV_LINK not in member.get("/").content.decode()


def test_branding_footer_shows_on_community_and_is_hidden_on_professional(client_a, client_b):
    assert BRANDING in client_a.get("/").content.decode()
    assert BRANDING not in client_b.get("/").content.decode()


def test_switching_hide_branding_off_shows_the_footer_again(client_b, portal_b):
    set_feature(portal_b, "hide_branding", False)

    assert BRANDING in client_b.get("/").content.decode()


def test_platform_host_renders_without_portal_modules(platform_client):
    response = platform_client.get("/")

    assert response.status_code == 200
    assert API_NAV_LINK not in response.content.decode()


# --- the real API ----------------------------------------------------------------------------


@pytest.fixture
def post_in_b(portal_b) -> Post:
    with in_portal(portal_b):
        return PostFactory(body="Neuigkeit nur für Beta-Mitglieder")


def test_api_lists_posts_to_a_member_of_a_professional_portal(portal_b, post_in_b):
    client = logged_in_client(portal_b, member_of(portal_b))

    response = client.get("/api/v1/posts/")

    assert response.status_code == 200
    assert post_in_b.body in [row["body"] for row in response.json()["results"]]


def test_api_does_not_exist_on_a_community_portal(portal_a, portal_b):
    client = logged_in_client(portal_a, member_of(portal_a))

    assert client.get("/api/v1/posts/").status_code == 404
    assert client.get("/api/v1/").status_code == 404
    # The same URLs answer a member of a professional portal.
    professional = logged_in_client(portal_b, member_of(portal_b))
    assert professional.get("/api/v1/posts/").status_code == 200
    assert professional.get("/api/v1/").status_code == 200


def test_switching_api_access_off_makes_the_api_404(portal_b, post_in_b):
    client = logged_in_client(portal_b, member_of(portal_b))
    assert client.get("/api/v1/posts/").status_code == 200
    set_feature(portal_b, "api_access", False)

    response = client.get("/api/v1/posts/")

    assert response.status_code == 404
    assert post_in_b.body not in response.content.decode()


def test_session_of_portal_a_member_gets_no_data_from_portal_b_api(portal_a, portal_b, post_in_b):
    client_a = logged_in_client(portal_a, member_of(portal_a))
    client_b = Client(HTTP_HOST=host_of(portal_b))
    client_b.cookies[settings.SESSION_COOKIE_NAME] = client_a.cookies[
        settings.SESSION_COOKIE_NAME
    ].value

    response = client_b.get("/api/v1/posts/")

    # Anonymous there; session authentication answers 403 (it sends no WWW-Authenticate).
    assert response.status_code == 403
    assert post_in_b.body not in response.content.decode()
    # A member of B gets the post from the same URL.
    own = logged_in_client(portal_b, member_of(portal_b)).get("/api/v1/posts/")
    assert own.status_code == 200
    assert post_in_b.body in [row["body"] for row in own.json()["results"]]


def test_module_off_and_on_again_brings_its_content_back(portal_b, post_in_b):
    client = logged_in_client(portal_b, member_of(portal_b))
    set_feature(portal_b, "api_access", False)
    assert client.get("/api/v1/posts/").status_code == 404

    set_feature(portal_b, "api_access", True)
    response = client.get("/api/v1/posts/")

    assert response.status_code == 200
    assert post_in_b.body in [row["body"] for row in response.json()["results"]]
    assert API_NAV_LINK in client.get("/").content.decode()


# --- tasks -----------------------------------------------------------------------------------


def test_task_requiring_a_module_runs_where_it_is_on(portal_b):
    set_feature(portal_b, "custom_css", True)

    with in_portal(portal_b):
        result = rebuild_stylesheet.delay("theme_published").get()

    assert result == {"reason": "theme_published", "schema": portal_b.schema_name}


def test_task_requiring_a_module_is_skipped_where_the_plan_lacks_it(portal_a):
    with in_portal(portal_a):
        result = rebuild_stylesheet.delay("theme_published").get()

    assert result is None


def test_task_requiring_a_module_is_skipped_once_it_is_switched_off(portal_b):
    set_feature(portal_b, "custom_css", True)
    set_feature(portal_b, "custom_css", False)

    with in_portal(portal_b):
        result = rebuild_stylesheet.delay("theme_published").get()

    assert result is None


# --- isolation between portals ---------------------------------------------------------------


def test_switch_in_portal_b_leaves_portal_a_unchanged(portal_a, portal_b, client_a):
    before = portal_features(portal_a)

    set_feature(portal_b, "spaces", False)
    set_feature(portal_b, "hide_branding", False)

    assert "spaces" not in portal_features(portal_b)
    forget_portal_features([portal_a.pk])
    assert portal_features(portal_a) == before
    assert "spaces" in portal_features(portal_a)


def test_switch_in_portal_a_leaves_portal_b_unchanged(portal_a, portal_b, client_b):
    before = portal_features(portal_b)

    set_feature(portal_a, "spaces", False)

    assert "spaces" not in portal_features(portal_a)
    forget_portal_features([portal_b.pk])
    assert portal_features(portal_b) == before
    assert "spaces" in portal_features(portal_b)
    assert BRANDING not in client_b.get("/").content.decode()


# --- cost ------------------------------------------------------------------------------------


def test_portal_features_costs_no_query_once_warm(portal_b, django_assert_num_queries):
    portal_features(portal_b)

    with django_assert_num_queries(0):
        features = portal_features(portal_b)
        assert is_enabled(portal_b, "api_access")
    assert "api_access" in features


def _queries_for(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("warm", [True, False], ids=["warm", "cold"])
def test_checking_many_features_costs_no_more_queries_than_one(
    gated_urls, client_b, portal_b, warm
):
    client_b.get("/probe/0/")  # routing, theme and features cached

    counts = []
    for rounds in (0, 10):
        if not warm:
            forget_portal_features([portal_b.pk])
        counts.append(_queries_for(client_b, f"/probe/{rounds}/"))

    assert counts[0] == counts[1]


def test_home_page_loads_the_features_of_its_portal_at_most_once(client_b, portal_b):
    client_b.get("/")
    forget_portal_features([portal_b.pk])

    with CaptureQueriesContext(connection) as queries:
        assert client_b.get("/").status_code == 200

    plan_queries = [q for q in queries if '"features_plan"' in q["sql"]]
    assert len(plan_queries) == 1


# --- cache invalidation ----------------------------------------------------------------------


def _fresh(portal) -> Portal:
    # The session-scoped fixture object must not be changed; tests read a copy.
    return Portal.objects.get(pk=portal.pk)


def test_switch_is_seen_on_commit(portal_b, django_capture_on_commit_callbacks):
    assert "member_directory" in portal_features(portal_b)

    with django_capture_on_commit_callbacks(execute=True):
        feature_switch(
            portal=portal_b, feature="member_directory", enabled=False, actor_label="operator"
        )

    assert "member_directory" not in portal_features(portal_b)


def test_removing_a_switch_is_seen_on_commit(portal_b, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        FeatureSwitch.objects.create(portal=portal_b, feature="member_directory", enabled=False)
    assert "member_directory" not in portal_features(portal_b)

    with django_capture_on_commit_callbacks(execute=True):
        FeatureSwitch.objects.filter(portal=portal_b, feature="member_directory").get().delete()

    assert "member_directory" in portal_features(portal_b)


def test_grant_is_seen_on_commit(portal_a, django_capture_on_commit_callbacks):
    assert "documents" not in portal_features(portal_a)

    with django_capture_on_commit_callbacks(execute=True):
        feature_grant(
            portal=portal_a, feature="documents", expires_at=timezone.now() + timedelta(days=7)
        )

    assert "documents" in portal_features(portal_a)


def test_plan_edit_is_seen_on_commit(portal_a, django_capture_on_commit_callbacks):
    assert "member_directory" not in portal_features(portal_a)
    assert portal_features(portal_a).limits.max_members == 500
    plan = Plan.objects.get(key="community")
    plan.features = [*plan.features, "member_directory"]
    plan.max_members = 20

    with django_capture_on_commit_callbacks(execute=True):
        plan.save()

    assert "member_directory" in portal_features(portal_a)
    assert portal_features(portal_a).limits.max_members == 20


def test_portal_plan_change_is_seen_on_commit(
    client_b, portal_b, django_capture_on_commit_callbacks
):
    assert "api_access" in portal_features(portal_b)
    assert BRANDING not in client_b.get("/").content.decode()
    member = logged_in_client(portal_b, member_of(portal_b))
    assert API_NAV_LINK in member.get("/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        plan_change(portal=portal_b, plan="community", actor_label="billing")

    features = portal_features(_fresh(portal_b))
    assert features.plan_key == "community"
    assert "api_access" not in features
    assert BRANDING in client_b.get("/").content.decode()
    assert API_NAV_LINK not in member.get("/").content.decode()


def test_cached_answer_stands_until_the_change_commits(portal_b):
    assert "member_directory" in portal_features(portal_b)

    feature_switch(
        portal=portal_b, feature="member_directory", enabled=False, actor_label="operator"
    )

    # Without a commit the cached answer stands; the settings page and services read the
    # database (load_portal_features), which already sees the change.
    assert "member_directory" in portal_features(portal_b)
