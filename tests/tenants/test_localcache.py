"""The per-process cache in front of the shared cache: steady-state portal requests cost neither a
query nor a shared-cache call, a change made in one process is seen by every other one after
the check interval (never before it is committed), and the cache stays within its bound.

"Processes" are LocalCache instances on the one real shared cache, with a clock of their own.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from features.selectors import portal_features
from features.services import feature_switch
from tenants import localcache
from tenants.localcache import LocalCache
from tenants.models import Domain
from tests.accounts.factories import host_of
from tests.conftest import in_portal
from themes.services import theme_publish, theme_update_draft

pytestmark = pytest.mark.django_db

INTERVAL = 5
SHARED_ALIASES = ("default", "routing")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Process:
    cache: LocalCache
    clock: Clock


def _process() -> Process:
    clock = Clock()
    return Process(LocalCache(check_seconds=INTERVAL, clock=clock), clock)


@pytest.fixture
def run_in(monkeypatch):
    """Make `process` the one whose local cache this thread's code uses."""

    def use(process: Process) -> None:
        monkeypatch.setattr(localcache, "local_cache", process.cache)

    return use


class _CountingCache:
    """A shared cache backend that records every call made on it."""

    _CALLS = frozenset(
        {"get", "get_many", "set", "set_many", "add", "delete", "delete_many", "incr", "touch"}
        | {"has_key", "get_or_set", "clear"}
    )

    def __init__(self, inner, alias: str, calls: list) -> None:
        self._inner, self._alias, self._calls = inner, alias, calls

    def __getattr__(self, name):
        attribute = getattr(self._inner, name)
        if name not in self._CALLS:
            return attribute

        def call(*args, **kwargs):
            self._calls.append((self._alias, name, args[0] if args else None))
            return attribute(*args, **kwargs)

        return call


@contextlib.contextmanager
def shared_cache_calls():
    calls: list[tuple[str, str, object]] = []
    originals = {alias: caches[alias] for alias in SHARED_ALIASES}
    for alias, backend in originals.items():
        caches[alias] = _CountingCache(backend, alias, calls)
    try:
        yield calls
    finally:
        for alias, backend in originals.items():
            caches[alias] = backend


def _loader(value, calls: list, ttl: float = 60):
    def load(version):
        calls.append(value)
        return value, ttl

    return load


# --- steady state -----------------------------------------------------------------------------


def test_steady_state_portal_request_makes_no_query_and_no_shared_cache_call(client_a, run_in):
    run_in(_process())
    assert client_a.get("/healthz").status_code == 200  # warms both caches

    with shared_cache_calls() as calls, CaptureQueriesContext(connection) as queries:
        response = client_a.get("/healthz")

    assert response.status_code == 200
    assert len(queries) == 0, [q["sql"] for q in queries.captured_queries]
    assert calls == []


def test_steady_state_start_page_reads_route_theme_and_features_from_the_process(
    client_a, portal_a, run_in
):
    run_in(_process())
    assert client_a.get("/").status_code == 200

    with shared_cache_calls() as calls:
        response = client_a.get("/")

    assert response.status_code == 200
    assert b"Portal Alpha" in response.content
    ours = ("host:", "features:", "theme:", "localcache-version:")
    assert [call for call in calls if str(call[2]).startswith(ours)] == []


def test_first_request_of_a_process_reads_the_shared_cache_not_the_database(client_a, run_in):
    run_in(_process())
    assert client_a.get("/healthz").status_code == 200
    run_in(_process())  # a process that has just started

    with CaptureQueriesContext(connection) as queries:
        response = client_a.get("/healthz")

    assert response.status_code == 200
    assert len(queries) == 0, [q["sql"] for q in queries.captured_queries]


# --- changes made through the services, seen across processes ---------------------------------


def test_domain_added_in_another_process_routes_here_after_the_interval(
    portal_a, run_in, django_capture_on_commit_callbacks
):
    here, other = _process(), _process()
    hostname = "stadtteil.example.org"
    run_in(here)
    assert Client(HTTP_HOST=hostname).get("/healthz").status_code == 404

    run_in(other)
    with django_capture_on_commit_callbacks(execute=True):
        Domain.objects.create(domain=hostname, tenant=portal_a, is_primary=False)

    run_in(here)
    assert Client(HTTP_HOST=hostname).get("/healthz").status_code == 404
    here.clock.advance(INTERVAL)
    assert Client(HTTP_HOST=hostname).get("/healthz").status_code == 200


def test_theme_published_in_another_process_is_shown_here_after_the_interval(
    portal_b, run_in, django_capture_on_commit_callbacks
):
    here, other = _process(), _process()
    visitor = Client(HTTP_HOST=host_of(portal_b))
    run_in(here)
    assert "Lindenblatt" not in visitor.get("/").content.decode()

    run_in(other)
    with in_portal(portal_b), django_capture_on_commit_callbacks(execute=True):
        theme_update_draft(site_name="Lindenblatt")
        theme_publish(actor_label="tests")

    run_in(here)
    here.clock.advance(INTERVAL - 1)
    assert "Lindenblatt" not in visitor.get("/").content.decode()
    here.clock.advance(1)
    assert "Lindenblatt" in visitor.get("/").content.decode()


