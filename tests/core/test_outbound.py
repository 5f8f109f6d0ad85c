"""The guarded outbound client against a small HTTP server on 127.0.0.1: what a URL that is
slow, huge, redirected, refused or private gives, and that the address guard holds without any
network (getaddrinfo is replaced where a host name must resolve to something particular)."""

from __future__ import annotations

import gzip
import pickle
import shutil
import socket
import ssl
import subprocess
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils import translation

from core import outbound
from core.outbound import OutboundError, fetch, is_public_address, validate_url

GZIP_BOMB = gzip.compress(b"\0" * 20_000_000)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, body: bytes, *, status=200, content_type="text/plain", headers=()):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, location: str, status=302):
        self.answer(b"", status=status, headers=[("Location", location)])

    def do_GET(self):
        parts = urlsplit(self.path)
        path, query = parts.path, parse_qs(parts.query)
        if path == "/ok":
            self.answer(b"hello", content_type="text/calendar; charset=UTF-8")
        elif path == "/echo":
            self.answer(f"{self.headers['Host']}|{self.headers['User-Agent']}".encode())
        elif path == "/slow":
            time.sleep(3)
            self.answer(b"late")
        elif path == "/trickle":
            self.send_response(200)
            self.send_header("Content-Length", "100")
            self.send_header("Connection", "close")
            self.end_headers()
            for _ in range(100):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.2)
        elif path == "/trickle-headers":
            self.wfile.write(b"HTTP/1.1 200 OK\r\n")
            for i in range(100):
                self.wfile.write(f"X-Slow-{i}: y\r\n".encode())
                self.wfile.flush()
                time.sleep(0.2)
        elif path == "/huge":
            self.send_response(200)
            self.send_header("Connection", "close")
            self.end_headers()
            for _ in range(100):
                self.wfile.write(b"x" * 65536)
        elif path == "/huge-chunked":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for _ in range(100):
                self.wfile.write(b"10000\r\n" + b"x" * 65536 + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
        elif path == "/big-length":
            self.send_response(200)
            self.send_header("Content-Length", str(10**9))
            self.end_headers()
            self.wfile.flush()
            time.sleep(5)
        elif path.startswith("/redirect/"):
            left = int(path.rsplit("/", 1)[1])
            self.redirect(f"/redirect/{left - 1}" if left > 1 else "/ok")
        elif path == "/loop":
            self.redirect("/loop", status=301)
        elif path == "/to":
            self.redirect(query["url"][0])
        elif path == "/short":
            self.send_response(200)
            self.send_header("Content-Length", "100")
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(b"only a part")
        elif path == "/no-location":
            self.answer(b"", status=302)
        elif path.startswith("/status/"):
            self.answer(b"nope", status=int(path.rsplit("/", 1)[1]))
        elif path == "/gzip":
            self.answer(gzip.compress(b"hello gzip"), headers=[("Content-Encoding", "gzip")])
        elif path == "/deflate":
            self.answer(zlib.compress(b"hello deflate"), headers=[("Content-Encoding", "deflate")])
        elif path == "/raw-deflate":
            raw = zlib.compressobj(wbits=-zlib.MAX_WBITS)
            body = raw.compress(b"hello raw") + raw.flush()
            self.answer(body, headers=[("Content-Encoding", "deflate")])
        elif path == "/gzip-bomb":
            self.answer(GZIP_BOMB, headers=[("Content-Encoding", "gzip")])
        elif path == "/bad-gzip":
            self.answer(b"not gzip at all", headers=[("Content-Encoding", "gzip")])
        elif path == "/brotli":
            self.answer(b"\x0b\x02", headers=[("Content-Encoding", "br")])
        else:
            self.answer(b"missing", status=404)


class Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request, client_address):
        pass  # the client hanging up on a slow or huge answer is the point of those tests


def serve(server: Server):
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return thread


