"""A provisioning process killed (SIGKILL) at every fault point leaves no half portal.

The in-process variant (tests/tenants/test_provisioning.py) raises at each point; here the
process dies at it, as in a crash or an OOM kill: nothing of Python's clean-up runs, and only
PostgreSQL's rollback of the open transaction stands between the crash and a half portal. After
each kill there is no portal row, domain, schema or media folder of the portal, and provisioning
the same subdomain then succeeds.
"""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest

from tenants.services.provisioning import FAULT_POINTS
from tests.reliability.cluster import ROOT

pytestmark = pytest.mark.soak

_SCRIPT = """
import os, signal, sys
import django
django.setup()
from tenants.services import portal_provision
import tenants.schema_clone, tenants.services.provisioning as provisioning

def checkpoint(point):
    if point == sys.argv[1]:
        os.kill(os.getpid(), signal.SIGKILL)

if sys.argv[1] != "-":
    provisioning.checkpoint = tenants.schema_clone.checkpoint = checkpoint
portal_provision(name="Absturz", subdomain="absturz", admin_email="chef@absturz.example")
print("provisioned")
"""


def _provision(cluster, point: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", _SCRIPT, point],
        cwd=ROOT,
        env=dict(cluster.env, CELERY_TASK_ALWAYS_EAGER="1"),
        capture_output=True,
        text=True,
        timeout=120,
    )


def _traces(cluster) -> dict:
    media = cluster.root / "media" / "portals"
    return {
        "portal": cluster.query("SELECT slug FROM tenants_portal WHERE slug = 'absturz'"),
        "domain": cluster.query("SELECT domain FROM tenants_domain WHERE domain LIKE 'absturz.%%'"),
        "schema": cluster.query("SELECT 1 FROM pg_namespace WHERE nspname = 'p_absturz'"),
        "media": sorted(p.name for p in media.iterdir()) if media.exists() else [],
    }


def test_a_provisioning_process_killed_at_every_fault_point_leaves_nothing(cluster):
    empty = _traces(cluster)
    assert empty == {"portal": [], "domain": [], "schema": [], "media": empty["media"]}
    for point in FAULT_POINTS:
        killed = _provision(cluster, point)
        assert killed.returncode == -signal.SIGKILL, (point, killed.stderr[-3000:])
        assert _traces(cluster) == empty, point

    done = _provision(cluster, "-")
    assert done.returncode == 0, done.stderr[-3000:]
    traces = _traces(cluster)
    assert traces["portal"] == [("absturz",)]
    assert traces["schema"] == [(1,)]
