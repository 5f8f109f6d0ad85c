"""`make up`'s supervisor: refuses ports other programs hold, says which child stopped.

Real sockets and real child processes; no test touches ports 8000 or 8420 (they may be in use
on the machine running the tests), every port here is picked by the kernel.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from infra import devserver


def _listening_socket(family=socket.AF_INET, host="127.0.0.1") -> socket.socket:
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.bind((host, 0))
    sock.listen()
    return sock


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _python(code: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", code], **kwargs)


@pytest.fixture
def children():
    started: dict[str, subprocess.Popen] = {}
    yield started
    for child in started.values():
        if child.poll() is None:
            child.kill()
            child.wait()


def test_port_taken_by_another_program_is_refused_with_its_number_and_purpose():
    with _listening_socket() as sock:
        port = sock.getsockname()[1]
        assert devserver.port_in_use(port)
        message = devserver.check_ports_free({port: "the web server"})
    assert message is not None
    assert f"Port {port} is already in use by another program (the web server needs it)." in message


def test_free_port_passes():
    port = _free_port()
    assert not devserver.port_in_use(port)
    assert devserver.check_ports_free({port: "the web server"}) is None


def test_only_taken_ports_are_named():
    free = _free_port()
    with _listening_socket() as sock:
        taken = sock.getsockname()[1]
        message = devserver.check_ports_free({free: "the web server", taken: "localstripe"})
    assert message is not None
    assert f"Port {taken} " in message
    assert "(localstripe needs it)" in message
    assert f"Port {free} " not in message


def test_port_bound_but_not_listening_counts_as_taken():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        assert devserver.port_in_use(sock.getsockname()[1])


def test_port_taken_on_ipv6_loopback_counts_as_taken():
    try:
        sock = _listening_socket(socket.AF_INET6, "::1")
    except OSError:
        pytest.skip("no IPv6 loopback on this machine")
    with sock:
        assert devserver.port_in_use(sock.getsockname()[1])


def test_localstripe_port_is_checked_only_when_localstripe_is_started():
    assert devserver.ports_needed({}) == {
        devserver.WEB_PORT: devserver.WEB,
        devserver.LOCALSTRIPE_PORT: "localstripe, the fake Stripe,",
    }
    assert devserver.ports_needed({"STRIPE_SECRET_KEY": "sk_test_x"}) == {
        devserver.WEB_PORT: devserver.WEB
    }


@pytest.mark.slow
def test_watch_names_the_child_that_stopped_and_stop_children_ends_the_others(children):
    children["the sleeper"] = _python("import time; time.sleep(60)")
    children["the quitter"] = _python("import sys, time; time.sleep(0.2); sys.exit(3)")

    assert devserver.watch(children, interval=0.05) == ("the quitter", 3)
    assert children["the sleeper"].poll() is None

    devserver.stop_children(children, timeout=2)
    assert children["the sleeper"].returncode == -signal.SIGTERM
    assert children["the quitter"].returncode == 3


def test_exit_is_described_in_one_line_and_our_exit_code_is_non_zero():
    assert (
        devserver.describe_exit(devserver.WORKER, 1)
        == "The Celery worker (worker + beat) stopped with exit code 1; stopping the others."
    )
    assert devserver.describe_exit(devserver.WEB, -9) == (
        "The web server was killed by signal SIGKILL (exit code -9); stopping the others."
    )
    assert devserver.exit_status(3) == 3
    assert devserver.exit_status(0) == 1
    assert devserver.exit_status(-signal.SIGKILL) == 128 + signal.SIGKILL


@pytest.mark.slow
def test_watch_returns_none_when_asked_to_stop(children):
    children["the sleeper"] = _python("import time; time.sleep(60)")
    deadline = time.monotonic() + 0.3
    assert (
        devserver.watch(children, should_stop=lambda: time.monotonic() > deadline, interval=0.05)
        is None
    )
    assert children["the sleeper"].poll() is None


@pytest.mark.slow
def test_stop_children_kills_a_child_that_ignores_sigterm(children):
    child = _python(
        "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
        "print('ready', flush=True); time.sleep(60)",
        stdout=subprocess.PIPE,
        text=True,
    )
    children["the stubborn one"] = child
    assert child.stdout.readline().strip() == "ready"
    devserver.stop_children(children, timeout=0.5)
    assert child.returncode == -signal.SIGKILL


@pytest.mark.slow
def test_wait_for_http_gives_up_at_once_when_the_process_stops(children):
    children["localstripe"] = _python("import sys; sys.exit(4)")
    started = time.monotonic()
    url = f"http://127.0.0.1:{_free_port()}/"
    assert not devserver.wait_for_http(url, timeout=10, children=children)
    assert time.monotonic() - started < 2
    assert children["localstripe"].returncode == 4


@pytest.mark.slow
def test_wait_for_http_times_out_when_nothing_answers(children):
    children["the sleeper"] = _python("import time; time.sleep(60)")
    url = f"http://127.0.0.1:{_free_port()}/"
    assert not devserver.wait_for_http(url, timeout=0.5, children=children)


def test_wait_for_http_sees_a_server_that_answers():
    class Ok(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Ok)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        assert devserver.wait_for_http(url, timeout=2)
    finally:
        server.shutdown()
        server.server_close()
