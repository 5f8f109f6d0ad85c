"""`make up`: the whole platform on one machine, for a newcomer.

Starts (or reuses) the embedded PostgreSQL unless DATABASE_URL is set, migrates, seeds the demo
idempotently, then runs the web server on 127.0.0.1:8000 and a Celery worker with beat (embedded
file-system broker unless REDIS_URL is set) as child processes, and prints where everything is.
Without STRIPE_SECRET_KEY it also runs localstripe (a fake Stripe) on port 8420.
Ctrl-C stops the children and the embedded database.

Before anything starts, the ports it needs are checked: if another program already listens on one
of them, `make up` says which port and what for, and exits with code 2 (otherwise the demo would
silently talk to that program). If a child stops, one line names it and its exit code, the others
are stopped too and the exit code is non-zero.
"""

from __future__ import annotations

import errno
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable

WEB_PORT = 8000
LOCALSTRIPE_PORT = 8420

WEB = "the web server"
WORKER = "the Celery worker (worker + beat)"
LOCALSTRIPE = "localstripe (the fake Stripe)"


class StartupError(Exception):
    """`make up` cannot go on; the message says why, `exit_code` is what the process exits with."""

    def __init__(self, message: str, exit_code: int = 1):
        super().__init__(message)
        self.exit_code = exit_code


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


# --- ports -----------------------------------------------------------------------------------


