"""The daily digest for the whole fleet, by a real Celery worker process, vs its target.

Every fleet portal (`--portals`, default 1,000) gets `--members` members in all (default
100,000), each with `--per-member` (default 3) pending daily notifications; then a worker
process (solo pool) gets the beat job `notifications.tasks.send_digests` from the broker and
writes its mails with the file backend. Under the test settings tasks sent from inside a task
run eagerly, so the worker runs the fan-out's per-portal tasks inline, one after the other: one
worker process doing all portals, the worst case for time and memory.

Baseline: the targets, all digests within 10 minutes and a worker peak RSS (VmHWM) of at most
500 MB. Ratio: the task's time / 10 minutes (lower is better). Fails (without a ratio) unless
every member gets exactly one digest. The members are replaced on every run, so a `--keepdb`
run starts from pending notifications again.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from bench.digest_fixtures import fill, unfill
from bench.fleet_data import ensure_fleet, fleet_portals, stderr_progress

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 600
TARGET_RSS_MB = 500


def add_arguments(parser) -> None:
    parser.add_argument(
        "--members", type=int, default=100_000, help="digest: members in all (default 100,000)"
    )
    parser.add_argument(
        "--per-member", type=int, default=3, help="digest: notifications a member (default 3)"
    )


def database_url(settings_dict: dict) -> str:
    from urllib.parse import quote

    user = quote(settings_dict.get("USER") or "")
    password = quote(settings_dict.get("PASSWORD") or "")
    credentials = f"{user}:{password}@" if password else f"{user}@" if user else ""
    host = quote(settings_dict.get("HOST") or "", safe="")
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"postgres://{credentials}{host}{port}/{settings_dict['NAME']}"


def peak_rss_mb(pid: int) -> float:
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
    if sender.returncode != 0:
        raise RuntimeError("sending the beat job failed:\n" + sender.stderr[-3000:])


def _count_mails(mail_dir: Path) -> Counter:
    received: Counter = Counter()
    for path in mail_dir.glob("*.log"):
        with path.open(encoding="utf-8", errors="replace") as lines:
            for line in lines:
                if line.startswith("To: "):
                    received[line[4:].strip()] += 1
    return received


def _digest(env: dict) -> tuple[float, float, float]:
    """Run the beat job in a worker; (seconds until it succeeded, task seconds, peak RSS MB)."""
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
        rss_mb = peak_rss_mb(worker.pid)
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
    if done is None:
        raise RuntimeError("the digest did not finish; worker said:\n" + "".join(log[-40:]))
    task_seconds = float(re.search(r"succeeded in ([\d.]+)s", done).group(1))
    return seconds, task_seconds, rss_mb


def run(args) -> dict:
    from django.db import connection

    fleet_seconds = ensure_fleet(args.portals, progress=stderr_progress)
    portals = list(fleet_portals().order_by("pk")[: args.portals])
    members = max(1, args.members // len(portals))
    started = time.perf_counter()
    addresses: list[str] = []
    for portal in portals:
        unfill(portal)
        addresses += fill(portal, members=members, per_member=args.per_member)
    filled = time.perf_counter() - started

    with tempfile.TemporaryDirectory(prefix="bench-digest-") as tmp:
        data_dir, mail_dir = Path(tmp) / "data", Path(tmp) / "mail"
        env = dict(
            os.environ,
            DATABASE_URL=database_url(connection.settings_dict),
            DATABASE_NAME=connection.settings_dict["NAME"],
            # A broker folder of its own, so no other worker takes the job. The database is
            # named by URL: the embedded one would be looked for in this folder too.
            ALLMENDE_DATA_DIR=str(data_dir),
            EMAIL_URL=f"file://{mail_dir}",
            LOG_LEVEL="INFO",
        )
        seconds, task_seconds, rss_mb = _digest(env)
        received = _count_mails(mail_dir)
    if received != Counter({address: 1 for address in addresses}):
        wrong = sum(1 for a in addresses if received[a] != 1)
        raise RuntimeError(f"{wrong} of {len(addresses)} members did not get exactly one digest")
    total = len(portals) * members
    return {
        "ratio": task_seconds / TARGET_SECONDS,
        "compares": f"daily digest vs its {TARGET_SECONDS // 60}-minute target (lower is better)",
        "summary": f"{total} members in {len(portals)} portals, "
        f"{total * args.per_member} notifications: {task_seconds:.0f} s, worker peak RSS "
        f"{rss_mb:.0f} MB ({rss_mb / TARGET_RSS_MB:.2f} of {TARGET_RSS_MB} MB)",
        "figures": {
            "portals": len(portals),
            "members": total,
            "notifications": total * args.per_member,
            "fleet_seconds": round(fleet_seconds, 1),
            "fill_seconds": round(filled, 1),
            "digest_seconds": round(seconds, 1),
            "task_seconds": round(task_seconds, 1),
            "mails": sum(received.values()),
            "members_per_second": round(total / task_seconds, 1),
            "worker_peak_rss_mb": round(rss_mb, 1),
            "target_seconds": TARGET_SECONDS,
            "target_rss_mb": TARGET_RSS_MB,
            "time_ratio": round(task_seconds / TARGET_SECONDS, 3),
            "rss_ratio": round(rss_mb / TARGET_RSS_MB, 3),
        },
    }