@pytest.fixture(scope="module")
def server():
    httpd = Server(("127.0.0.1", 0), Handler)
    serve(httpd)
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(autouse=True)
def _english():
    # The messages are checked in their English source, whatever translations exist.
    with translation.override("en"):
        yield


@pytest.fixture
def private_allowed(settings):
    settings.PRODUCTION = False
    settings.OUTBOUND_ALLOW_PRIVATE = True


@pytest.fixture
def private_refused(settings):
    settings.OUTBOUND_ALLOW_PRIVATE = False


def resolve(monkeypatch, names: dict[str, list[str]]) -> list[str]:
    """Makes getaddrinfo answer `names` with the given addresses; returns the names looked up."""
    real = socket.getaddrinfo
    asked: list[str] = []

    def getaddrinfo(host, port, *args, **kwargs):
        asked.append(host)
        if host not in names:
            return real(host, port, *args, **kwargs)
        return [
            (socket.AF_INET6, socket.SOCK_STREAM, 6, "", (a, port, 0, 0))
            if ":" in a
            else (socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
            for a in names[host]
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return asked


def treat_loopback_as_public(monkeypatch):
    """The test server can only be on loopback; this lets it stand in for a public server."""
    real = outbound.is_public_address
    monkeypatch.setattr(outbound, "is_public_address", lambda a: a == "127.0.0.1" or real(a))


def refused(url: str, **kwargs) -> OutboundError:
    kwargs.setdefault("max_bytes", 100_000)
    with pytest.raises(OutboundError) as caught:
        fetch(url, **kwargs)
    return caught.value


# The guard, without network


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1", "127.8.9.10", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254",
        "100.64.0.1", "0.0.0.0", "224.0.0.1"  # noqa: S104, "240.0.0.1", "255.255.255.255", "192.0.2.1",
        "::1", "::", "fe80::1", "fe80::1%eth0", "fc00::1", "fd12:3456::1", "ff02::1",
        "::ffff:127.0.0.1", "::ffff:169.254.169.254", "::ffff:10.0.0.1", "64:ff9b::7f00:1",
        "2002:7f00:1::", "2001:db8::1", "not an address",
    ],
)  # fmt: skip
def test_non_public_addresses_are_refused(address):
    assert not is_public_address(address)


@pytest.mark.parametrize(
    "address", ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111", "::ffff:93.184.216.34"]
)
def test_public_addresses_pass(address):
    assert is_public_address(address)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/", "http://localhost:8000/x", "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.5/", "https://192.168.178.1/", "http://[::1]/", "http://[::ffff:127.0.0.1]/",
        "http://2130706433/", "http://0x7f.1/",
    ],
)  # fmt: skip
def test_private_and_loopback_urls_are_refused_where_private_is_off(private_refused, url):
    with pytest.raises(OutboundError) as caught:
        validate_url(url)
    assert caught.value.code == "address_not_allowed"
    assert "points at a private or local address" in str(caught.value)


def test_a_host_name_resolving_to_loopback_is_refused(private_refused, monkeypatch):
    resolve(monkeypatch, {"intranet.example": ["127.0.0.1"]})
    with pytest.raises(OutboundError) as caught:
        validate_url("https://intranet.example/calendar.ics")
    assert caught.value.code == "address_not_allowed"


def test_a_name_under_localhost_is_loopback_refused_here_and_reached_where_allowed(
    private_refused, settings
):
    # The local demo's portals live under .localhost, which resolvers need not know.
    with pytest.raises(OutboundError) as caught:
        validate_url("http://klimanetz.localhost:8000/events/ical/")
    assert caught.value.code == "address_not_allowed"
    settings.OUTBOUND_ALLOW_PRIVATE = True
    target = validate_url("http://klimanetz.localhost:8000/events/ical/")
    assert target.host == "klimanetz.localhost"
    assert [sockaddr[0] for _family, sockaddr in target.addresses] == ["127.0.0.1"]