def _loopback_addresses() -> list[tuple[int, str]]:
    """127.0.0.1, ::1 and whatever `localhost` resolves to here (browsers may use either)."""
    addresses = [(socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")]
    try:
        infos = socket.getaddrinfo("localhost", None, type=socket.SOCK_STREAM)
    except OSError:
        infos = []
    for family, _type, _proto, _name, sockaddr in infos:
        if family in (socket.AF_INET, socket.AF_INET6) and (family, sockaddr[0]) not in addresses:
            addresses.append((family, sockaddr[0]))
    return addresses


def port_in_use(port: int) -> bool:
    """Whether some program already holds `port` on 127.0.0.1 or localhost.

    True if anything accepts a connection on 127.0.0.1, ::1 or localhost's addresses, or if the
    port cannot be bound on 127.0.0.1 the way the web server binds it (SO_REUSEADDR, so
    connections of an earlier run left in TIME_WAIT do not count).
    """
    for family, address in _loopback_addresses():
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.settimeout(0.5)
            try:
                if probe.connect_ex((address, port)) == 0:
                    return True
            except OSError:  # e.g. no IPv6 on this machine
                continue
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as exc:
            return exc.errno == errno.EADDRINUSE
    return False


def check_ports_free(ports: Mapping[int, str]) -> str | None:
    """None if every port is free, else a message naming each taken port and what needs it.

    `ports` maps a port to who needs it, e.g. `{8000: "the web server"}`.
    """
    problems = [
        f"Port {port} is already in use by another program ({needed_by} needs it). "
        f"Stop that program (`lsof -i :{port}` or `ss -ltnp 'sport = :{port}'` shows which) "
        "and run `make up` again."
        for port, needed_by in ports.items()
        if port_in_use(port)
    ]
    return "\n".join(problems) or None


def ports_needed(env: Mapping[str, str]) -> dict[int, str]:
    """The ports `make up` will listen on with this environment, and who needs each."""
    ports = {WEB_PORT: WEB}
    if not env.get("STRIPE_SECRET_KEY"):
        ports[LOCALSTRIPE_PORT] = "localstripe, the fake Stripe,"
    return ports


# --- children --------------------------------------------------------------------------------


def describe_exit(name: str, code: int) -> str:
    """The line printed when child `name` stopped with return code `code`."""
    if code < 0:
        try:
            how = f"was killed by signal {signal.Signals(-code).name} (exit code {code})"
        except ValueError:
            how = f"was killed by signal {-code} (exit code {code})"
    else:
        how = f"stopped with exit code {code}"
    return f"{_capitalised(name)} {how}; stopping the others."


def exit_status(code: int) -> int:
    """Our own exit code after a child stopped with `code`: never 0, 128+N for signal N."""
    if code < 0:
        return 128 - code
    return code or 1


def watch(
    children: Mapping[str, subprocess.Popen],
    *,
    should_stop: Callable[[], bool] = lambda: False,
    interval: float = 0.5,
) -> tuple[str, int] | None:
    """Block until a child exits and return its name and return code.

    Returns None instead once `should_stop()` is true (Ctrl-C); a child that exits at the same
    moment, e.g. because it got the same Ctrl-C, is then not reported.
    """
    while True:
        if should_stop():
            return None
        for name, child in children.items():
            code = child.poll()
            if code is not None:
                return name, code
        time.sleep(interval)


def stop_children(children: Mapping[str, subprocess.Popen], timeout: float = 15) -> None:
    """SIGTERM every child still running, wait up to `timeout` s in all, then SIGKILL the rest."""
    for child in children.values():
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for child in children.values():
        try:
            child.wait(timeout=max(deadline - time.monotonic(), 0))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def wait_for_http(
    url: str,
    *,
    timeout: float,
    children: Mapping[str, subprocess.Popen] | None = None,
    headers: Mapping[str, str] | None = None,
) -> bool:
    """True once `url` answers with a success; False after `timeout` s or once a child exited."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if children and any(child.poll() is not None for child in children.values()):
            return False
        request = urllib.request.Request(url, headers=dict(headers or {}))  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=2):  # noqa: S310 (our own http URLs)
                return True
        except OSError:
            time.sleep(0.3)
    return False


# --- make up ---------------------------------------------------------------------------------


def _manage(*args: str, capture: bool = False, env: dict | None = None) -> str:
    result = subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, check=True, text=True, capture_output=capture, env=env
    )
    return result.stdout if capture else ""


def _start_localstripe(env: dict, children: dict[str, subprocess.Popen]) -> None:
    """Billing against localstripe (a fake Stripe in memory) so ordering works offline.

    Adds the process to `children` at once (so it is stopped whatever happens next) and raises
    StartupError if it stops or does not answer within 30 s.
    """
    import secrets
    import urllib.parse

    base = f"http://localhost:{LOCALSTRIPE_PORT}"
    process = subprocess.Popen(
        [PY, "-m", "infra.localstripe", "--port", str(LOCALSTRIPE_PORT)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    children[LOCALSTRIPE] = process
    timeout = 30
    if not wait_for_http(
        f"{base}/js.stripe.com/v3/", timeout=timeout, children={LOCALSTRIPE: process}
    ):
        code = process.poll()
        if code is not None:
            raise StartupError(
                f"{_capitalised(LOCALSTRIPE)} stopped with exit code {code} before it answered "
                f"on port {LOCALSTRIPE_PORT}; `{PY} -m infra.localstripe --port {LOCALSTRIPE_PORT}` "
                "shows why."
            )
        raise StartupError(
            f"{_capitalised(LOCALSTRIPE)} did not answer at {base} within {timeout} s; stopping."
        )
    secret = "whsec_local_" + secrets.token_hex(16)
    env.update(
        STRIPE_SECRET_KEY="sk_test_localstripe",  # noqa: S106 (localstripe accepts any key)
        STRIPE_API_BASE=base,
        STRIPE_JS_URL=f"{base}/js.stripe.com/v3/",
        STRIPE_WEBHOOK_SECRET=secret,
    )
    data = urllib.parse.urlencode(
        {"url": f"http://localhost:{WEB_PORT}/stripe/webhook/", "secret": secret}
    ).encode()
    urllib.request.urlopen(f"{base}/_config/webhooks/allmende", data=data, timeout=5).close()  # noqa: S310
    print(
        f"Billing runs against localstripe at {base} (test card 4242 4242 4242 4242).", flush=True
    )


def _start_demo(env: dict, children: dict[str, subprocess.Popen]) -> None:
    if not env.get("STRIPE_SECRET_KEY"):
        _start_localstripe(env, children)
    print("Migrating the database ...", flush=True)
    _manage("migrate_portals", "--parallel", "2", env=env)
    print("Preparing the demo portals ...", flush=True)
    summary = _manage("seed_demo", capture=True, env=env)
    mail_dir = Path(env.get("ALLMENDE_DATA_DIR", ROOT / ".data")) / "mail"
    if not env.get("EMAIL_URL"):
        summary += f"\nE-mails (invitations) are written to {mail_dir}/"

    if env.get("STRIPE_SECRET_KEY"):
        _manage("sync_stripe_plans", env=env)
    children[WEB] = subprocess.Popen(
        [PY, "manage.py", "runserver", f"127.0.0.1:{WEB_PORT}", "--noreload"], cwd=ROOT, env=env
    )
    children[WORKER] = subprocess.Popen(
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
    )
    if wait_for_http(
        f"http://127.0.0.1:{WEB_PORT}/healthz",
        timeout=60,
        children=children,
        headers={"Host": "localhost"},
    ):
        banner = "=" * 72
        print(
            f"\n{banner}\n{summary.strip()}\n\nRunning. Press Ctrl-C to stop everything.\n{banner}\n",
            flush=True,
        )
    elif all(child.poll() is None for child in children.values()):
        print(
            f"{_capitalised(WEB)} did not answer on port {WEB_PORT} within 60 s; "
            "leaving everything running (see its output above).",
            flush=True,
        )


def main() -> int:
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "allmende.settings")
    problem = check_ports_free(ports_needed(env))
    if problem:
        print(problem, file=sys.stderr, flush=True)
        return 2

    from infra import embedded_pg

    embedded = not env.get("DATABASE_URL")
    if embedded:
        embedded_pg.ensure_running()
    children: dict[str, subprocess.Popen] = {}
    stopping = False

    def stop(*_):
        nonlocal stopping
        stopping = True

    exit_code = 0
    try:
        _start_demo(env, children)
        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        stopped = watch(children, should_stop=lambda: stopping)
        if stopped is not None:
            name, code = stopped
            print(describe_exit(name, code), file=sys.stderr, flush=True)
            exit_code = exit_status(code)
    except StartupError as exc:
        print(exc, file=sys.stderr, flush=True)
        exit_code = exc.exit_code
    except KeyboardInterrupt:
        exit_code = 130
    finally:
        stop_children(children)
        if embedded:
            embedded_pg.stop()
        print("Stopped.", flush=True)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
