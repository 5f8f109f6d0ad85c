"""Shared set-up for browser tests: Debian's chromium driven by Playwright, and free ports."""

from __future__ import annotations

import shutil
import socket

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