def test_one_private_address_among_public_ones_is_enough_to_refuse(private_refused, monkeypatch):
    resolve(monkeypatch, {"mixed.example": ["93.184.216.34", "10.0.0.1"]})
    with pytest.raises(OutboundError):
        validate_url("https://mixed.example/")


def test_a_host_resolving_to_public_addresses_passes_and_keeps_them(private_refused, monkeypatch):
    resolve(monkeypatch, {"rat.example": ["93.184.216.34", "2606:4700:4700::1111"]})
    target = validate_url("https://rat.example/oparl/v1?body=1")
    assert (target.scheme, target.host, target.port) == ("https", "rat.example", 443)
    assert target.request_target == "/oparl/v1?body=1"
    assert [sockaddr[0] for _family, sockaddr in target.addresses] == [
        "93.184.216.34",
        "2606:4700:4700::1111",
    ]


def test_production_refuses_private_targets_even_when_allowed(settings):
    settings.PRODUCTION = True
    settings.OUTBOUND_ALLOW_PRIVATE = True
    with pytest.raises(OutboundError) as caught:
        validate_url("http://127.0.0.1/")
    assert caught.value.code == "address_not_allowed"


def test_development_allows_loopback_by_default(settings):
    settings.PRODUCTION = False
    del settings.OUTBOUND_ALLOW_PRIVATE
    assert validate_url("http://127.0.0.1:9/").host == "127.0.0.1"


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("", "invalid_url"),
        ("calendar.ics", "invalid_url"),
        ("http://", "invalid_url"),
        ("http://[::1", "invalid_url"),
        ("http://example.org:99999/", "invalid_url"),
        ("ftp://example.org/file", "scheme_not_allowed"),
        ("file:///etc/passwd", "scheme_not_allowed"),
        ("javascript:alert(1)", "scheme_not_allowed"),
        ("gopher://127.0.0.1:6379/_FLUSHALL", "scheme_not_allowed"),
        ("https://user:secret@example.org/", "credentials_in_url"),
        ("https://token@example.org/", "credentials_in_url"),
    ],
)
def test_urls_that_are_not_fetchable_web_addresses_get_a_clear_error(url, code):
    with pytest.raises(OutboundError) as caught:
        validate_url(url)
    assert caught.value.code == code
    assert str(caught.value)


