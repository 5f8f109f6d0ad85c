"""A Celery worker killed in the middle of a task: the mail or the export happens exactly once.

Tasks are acknowledged late and rejected back to the queue when their worker process dies
(CELERY_TASK_REJECT_ON_WORKER_LOST), so a killed task runs again in a new process; the mail
helper records each mail of a task in the same transaction that hands it over
(themes.SentMail), so the rerun does not send it twice, and a portal export runs once per
request. The workers are real (prefork pool, their own cluster). On the embedded file-system
broker the test kills the pool process that runs the task (SIGKILL), before the mail is handed
over and after the task did its work but before the broker heard of it; on Redis (the
production broker) it kills the whole worker and starts a new one. Then it counts the mails
that arrived and the export files written.

Not covered, because it cannot hold: the whole worker killed on the file-system broker (that
transport deletes a message when it is fetched, so the task is lost), and a worker killed in
the instant between the mail server accepting a mail and the marker's commit (sent twice).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
import uuid
from pathlib import Path

import pytest
from celery import Celery

from members.models import token_digest
from tenants.celery import PORTAL_HEADER
from tests.browser import celery_worker_argv
from tests.reliability.cluster import ROOT, Cluster, free_port

pytestmark = pytest.mark.soak


class Worker:
    def __init__(self, cluster: Cluster, name: str, **env: str) -> None:
        self.cluster = cluster
        self.mail_dir = cluster.root / f"mail-{name}"
        self.pause_dir = cluster.root / f"pause-{name}"
        self.mail_dir.mkdir(exist_ok=True)
        self.pause_dir.mkdir(exist_ok=True)
        self.env = dict(
            cluster.env,
            DJANGO_SETTINGS_MODULE="tests.reliability.worker_settings",
            RELIABILITY_MAIL_DIR=str(self.mail_dir),
            RELIABILITY_PAUSE_DIR=str(self.pause_dir),
            **env,
        )
        self.log = open(cluster.root / f"worker-{name}.log", "ab")  # noqa: SIM115
        self.process = subprocess.Popen(
            celery_worker_argv(pool="prefork", concurrency=1, loglevel="INFO"),
            cwd=ROOT / "platform",
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def output(self) -> str:
        return Path(self.log.name).read_text(errors="replace")[-6000:]

    def wait_for(self, condition, what: str, timeout: float = 90):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = condition()
            if value:
                return value
            if self.process.poll() is not None:
                break
            time.sleep(0.2)
        pytest.fail(f"{what} did not happen within {timeout} s; the worker said:\n{self.output()}")

    def paused(self) -> tuple[str, int] | None:
        marker = self.pause_dir / "paused"
        if not marker.exists() or not marker.read_text().strip():
            return None
        point, pid = marker.read_text().split()
        return point, int(pid)

    def done(self) -> list[tuple[str, int]]:
        path = self.pause_dir / "done"
        lines = path.read_text().split("\n") if path.exists() else []
        return [(line.split()[0], int(line.split()[1])) for line in lines if line.strip()]

    def mails_to(self, address: str) -> list[str]:
        messages = []
        for path in sorted(self.mail_dir.glob("*.log")):
            # The file backend separates messages by a line of 79 dashes.
            for message in path.read_text().split("-" * 79):
                if re.search(rf"^To: {re.escape(address)}$", message, re.MULTILINE):
                    messages.append(message)
        return messages

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def _sender(cluster: Cluster, redis_url: str = "") -> Celery:
    """A producer on the cluster's broker, apart from the test run's own broker."""
    if redis_url:
        app = Celery("reliability-sender", set_as_current=False, broker=redis_url)
        app.conf.task_serializer = "json"
        return app
    broker = cluster.root / "broker" / "development"
    app = Celery("reliability-sender", set_as_current=False)
    app.conf.broker_url = "filesystem://localhost//"
    app.conf.broker_transport_options = {
        "data_folder_in": str(broker / "queue"),
        "data_folder_out": str(broker / "queue"),
        "processed_folder": str(broker / "processed"),
        "control_folder": str(broker / "control"),
        "store_processed": False,
    }
    app.conf.task_serializer = "json"
    return app


@pytest.fixture(scope="module")
def portal(cluster) -> dict:
    return cluster.seed(1, prefix="arbeit")[0]


def _invite_member(cluster: Cluster, portal: dict, email: str) -> None:
    """An admin invites `email` in a process of the cluster: the service queues the mail task
    on commit, as a click in the members admin does."""
    code = (
        "from django_tenants.utils import tenant_context\n"
        "from tenants.models import Portal\n"
        "from accounts.models import User, Role\n"
        "from members.services import invitation_create\n"
        f"portal = Portal.objects.get(schema_name={portal['schema']!r})\n"
        "with tenant_context(portal):\n"
        "    admin = User.objects.filter(role=Role.ADMIN).first()\n"
        f"    invitation_create(email={email!r}, actor=admin)\n"
    )
    cluster.manage("shell", "-c", code)


@pytest.mark.parametrize("point", ["before-send", "after-task"])
@pytest.mark.parametrize("task", ["account invitation", "member invitation"])
def test_a_worker_killed_mid_task_sends_the_mail_exactly_once(cluster, portal, task, point):
    name = f"{task.split()[0]}-{point}"
    worker = Worker(cluster, name)
    try:
        (worker.pause_dir / point).write_text("")
        if task == "account invitation":
            address = f"admin@{portal['host'].split('.')[0]}.example"
            [(user_id,)] = cluster.query(
                f'SELECT id FROM "{portal["schema"]}".accounts_user WHERE email = %s', (address,)
            )
            _sender(cluster).send_task(
                "accounts.tasks.send_invitation",
                kwargs={"user_id": user_id},
                task_id=str(uuid.uuid4()),
                headers={PORTAL_HEADER: portal["schema"]},
            )
        else:
            address = f"invited-{point}@example.org"
            _invite_member(cluster, portal, address)

        paused_point, pid = worker.wait_for(worker.paused, f"the task reaching {point}")
        assert paused_point == point
        if point == "after-task":
            assert len(worker.mails_to(address)) == 1
        else:
            assert worker.mails_to(address) == []
        os.kill(pid, signal.SIGKILL)

        # The worker forks a new pool process; the task comes back from the queue and runs in it.
        worker.wait_for(
            lambda: any(done_pid != pid for _, done_pid in worker.done()),
            "the task's second run",
        )
        time.sleep(1)  # anything a duplicate would still write
        mails = worker.mails_to(address)
        assert len(mails) == 1, f"{len(mails)} mails to {address}"
        assert worker.process.poll() is None, worker.output()
    finally:
        worker.stop()

    if task == "member invitation":
        # The link in the one mail works: a rerun did not replace its token.
        token = re.search(r"/invitation/([A-Za-z0-9_-]+)/", mails[0]).group(1)
        [(stored,)] = cluster.query(
            f'SELECT token_hash FROM "{portal["schema"]}".members_invitation WHERE email = %s',
            (address,),
        )
        assert stored == token_digest(token)


@pytest.fixture
def redis_url(cluster):
    """A Redis server of this test alone, as the production broker."""
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed: the Redis broker case needs it")
    port = free_port()
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.mark.parametrize("point", ["before-send", "after-task"])
def test_a_whole_worker_killed_mid_task_on_redis_sends_the_mail_exactly_once_after_restart(
    cluster, portal, redis_url, point
):
    """The whole worker (main and pool process) dies; a new worker started afterwards gets the
    unacknowledged task back from Redis once its visibility timeout (5 s here) has passed."""
    name = f"redis-{point}"
    first = Worker(cluster, name, REDIS_URL=redis_url, RELIABILITY_VISIBILITY_TIMEOUT="5")
    second = None
    try:
        (first.pause_dir / point).write_text("")
        address = f"admin@{portal['host'].split('.')[0]}.example"
        [(user_id,)] = cluster.query(
            f'SELECT id FROM "{portal["schema"]}".accounts_user WHERE email = %s', (address,)
        )
        _sender(cluster, redis_url).send_task(
            "accounts.tasks.send_invitation",
            kwargs={"user_id": user_id},
            task_id=str(uuid.uuid4()),
            headers={PORTAL_HEADER: portal["schema"]},
        )
        _point, pid = first.wait_for(first.paused, f"the task reaching {point}")
        expected_before = 1 if point == "after-task" else 0
        assert len(first.mails_to(address)) == expected_before
        os.kill(first.process.pid, signal.SIGKILL)
        os.kill(pid, signal.SIGKILL)
        first.process.wait(timeout=20)

        second = Worker(cluster, name, REDIS_URL=redis_url, RELIABILITY_VISIBILITY_TIMEOUT="5")
        second.wait_for(
            lambda: any(done_pid != pid for _, done_pid in second.done()),
            "the task's run in the new worker",
        )
        time.sleep(1)
        assert len(second.mails_to(address)) == 1
    finally:
        first.stop()
        if second is not None:
            second.stop()


def test_a_worker_killed_after_a_portal_export_leaves_exactly_one_export(cluster, portal):
    """The export ran and was recorded; the worker dies before the broker heard of it."""
    worker = Worker(cluster, "export")
    exports = cluster.root / "exports"
    try:
        (worker.pause_dir / "after-task").write_text("")
        code = (
            "from tenants.models import Portal, PortalExport\n"
            f"portal = Portal.objects.get(schema_name={portal['schema']!r})\n"
            "print(PortalExport.objects.create(portal=portal).pk)\n"
        )
        export_id = int(cluster.manage("shell", "-c", code).split()[-1])
        _sender(cluster).send_task(
            "tenants.tasks.export_portal",
            kwargs={"export_id": export_id},
            task_id=str(uuid.uuid4()),
            headers={PORTAL_HEADER: "public"},
        )
        _point, pid = worker.wait_for(worker.paused, "the export finishing")
        assert len(list(exports.glob("*.tar.gz"))) == 1
        os.kill(pid, signal.SIGKILL)
        worker.wait_for(
            lambda: any(done_pid != pid for _, done_pid in worker.done()), "the export's rerun"
        )
        time.sleep(1)
    finally:
        worker.stop()

    files = list(exports.glob("*.tar.gz"))
    assert len(files) == 1, files
    [(status, path)] = cluster.query(
        "SELECT status, path FROM tenants_portalexport WHERE id = %s", (export_id,)
    )
    assert (status, path) == ("done", str(files[0]))
    [(audited,)] = cluster.query(
        "SELECT count(*) FROM core_auditevent WHERE event_type = 'portal.exported' "
        "AND detail->>'path' = %s",
        (str(files[0]),),
    )
    assert audited == 1
