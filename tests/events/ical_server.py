"""A small calendar server on 127.0.0.1 for the import tests: it serves whatever iCal bytes a
test puts into `CalendarServer.calendar`, and answers an import must refuse.

`/calendar.ics` is the calendar, `/html` a web page, `/huge` an endless stream of 50 MB without
Content-Length (the client's limit must stop it), `/never` a server that accepts the connection
and never answers (until the server stops). `serving()` starts it on a random port and always
stops it, waking every handler that still waits.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CALENDAR = "/calendar.ics"
HUGE_BYTES = 50 * 1024 * 1024
NEVER_SECONDS = 30.0


class CalendarServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.base = f"http://127.0.0.1:{self.server_address[1]}"
        self.stopping = threading.Event()
        self.calendar = b""
        self.requests: list[str] = []
        self.huge_sent = 0

    def url(self, path: str = CALENDAR) -> str:
        return self.base + path


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: CalendarServer

    def log_message(self, *args):
        pass

    def answer(self, body: bytes, *, content_type: str, status: int = 200):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        with contextlib.suppress(OSError):  # a client that gave up at its deadline
            self.wfile.write(body)

    def do_GET(self):
        self.server.requests.append(self.path)
        if self.path == CALENDAR:
            self.answer(self.server.calendar, content_type="text/calendar; charset=utf-8")
        elif self.path == "/html":
            page = (
                b"<!DOCTYPE html><html><head><title>Verein</title></head>"
                b"<body><h1>Termine</h1></body></html>"
            )
            self.answer(page, content_type="text/html; charset=utf-8")
        elif self.path == "/huge":
            self.send_response(200)
            self.send_header("Content-Type", "text/calendar")
            self.send_header("Connection", "close")
            self.end_headers()
            chunk = b"BEGIN:VCALENDAR\r\n" + b"X" * (64 * 1024 - 17)
            with contextlib.suppress(OSError):  # the client hangs up at its limit
                while self.server.huge_sent < HUGE_BYTES and not self.server.stopping.is_set():
                    self.wfile.write(chunk)
                    self.server.huge_sent += len(chunk)
        elif self.path == "/never":
            # Woken early when the server stops, so that no handler outlives the test.
            self.server.stopping.wait(NEVER_SECONDS)
        else:
            self.answer(b"not found", content_type="text/plain", status=404)


@contextlib.contextmanager
def serving() -> Iterator[CalendarServer]:
    server = CalendarServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stopping.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
