"""PostgreSQL restarted under load: gunicorn recovers by itself and no acknowledged write is lost.

Runs on the suite's own cluster (never the shared one). Writers post news through HTTP while
the server is stopped (fast: sessions are cut as in a crash) and started again, then once more
while the workers are idle; gunicorn keeps running with persistent connections
(DATABASE_CONN_MAX_AGE=60, as in production), which CONN_HEALTH_CHECKS replaces when dead. Every post
that was answered with the redirect of success must be in the database afterwards, and requests
must succeed again within seconds of the restart.
"""

from __future__ import annotations

import threading
import time

import pytest
import requests

pytestmark = pytest.mark.soak

WRITERS = 4


def _writer(
    base: str, portal: dict, name: str, stop: threading.Event, paused: threading.Event, log: list
) -> None:
    session = requests.Session()
    session.cookies.set(portal["session_cookie"], portal["session"])
    headers = {"Host": portal["host"], "X-CSRFToken": portal["csrf"]}
    number = 0
    while not stop.is_set():
        if paused.is_set():
            time.sleep(0.05)
            continue
        number += 1
        body = f"{name}-{number}"
        started = time.monotonic()
        try:
            response = session.post(
                f"{base}/posts/new/",
                data={"body": body},
                headers=headers,
                allow_redirects=False,
                timeout=30,
            )
            status = response.status_code
            acknowledged = status == 302 and response.headers.get("Location") == "/"
        except requests.RequestException:
            status, acknowledged = None, False
        log.append((started, body, status, acknowledged))


def _wait_for(condition, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.1)


def test_postgres_restart_under_load_loses_no_acknowledged_write_and_recovers(cluster):
    cluster.env["DATABASE_CONN_MAX_AGE"] = "60"
    portal = cluster.seed(1, prefix="neustart")[0]
    _server, base = cluster.gunicorn(workers=2)
    stop, paused = threading.Event(), threading.Event()
    log: list = []
    threads = [
        threading.Thread(
            target=_writer, args=(base, portal, f"w{i}", stop, paused, log), daemon=True
        )
        for i in range(WRITERS)
    ]
    for thread in threads:
        thread.start()
    try:
        _wait_for(lambda: sum(1 for *_, ok in log if ok) >= 40)
        before_restart = sum(1 for *_, ok in log if ok)
        restart_started = time.monotonic()
        cluster.restart(down_seconds=2)
        restarted = time.monotonic()
        _wait_for(lambda: sum(1 for entry in log if entry[0] > restarted + 0.5) >= 40)
        # Once more while the workers sit idle on their persistent connections: the first
        # request of each after the restart finds a dead connection.
        paused.set()
        time.sleep(1)
        cluster.restart(down_seconds=1)
        idle_restarted = time.monotonic()
        paused.clear()
        _wait_for(lambda: sum(1 for entry in log if entry[0] > idle_restarted) >= 40)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=40)

    assert before_restart >= 40, "the writers did not get going before the restart"
    during = [entry for entry in log if restart_started <= entry[0] <= restarted]
    assert any(not ok for *_, ok in during), "the restart went unnoticed: it tested nothing"

    acknowledged = {body for _, body, _, ok in log if ok}
    stored = {body for (body,) in cluster.query(f'SELECT body FROM "{portal["schema"]}".news_post')}
    assert acknowledged - stored == set(), "acknowledged posts are missing after the restart"
    assert stored <= {body for _, body, _, _ in log}

    # Recovered without anyone touching gunicorn: every request sent once the server was back
    # succeeded, also the first one on each worker's (dead) persistent connection.
    after = [entry for entry in log if entry[0] > restarted]
    assert len([entry for entry in after if entry[0] > idle_restarted]) >= 40
    failed_after = [(body, status) for _, body, status, ok in after if not ok]
    assert failed_after == [], "requests failed after PostgreSQL was back"
    statuses = {status for _, _, status, ok in log if not ok}
    print(
        f"\n{len(log)} posts, {len(acknowledged)} acknowledged, all stored; failed while "
        f"PostgreSQL was down: {len(log) - len(acknowledged)} (statuses {statuses}); "
        f"{len(after)} posts after the restart, all acknowledged"
    )
