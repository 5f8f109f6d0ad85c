"""Fixtures of the reliability suite: an own PostgreSQL cluster, migrated, per test module."""

from __future__ import annotations

import pytest

from tests.reliability.cluster import Cluster


@pytest.fixture(scope="module")
def cluster():
    own = Cluster()
    try:
        own.start()
        own.migrate()
        yield own
    finally:
        own.close()
