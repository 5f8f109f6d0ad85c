"""An own embedded PostgreSQL cluster and the processes that use it (gunicorn, manage.py).

Everything runs with ALLMENDE_DATA_DIR pointing at a fresh folder, so the cluster, its socket,
the broker, caches, mail and media are this run's alone: the shared cluster under .data/ is
never stopped or restarted. `Cluster.restart()` stops PostgreSQL fast (sessions are cut, as in
a crash of the server) and starts it again on the same data. Fails loudly: a process that does
not come up raises with its output.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable
# Variables of the test run that must not leak into the cluster's processes.
_DROPPED = (
    "DJANGO_SETTINGS_MODULE",
    "DATABASE_URL",
    "DATABASE_NAME",
    "TEST_DATABASE_NAME",
    "REDIS_URL",
    "EMAIL_URL",
    "MEDIA_ROOT",
    "PORTAL_EXPORT_DIR",
    "CELERY_TASK_ALWAYS_EAGER",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Cluster:
    def __init__(self) -> None:
        # The server runs as another user when we are root: the folder must be reachable.
        self.root = Path(tempfile.mkdtemp(prefix="allmende-reliability-"))
        self.root.chmod(0o755)
        self.env = {k: v for k, v in os.environ.items() if k not in _DROPPED}
        self.env.update(
            ALLMENDE_DATA_DIR=str(self.root),
            DJANGO_ENV="development",
            DJANGO_DEBUG="0",
            DJANGO_SETTINGS_MODULE="allmende.settings",
            PYTHONPATH=os.pathsep.join([str(ROOT), str(ROOT / "platform")]),
        )
        self.db: dict = {}
        self.children: list[subprocess.Popen] = []

    # --- PostgreSQL -------------------------------------------------------------------------
    def _embedded(self, command: str) -> str:
        return subprocess.run(
            [
                PY,
                "-c",
                f"import json; from infra import embedded_pg as e; print(json.dumps({command}))",
            ],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
            timeout=120,
        ).stdout

    def start(self) -> dict:
        self.db = json.loads(self._embedded("e.ensure_running()"))
        return self.db

    def stop(self) -> None:
        self._embedded("e.stop()")

    def restart(self, down_seconds: float = 0.0) -> None:
        self.stop()
        time.sleep(down_seconds)
        self.start()

    def connect(self):
        return psycopg2.connect(
            dbname=self.db["NAME"], user=self.db["USER"], host=self.db["HOST"], port=self.db["PORT"]
        )

    def query(self, sql: str, params=()) -> list[tuple]:
        conn = self.connect()
        try:
            with conn.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()
        finally:
            conn.close()

    # --- Django processes -------------------------------------------------------------------
    def manage(self, *args: str, timeout: float = 600, **env: str) -> str:
        completed = subprocess.run(
            [PY, "manage.py", *args],
            cwd=ROOT,
            env={**self.env, **env},
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if completed.returncode:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{completed.stderr[-4000:]}")
        return completed.stdout

    def migrate(self) -> None:
        self.manage("migrate_portals", "--parallel", "2")

    def seed(self, count: int, prefix: str = "soak") -> list[dict]:
        out = self.root / f"seed-{prefix}.json"
        completed = subprocess.run(
            [PY, "-m", "tests.reliability.seed", str(out), str(count), prefix],
            cwd=ROOT,
            # Invitations are mailed inline (to files): no worker needed, no queue left behind.
            env={**self.env, "CELERY_TASK_ALWAYS_EAGER": "1"},
            capture_output=True,
            text=True,
            timeout=900,
        )
        if completed.returncode:
            raise RuntimeError(f"seeding failed:\n{completed.stderr[-4000:]}")
        return json.loads(out.read_text())

    def gunicorn(
        self, *, workers: int = 2, max_requests: int = 0, timeout: int = 30
    ) -> tuple[subprocess.Popen, str]:
        port = free_port()
        log = open(self.root / f"gunicorn-{port}.log", "wb")  # noqa: SIM115 (closed with the process)
        command = [
            PY,
            "-m",
            "gunicorn",
            "allmende.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--timeout",
            str(timeout),
            "--graceful-timeout",
            "10",
            "--access-logfile",
            "-",
            "--no-control-socket",
            "--access-logformat",
            "%(s)s %(m)s %(U)s %(L)s",
        ]
        if max_requests:
            command += ["--max-requests", str(max_requests), "--max-requests-jitter", "50"]
        process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )
        process.log_path = log.name
        self.children.append(process)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError("gunicorn exited:\n" + Path(log.name).read_text()[-4000:])
            try:
                request = urllib.request.Request(f"{base}/healthz", headers={"Host": "localhost"})
                with urllib.request.urlopen(request, timeout=2):
                    return process, base
            except (urllib.error.URLError, OSError):
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer within 60 s:\n" + Path(log.name).read_text())

    def close(self) -> None:
        for child in self.children:
            if child.poll() is None:
                child.terminate()
        for child in self.children:
            try:
                child.wait(timeout=20)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        try:
            self.stop()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
