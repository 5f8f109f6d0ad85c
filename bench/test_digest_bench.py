"""Benchmark of the daily digest (`make bench`): DIGEST_PORTALS portals (default 1,000) with
DIGEST_MEMBERS members in all (default 100,000), each with DIGEST_PER_MEMBER (default 3)
pending daily notifications, digested by a real Celery worker process (solo pool) that gets
the beat job `notifications.tasks.send_digests` from the broker and writes its mails with the
file backend.

Under the test settings tasks sent from inside a task run eagerly, so the worker runs the
fan-out's per-portal tasks inline, one after the other (PortalTask switching schemas for each):
what is measured is one worker process doing all portals, the worst case for time and memory.
Goals: all digests within 10 minutes and a worker peak RSS (VmHWM) of at most 500 MB; every
member gets exactly one digest. Results go to bench/results/digest.json.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "digest.json"
TARGET_SECONDS = 600
TARGET_RSS_MB = 500


def _size() -> tuple[int, int, int]:
    portals = int(os.environ.get("DIGEST_PORTALS", "1000"))
    members = int(os.environ.get("DIGEST_MEMBERS", "100000"))
    per_member = int(os.environ.get("DIGEST_PER_MEMBER", "3"))
    return portals, max(1, members // portals), per_member


@pytest.fixture
def committed_db(transactional_db):
    # A worker process sees only committed rows. The portals' schemas stay until the test
    # database is dropped at the session's end.
    from django.db import connection

    assert connection.settings_dict["NAME"].startswith("test_"), "not the test database"
    yield


def _database_url(settings_dict: dict) -> str:
    from urllib.parse import quote

    user = quote(settings_dict.get("USER") or "")
    password = quote(settings_dict.get("PASSWORD") or "")
    credentials = f"{user}:{password}@" if password else f"{user}@" if user else ""
    host = quote(settings_dict.get("HOST") or "", safe="")
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"postgres://{credentials}{host}{port}/{settings_dict['NAME']}"


def _peak_rss_mb(pid: int) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    match = re.search(r"VmHWM:\s+(\d+) kB", status)
    return int(match.group(1)) / 1024 if match else 0.0


def _start_worker(env: dict, log: list[str]) -> subprocess.Popen:
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "allmende",
            "worker",
            "--pool",
            "solo",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel",
            "INFO",
        ],
        cwd=ROOT / "platform",
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )

    def read():
        for line in worker.stdout:
            log.append(line)

    threading.Thread(target=read, daemon=True).start()
    return worker


def _send_beat_job(env: dict) -> None:
    # Sent from a process of its own, with eager execution off, to the worker's broker folder.
    code = (
        "import django; django.setup()\n"
        "from celery import current_app\n"
        "current_app.conf.task_always_eager = False\n"
        "from notifications.tasks import send_digests\n"
        "send_digests.apply_async(kwargs={'frequency': 'daily'})\n"
    )
    sender = subprocess.run(  # noqa: S603 (our own interpreter and code)
        [sys.executable, "-c", code],
        cwd=ROOT / "platform",
        env=env,
        capture_output=True,
        text=True,
    )
    assert sender.returncode == 0, sender.stderr[-3000:]


def _count_mails(mail_dir: Path) -> Counter:
    received: Counter = Counter()
    for path in mail_dir.glob("*.log"):
        with path.open(encoding="utf-8", errors="replace") as lines:
            for line in lines:
                if line.startswith("To: "):
                    received[line[4:].strip()] += 1
    return received


def test_daily_digest_for_all_portals(committed_db, tmp_path):
    from django.db import connection

    from bench.digest_fixtures import bench_portal, fill
    from tenants.schemas import ensure_template

    portals, members, per_member = _size()
    ensure_template()
    started = time.perf_counter()
    addresses: list[str] = []
    for index in range(portals):
        addresses += fill(bench_portal(index), members=members, per_member=per_member)
    provisioned = time.perf_counter() - started

    data_dir, mail_dir = tmp_path / "data", tmp_path / "mail"
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="allmende.settings_test",
        DATABASE_URL=_database_url(connection.settings_dict),
        DATABASE_NAME=connection.settings_dict["NAME"],
        # A broker folder of its own, so no other suite's worker takes the job. The database
        # is named by URL: the embedded one would be looked for in this folder too.
        ALLMENDE_DATA_DIR=str(data_dir),
        EMAIL_URL=f"file://{mail_dir}",
    )
    log: list[str] = []
    worker = _start_worker(env, log)
    try:
        sent_at = time.perf_counter()
        _send_beat_job(env)
        done = None
        deadline = sent_at + TARGET_SECONDS * 3
        while done is None and time.perf_counter() < deadline and worker.poll() is None:
            time.sleep(0.5)
            done = next(
                (
                    line
                    for line in log
                    if "notifications.tasks.send_digests[" in line and "succeeded" in line
                ),
                None,
            )
        seconds = time.perf_counter() - sent_at
        rss_mb = _peak_rss_mb(worker.pid)
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
    assert done is not None, "the digest did not finish; worker said:\n" + "".join(log[-40:])
    task_seconds = float(re.search(r"succeeded in ([\d.]+)s", done).group(1))

    received = _count_mails(mail_dir)
    result = {
        "portals": portals,
        "members": portals * members,
        "notifications": portals * members * per_member,
        "provisioning_seconds": round(provisioned, 1),
        "digest_seconds": round(seconds, 1),
        "task_seconds": round(task_seconds, 1),
        "mails": sum(received.values()),
        "members_per_second": round(portals * members / task_seconds, 1),
        "worker_peak_rss_mb": round(rss_mb, 1),
        "target_seconds": TARGET_SECONDS,
        "target_rss_mb": TARGET_RSS_MB,
        "time_ratio": round(task_seconds / TARGET_SECONDS, 3),
        "rss_ratio": round(rss_mb / TARGET_RSS_MB, 3),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(
        f"\ndigest of {result['members']} members in {portals} portals: {task_seconds:.0f} s "
        f"({result['time_ratio']:.2f}x of {TARGET_SECONDS} s), worker peak RSS {rss_mb:.0f} MB "
        f"({result['rss_ratio']:.2f}x of {TARGET_RSS_MB} MB), {result['mails']} mails"
    )
    assert received == Counter({address: 1 for address in addresses})
    assert task_seconds <= TARGET_SECONDS
    assert rss_mb <= TARGET_RSS_MB