def test_module_switched_off_in_another_process_is_off_here_after_the_interval(
    portal_b, run_in, django_capture_on_commit_callbacks
):
    here, other = _process(), _process()
    run_in(here)
    assert "member_directory" in portal_features(portal_b)

    run_in(other)
    with django_capture_on_commit_callbacks(execute=True):
        feature_switch(
            portal=portal_b, feature="member_directory", enabled=False, actor_label="tests"
        )

    run_in(here)
    assert "member_directory" in portal_features(portal_b)
    here.clock.advance(INTERVAL)
    assert "member_directory" not in portal_features(portal_b)


def test_rolled_back_change_is_not_invalidated_anywhere(portal_b, run_in):
    here, other = _process(), _process()
    run_in(here)
    assert "member_directory" in portal_features(portal_b)

    run_in(other)
    # On-commit callbacks never run: as far as the caches know, nothing was committed.
    feature_switch(portal=portal_b, feature="member_directory", enabled=False, actor_label="t")

    run_in(here)
    here.clock.advance(INTERVAL)
    with CaptureQueriesContext(connection) as queries:
        assert "member_directory" in portal_features(portal_b)
    assert len(queries) == 0


# --- the cache itself ---------------------------------------------------------------------------


def test_invalidation_reaches_another_process_at_its_next_check(db):
    here, other = _process(), _process()
    loads: list[str] = []
    assert here.cache.get("k", _loader("old", loads)) == "old"
    assert other.cache.get("k", _loader("old", loads)) == "old"

    here.cache.invalidate(["k"])

    assert here.cache.get("k", _loader("new", loads)) == "new"  # at once in the same process
    assert other.cache.get("k", _loader("new", loads)) == "old"
    other.clock.advance(INTERVAL)
    assert other.cache.get("k", _loader("new", loads)) == "new"
    assert loads == ["old", "old", "new", "new"]


def test_a_load_that_read_before_an_invalidation_cannot_put_the_old_value_back(db):
    """B reads the database, A's change commits and invalidates, then B writes what it read:
    a process that loads afterwards must not get B's old value from the shared cache."""
    from django.core.cache import caches

    from tenants.localcache import SHARED_ALIAS, shared_key

    shared = caches[SHARED_ALIAS]
    database = {"k": "old"}
    late, fresh = _process(), _process()

    def read_through(version):
        key = shared_key("k", version)
        value = shared.get(key)
        if value is None:
            value = database["k"]
            if database["k"] == "old":  # A commits while B is between its read and its write
                database["k"] = "new"
                late.cache.invalidate(["k"])
            shared.set(key, value, 60)
        return value, 60

    assert late.cache.get("k", read_through) == "old"  # what B read, stamped with the old version
    assert fresh.cache.get("k", read_through) == "new"
    late.clock.advance(INTERVAL)
    assert late.cache.get("k", read_through) == "new"


def test_unchanged_version_keeps_the_copy_after_the_interval(db):
    process = _process()
    loads: list[str] = []
    process.cache.get("k", _loader("v", loads))

    process.clock.advance(INTERVAL)
    with shared_cache_calls() as calls:
        assert process.cache.get("k", _loader("v", loads)) == "v"
        assert process.cache.get("k", _loader("v", loads)) == "v"

    assert loads == ["v"]
    assert [name for _alias, name, _key in calls] == ["get"]  # one version check, then none


def test_flushed_shared_cache_outdates_every_copy(db):
    process = _process()
    loads: list[str] = []
    process.cache.get("k", _loader("before", loads))

    caches["routing"].clear()
    process.clock.advance(INTERVAL)

    assert process.cache.get("k", _loader("after", loads)) == "after"


def test_entry_expires_after_its_ttl_even_while_its_version_holds(db):
    process = _process()
    loads: list[str] = []
    process.cache.get("grant", _loader("granted", loads, ttl=2))

    process.clock.advance(2)

    assert process.cache.get("grant", _loader("expired", loads)) == "expired"


def test_least_recently_used_entry_is_dropped_beyond_the_bound(db):
    clock = Clock()
    cache = LocalCache(max_entries=2, check_seconds=INTERVAL, clock=clock)
    loads: list[str] = []
    cache.get("a", _loader("a", loads))
    cache.get("b", _loader("b", loads))
    cache.get("a", _loader("a", loads))  # a is now the most recently used
    cache.get("c", _loader("c", loads))

    assert len(cache) == 2
    cache.get("a", _loader("a", loads))
    cache.get("b", _loader("b", loads))
    assert loads == ["a", "b", "c", "b"]


def test_changing_a_returned_value_does_not_change_the_cached_one(db):
    process = _process()
    value = process.cache.get("theme", _loader({"site_name": "Alpha"}, []))
    value["site_name"] = "Verändert"

    assert process.cache.get("theme", _loader({}, []))["site_name"] == "Alpha"


def test_failing_load_keeps_nothing(db):
    process = _process()

    def broken(version):
        raise RuntimeError("database down")

    with pytest.raises(RuntimeError):
        process.cache.get("k", broken)
    assert process.cache.get("k", _loader("v", [])) == "v"