def test_a_host_that_does_not_resolve_is_named(monkeypatch):
    def getaddrinfo(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    with pytest.raises(OutboundError) as caught:
        validate_url("https://nowhere.example/")
    assert caught.value.code == "host_not_found"
    assert "nowhere.example" in str(caught.value)


def test_the_port_allow_list_is_applied_when_set(settings, server, private_allowed):
    settings.OUTBOUND_ALLOWED_PORTS = [443]
    assert refused(f"{server}/ok").code == "port_not_allowed"
    settings.OUTBOUND_ALLOWED_PORTS = [
        "443",
        server.rsplit(":", 1)[1],
    ]  # as read from the environment
    assert fetch(f"{server}/ok", max_bytes=100).body == b"hello"


def test_the_error_is_a_validation_error_a_form_can_show():
    with pytest.raises(ValidationError) as caught:
        validate_url("ftp://example.org/")
    assert caught.value.messages == [str(caught.value)]


def test_the_error_survives_pickling_for_task_results():
    error = OutboundError("Too big.", code="too_large", url="http://x/")
    error = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own object
    assert (error.message, error.code, error.url) == ("Too big.", "too_large", "http://x/")


# Fetching from the local server


def test_an_answer_comes_back_whole(server, private_allowed):
    got = fetch(f"{server}/ok", max_bytes=100, accept="text/calendar")
    assert (got.status, got.body, got.final_url) == (200, b"hello", f"{server}/ok")
    assert (got.media_type, got.charset) == ("text/calendar", "utf-8")
    assert got.headers["content-length"] == "5"


def test_the_user_agent_names_allmende_and_the_purpose(server, private_allowed):
    got = fetch(f"{server}/echo", max_bytes=1000, purpose="iCal import\r\nX-Evil: 1")
    host, user_agent = got.body.decode().split("|")
    assert host == server.removeprefix("http://")
    assert user_agent.startswith("Allmende/")
    assert "iCal import X-Evil: 1" in user_agent


def test_the_connection_goes_to_the_checked_address_with_the_name_in_host(
    server, private_refused, monkeypatch
):
    treat_loopback_as_public(monkeypatch)
    port = server.rsplit(":", 1)[1]
    asked = resolve(monkeypatch, {"calendar.example": ["127.0.0.1"]})
    got = fetch(f"http://calendar.example:{port}/echo", max_bytes=1000)
    assert got.body.decode().split("|")[0] == f"calendar.example:{port}"
    # One resolution, checked and then used: a second answer (rebinding) is never asked for.
    assert asked.count("calendar.example") == 1


def test_the_local_server_is_refused_where_private_is_off(server, private_refused):
    assert refused(f"{server}/ok").code == "address_not_allowed"


def test_a_slow_server_times_out(server, private_allowed):
    started = time.monotonic()
    error = refused(f"{server}/slow", timeout=1)
    assert error.code == "timeout"
    assert "did not answer within 1 second" in str(error)
    assert time.monotonic() - started < 2


@pytest.mark.parametrize("path", ["/trickle", "/trickle-headers"])
def test_a_trickling_server_gets_the_timeout_in_all_not_per_read(server, private_allowed, path):
    started = time.monotonic()
    assert refused(f"{server}{path}", timeout=1).code == "timeout"
    assert time.monotonic() - started < 2


def test_a_refused_connection_is_a_clear_error(private_allowed):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    assert refused(f"http://127.0.0.1:{port}/").code == "connection_failed"


def test_an_answer_that_breaks_off_is_an_error_not_a_part(server, private_allowed):
    assert refused(f"{server}/short").code == "connection_failed"


@pytest.mark.parametrize("path", ["/huge", "/huge-chunked"])
def test_a_huge_answer_without_length_stops_at_the_limit(server, private_allowed, path):
    error = refused(f"{server}{path}", max_bytes=2 * 1024 * 1024)
    assert error.code == "too_large"
    assert "is larger than 2.0\xa0MB" in str(error)


def test_a_large_announced_length_is_refused_before_reading(server, private_allowed):
    # The server sends nothing after the headers: reading would end in a timeout instead.
    started = time.monotonic()
    error = refused(f"{server}/big-length", max_bytes=1000, timeout=3)
    assert error.code == "too_large"
    assert filesizeformat(1000) in str(error)
    assert time.monotonic() - started < 1


def test_an_answer_exactly_at_the_limit_is_accepted(server, private_allowed):
    assert fetch(f"{server}/ok", max_bytes=5).body == b"hello"
    assert refused(f"{server}/ok", max_bytes=4).code == "too_large"


@pytest.mark.parametrize(
    ("path", "body"),
    [("/gzip", b"hello gzip"), ("/deflate", b"hello deflate"), ("/raw-deflate", b"hello raw")],
)
def test_compressed_answers_are_decoded(server, private_allowed, path, body):
    assert fetch(f"{server}{path}", max_bytes=1000).body == body


def test_a_gzip_bomb_stops_at_the_limit_after_decompressing(server, private_allowed):
    assert len(GZIP_BOMB) < 1_000_000
    assert refused(f"{server}/gzip-bomb", max_bytes=1_000_000).code == "too_large"


@pytest.mark.parametrize("path", ["/bad-gzip", "/brotli"])
def test_an_unreadable_encoding_is_a_clear_error(server, private_allowed, path):
    assert refused(f"{server}{path}").code == "bad_encoding"


@pytest.mark.parametrize("status", [404, 500, 401])
def test_an_error_status_is_named(server, private_allowed, status):
    error = refused(f"{server}/status/{status}")
    assert error.code == "http_status"
    assert f"answered with status {status}" in str(error)


def test_up_to_three_redirects_are_followed(server, private_allowed):
    got = fetch(f"{server}/redirect/3", max_bytes=100)
    assert (got.body, got.final_url) == (b"hello", f"{server}/ok")


def test_a_fourth_redirect_is_refused(server, private_allowed):
    error = refused(f"{server}/redirect/4")
    assert error.code == "too_many_redirects"
    assert "more than 3 times" in str(error)


def test_a_redirect_loop_ends(server, private_allowed):
    assert refused(f"{server}/loop").code == "too_many_redirects"


def test_a_redirect_without_location_is_an_error_status(server, private_allowed):
    assert refused(f"{server}/no-location").code == "http_status"


@pytest.mark.parametrize(
    "location", ["http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/", "http://[::1]/"]
)
def test_a_redirect_to_a_private_address_is_refused(server, private_refused, monkeypatch, location):
    treat_loopback_as_public(monkeypatch)
    assert fetch(f"{server}/redirect/1", max_bytes=100).body == b"hello"  # the server is reachable
    started = time.monotonic()
    assert refused(f"{server}/to?url={location}").code == "address_not_allowed"
    assert time.monotonic() - started < 1  # refused, not tried


@pytest.mark.parametrize("location", ["file:///etc/passwd", "ftp://example.org/x", "gopher://x/"])
def test_a_redirect_to_another_scheme_is_refused(server, private_allowed, location):
    assert refused(f"{server}/to?url={location}").code == "scheme_not_allowed"


# TLS: the certificate is checked against the host name while connecting to the checked address


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory):
    if not shutil.which("openssl"):
        pytest.skip("openssl is needed to make a test certificate")
    d = tmp_path_factory.mktemp("tls")

    def openssl(*args):
        subprocess.run(["openssl", *args], cwd=d, check=True, capture_output=True)

    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=Test CA",
            "-keyout", "ca.key", "-out", "ca.pem")  # fmt: skip
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=calendar.example",
            "-keyout", "leaf.key", "-out", "leaf.csr")  # fmt: skip
    (d / "ext.cnf").write_text("subjectAltName=DNS:calendar.example\n")
    openssl("x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-days", "1", "-extfile", "ext.cnf", "-out", "leaf.pem")  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(d / "leaf.pem", d / "leaf.key")
    httpd = Server(("127.0.0.1", 0), Handler)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    serve(httpd)
    yield httpd.server_address[1], str(d / "ca.pem")
    httpd.shutdown()
    httpd.server_close()


def trust(monkeypatch, cafile: str):
    monkeypatch.setattr(outbound, "_tls_context", lambda: ssl.create_default_context(cafile=cafile))


def test_https_verifies_the_certificate_for_the_name_on_the_pinned_address(
    tls_server, private_allowed, monkeypatch
):
    port, cafile = tls_server
    trust(monkeypatch, cafile)
    resolve(monkeypatch, {"calendar.example": ["127.0.0.1"]})
    got = fetch(f"https://calendar.example:{port}/echo", max_bytes=1000)
    assert got.body.decode().split("|")[0] == f"calendar.example:{port}"


def test_https_refuses_a_certificate_for_another_name(tls_server, private_allowed, monkeypatch):
    port, cafile = tls_server
    trust(monkeypatch, cafile)
    error = refused(f"https://127.0.0.1:{port}/ok")
    assert error.code == "tls_error"


def test_https_refuses_an_untrusted_certificate(tls_server, private_allowed, monkeypatch):
    port, _cafile = tls_server
    resolve(monkeypatch, {"calendar.example": ["127.0.0.1"]})
    assert refused(f"https://calendar.example:{port}/ok").code == "tls_error"
