"""`make up`: the whole platform on one machine, for a newcomer.

Starts (or reuses) the embedded PostgreSQL unless DATABASE_URL is set, migrates, seeds the demo
idempotently, then runs the web server on 127.0.0.1:8000 and a Celery worker with beat (embedded
file-system broker unless REDIS_URL is set) as child processes, and prints where everything is.
Ctrl-C stops the children and the embedded database. If a child dies, the others are stopped too
and the exit code says so.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def _manage(*args: str, capture: bool = False, env: dict | None = None) -> str:
    result = subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, check=True, text=True, capture_output=capture, env=env
    )
    return result.stdout if capture else ""


def _wait_for_web(timeout: float = 60) -> bool:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            request = urllib.request.Request(
                "http://127.0.0.1:8000/healthz", headers={"Host": "localhost"}
            )
            with urllib.request.urlopen(request, timeout=2):  # noqa: S310 (fixed http URL)
                return True
        except OSError:
            time.sleep(0.5)
    return False


LOCALSTRIPE_PORT = 8420


def _start_localstripe(env: dict) -> subprocess.Popen:
    """Billing against localstripe (a fake Stripe in memory) so ordering works offline."""
    import secrets
    import urllib.parse
    import urllib.request

    base = f"http://localhost:{LOCALSTRIPE_PORT}"
    process = subprocess.Popen(
        [PY, "-m", "localstripe", "--port", str(LOCALSTRIPE_PORT)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{base}/js.stripe.com/v3/", timeout=1).close()  # noqa: S310
            break
        except OSError:
            time.sleep(0.3)
    secret = "whsec_local_" + secrets.token_hex(16)
    env.update(
        STRIPE_SECRET_KEY="sk_test_localstripe",  # noqa: S106 (localstripe accepts any key)
        STRIPE_API_BASE=base,
        STRIPE_JS_URL=f"{base}/js.stripe.com/v3/",
        STRIPE_WEBHOOK_SECRET=secret,
    )
    data = urllib.parse.urlencode(
        {"url": "http://localhost:8000/stripe/webhook/", "secret": secret}
    ).encode()
    urllib.request.urlopen(f"{base}/_config/webhooks/allmende", data=data, timeout=5).close()  # noqa: S310
    print(
        f"Billing runs against localstripe at {base} (test card 4242 4242 4242 4242).", flush=True
    )
    return process


def main() -> int:
    from infra import embedded_pg

    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "allmende.settings")
    embedded = not env.get("DATABASE_URL")
    if embedded:
        embedded_pg.ensure_running()
    children = []
    if not env.get("STRIPE_SECRET_KEY"):
        children.append(_start_localstripe(env))
    print("Migrating the database ...", flush=True)
    _manage("migrate_portals", "--parallel", "2", env=env)
    print("Preparing the demo portals ...", flush=True)
    summary = _manage("seed_demo", capture=True, env=env)
    mail_dir = Path(env.get("ALLMENDE_DATA_DIR", ROOT / ".data")) / "mail"
    if not env.get("EMAIL_URL"):
        summary += f"\nE-mails (invitations) are written to {mail_dir}/"

    if env.get("STRIPE_SECRET_KEY"):
        _manage("sync_stripe_plans", env=env)
    children += [
        subprocess.Popen(
            [PY, "manage.py", "runserver", "127.0.0.1:8000", "--noreload"], cwd=ROOT, env=env
        ),
        subprocess.Popen(
            [
                PY,
                "-m",
                "celery",
                "-A",
                "allmende",
                "worker",
                "--beat",
                "--loglevel",
                "INFO",
                "--concurrency",
                "2",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT / "platform",
            env=env,
        ),
    ]
    if _wait_for_web():
        banner = "=" * 72
        print(
            f"\n{banner}\n{summary.strip()}\n\nRunning. Press Ctrl-C to stop everything.\n{banner}\n",
            flush=True,
        )
    stopping = False

    def stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    exit_code = 0
    try:
        while not stopping:
            for child in children:
                if child.poll() is not None:
                    print(
                        f"A process stopped unexpectedly (exit {child.returncode}); shutting down."
                    )
                    exit_code = child.returncode or 1
                    stopping = True
            time.sleep(0.5)
    finally:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in children:
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
        if embedded:
            embedded_pg.stop()
        print("Stopped.")
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
