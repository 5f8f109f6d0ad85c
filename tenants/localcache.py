"""A bounded per-process cache in front of the shared cache, for what every request reads.

Every portal page needs its route, its feature set and its published theme. They live in the
shared cache (Redis, or a file cache without it), but a read from there costs a round trip each
time. `LocalCache` keeps the most recently used entries in this process (an LRU of
LOCAL_CACHE_MAX_ENTRIES) and stamps each with a version that lives in the shared "routing" cache.
An entry's version is read again at most once per LOCAL_CACHE_CHECK_SECONDS, so in steady state a
request costs neither a query nor a shared-cache call. `invalidate()` writes a new version; every
other process notices it at its next check, at most that interval later, and reloads the entry.

Fails towards fresh data: a version missing from the shared cache (evicted, flushed, a Redis
restart) is replaced by a new one, which outdates every local copy stamped with the old one. An
unreachable shared cache raises, as it did before this layer existed. Values are pickled, as in
Django's LocMemCache, so a caller that changes what it got (a Portal instance) cannot change what
another request or thread gets. Callers read `localcache.local_cache` at each call, so a test can
put another process's instance in its place.
"""

from __future__ import annotations

import os
import pickle
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import caches

SHARED_ALIAS = "routing"
# Versions outlive every value they stamp (the longest is an hour) and then expire, so that a
# flood of made-up hostnames leaves no key behind for good; a lost version only means a reload.
VERSION_TTL = 24 * 60 * 60


@dataclass
class _Entry:
    payload: bytes
    version: str
    checked_at: float
    expires_at: float


def _version_key(key: str) -> str:
    return f"localcache-version:{key}"


def shared_key(key: str, version: str) -> str:
    """Where a loader keeps `key`'s value of `version` in the shared cache."""
    return f"{key}@{version}"


class LocalCache:
    """An LRU of pickled values, each valid while its version in the shared cache is unchanged.

    `max_entries`, `check_seconds` and `clock` default to the settings and the monotonic clock;
    tests pass their own to play several processes on one shared cache.
    """

    def __init__(
        self,
        *,
        alias: str = SHARED_ALIAS,
        max_entries: int | None = None,
        check_seconds: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.alias = alias
        self._max_entries = max_entries
        self._check_seconds = check_seconds
        self.clock = clock
        self._lock = threading.Lock()
        self._entries: OrderedDict[str, _Entry] = OrderedDict()

    @property
    def max_entries(self) -> int:
        if self._max_entries is not None:
            return self._max_entries
        return settings.LOCAL_CACHE_MAX_ENTRIES

    @property
    def check_seconds(self) -> float:
        # Read per call, so that a test can change the setting without a new instance.
        if self._check_seconds is not None:
            return self._check_seconds
        return settings.LOCAL_CACHE_CHECK_SECONDS

    def __len__(self) -> int:
        return len(self._entries)

    def get(
        self, key: str, load: Callable[[str], tuple[Any, float]], *, alias: str | None = None
    ) -> Any:
        """The value of `key`: this process's copy while its version holds, else `load`'s.

        `load(version)` returns the value and how many seconds it may be kept; it usually reads
        the shared cache and falls back to the database, and keeps its shared entry under a key
        that includes `version` (`shared_key`): a load that read the database before an
        invalidation and writes after it then writes where nobody reads again, instead of
        putting an old value back for every process. Its exceptions propagate, nothing is kept.
        `alias` is the shared cache holding the version: the one `load` reads, so that flushing
        it outdates the copies too (default: this instance's alias).
        """
        now = self.clock()
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry.expires_at > now:
                self._entries.move_to_end(key)
                if now - entry.checked_at < self.check_seconds:
                    return pickle.loads(entry.payload)  # noqa: S301  (our own pickles)
        # The version is read before loading: an invalidation that lands while we load leaves
        # the loaded value stamped with the old version, so the next check reloads it.
        version = self._current_version(key, alias or self.alias)
        if entry is not None and entry.version == version and entry.expires_at > now:
            with self._lock:
                entry.checked_at = now
            return pickle.loads(entry.payload)  # noqa: S301
        value, ttl = load(version)
        self._store(
            key, _Entry(pickle.dumps(value, pickle.HIGHEST_PROTOCOL), version, now, now + ttl)
        )
        return value

    def invalidate(self, keys: Iterable[str], *, alias: str | None = None) -> None:
        """Outdate `keys` in every process: here at once, elsewhere at their next check.

        Call it after the shared cache's own entries are deleted, so that a process that sees the
        new version and reloads cannot read the old value from the shared cache."""
        keys = [key for key in keys if key]
        if not keys:
            return
        caches[alias or self.alias].set_many(
            {_version_key(key): uuid.uuid4().hex for key in keys}, timeout=VERSION_TTL
        )
        with self._lock:
            for key in keys:
                self._entries.pop(key, None)

    def _current_version(self, key: str, alias: str) -> str:
        shared = caches[alias]
        version_key = _version_key(key)
        version = shared.get(version_key)
        if version is None:
            # Missing (never set, evicted, flushed): a new version outdates every copy stamped
            # with a lost one. `add` lets the first process win when several start at once.
            version = uuid.uuid4().hex
            if not shared.add(version_key, version, timeout=VERSION_TTL):
                version = shared.get(version_key) or version
        return version

    def _store(self, key: str, entry: _Entry) -> None:
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def _after_fork(self) -> None:
        # A lock held by another thread at fork time would stay held forever in the child.
        self._lock = threading.Lock()


local_cache = LocalCache()
os.register_at_fork(after_in_child=local_cache._after_fork)
