"""Shared set-up for tests that start processes: Debian's chromium driven by Playwright, a live
server, a Celery worker's command line, and free ports."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium")
# Without the background-networking flags chromium keeps trying hosts this machine cannot reach.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
needs_chromium = [
    pytest.mark.slow,
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="Debian's chromium is not installed (make test installs it as root)",
    ),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


ROOT = Path(__file__).resolve().parents[1]


def _wait_for_server(url: str, server: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError("the server exited while starting")
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"{url} did not answer within {timeout} s")


@contextlib.contextmanager
def running_server(env: dict, log: Path) -> Iterator[int]:
    """`manage.py runserver` on a free loopback port with `env` (the test database's, from the
    `subprocess_env` fixture), its output in `log`; yields the port, stops it afterwards."""
    port = free_port()
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
            env={**env, "PUBLIC_PORT": str(port), "PYTHONUNBUFFERED": "1"},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_for_server(f"http://localhost:{port}/healthz", server)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=10)


def celery_worker_argv(*, pool: str = "solo", concurrency: int | None = None, loglevel="WARNING"):
    """The command line of a Celery worker of this project (run it with cwd=ROOT / "platform"):
    no gossip, mingle or heartbeat, so it starts fast and talks to nobody but its broker."""
    argv = [sys.executable, "-m", "celery", "-A", "allmende", "worker", "--pool", pool]
    if concurrency is not None:
        argv += ["--concurrency", str(concurrency)]
    return [
        *argv,
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "--loglevel",
        loglevel,
    ]
