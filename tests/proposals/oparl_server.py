"""A small OParl 1.1 server on 127.0.0.1 for the import tests: a Stadt Leipzig-like system from
tests/proposals/fixtures/oparl/, and answers that an import must refuse.

The fixture files carry `{base}` for the server's address and `{day+N}` / `{day-N}` for a date
N days from today, so the meetings stay inside the import's window whatever day the tests run.
`OParlServer.documents` holds the parsed documents by path; a test changes them to change what
the next import sees. `serving()` starts the server on a random port and always stops it.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from django.utils import timezone

FIXTURES = Path(__file__).parent / "fixtures" / "oparl"
SYSTEM = "/oparl/v1.1/system"
BODY = "/oparl/v1.1/body/1"
ORGANIZATIONS = "/oparl/v1.1/body/1/organization"
ORGANIZATIONS_2 = "/oparl/v1.1/body/1/organization?page=2"
MEETINGS = "/oparl/v1.1/body/1/meeting"
SLOW_SECONDS = 5.0
HUGE_BYTES = 3 * 1024 * 1024

_DAY = re.compile(r"\{day([+-]\d+)\}")


def load(name: str, *, base: str) -> Any:
    text = (FIXTURES / name).read_text(encoding="utf-8").replace("{base}", base)
    today = timezone.localdate()
    text = _DAY.sub(lambda m: (today + timedelta(days=int(m.group(1)))).isoformat(), text)
    return json.loads(text)


class OParlServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.base = f"http://127.0.0.1:{self.server_address[1]}"
        self.stopping = threading.Event()
        self.delay = 0.0  # seconds before every answer, for the total deadline
        self.requests: list[str] = []
        bodies = load("bodies.json", base=self.base)
        self.documents: dict[str, Any] = {
            SYSTEM: load("system.json", base=self.base),
            "/oparl/v1.1/body": bodies,
            BODY: bodies["data"][0],
            ORGANIZATIONS: load("organizations-1.json", base=self.base),
            ORGANIZATIONS_2: load("organizations-2.json", base=self.base),
            MEETINGS: load("meetings.json", base=self.base),
            "/not-oparl": load("not-oparl.json", base=self.base),
        }

    def url(self, path: str) -> str:
        return self.base + path

    def organization(self, name: str) -> dict:
        """The organization called `name`, on whichever page it is."""
        for path in (ORGANIZATIONS, ORGANIZATIONS_2):
            for item in self.documents[path]["data"]:
                if item["name"] == name:
                    return item
        raise KeyError(name)

    def meeting(self, number: int) -> dict:
        for item in self.documents[MEETINGS]["data"]:
            if item["id"].endswith(f"/meeting/{number}"):
                return item
        raise KeyError(number)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: OParlServer

    def log_message(self, *args):
        pass

    def answer(self, body: bytes, *, status: int = 200, content_type: str = "application/json"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        with contextlib.suppress(OSError):  # a client that gave up at its deadline
            self.wfile.write(body)

    def do_GET(self):
        self.server.requests.append(self.path)
        if self.server.delay:
            self.server.stopping.wait(self.server.delay)
        document = self.server.documents.get(self.path)
        if document is not None:
            self.answer(json.dumps(document).encode())
        elif self.path == "/html":
            page = b"<!DOCTYPE html><html><head><title>Ratsinfo</title></head><body>Hallo</body></html>"
            self.answer(page, content_type="text/html; charset=utf-8")
        elif self.path == "/invalid-json":
            self.answer(b'{"id": "x", "type": ')
        elif self.path == "/slow":
            # Woken early when the server stops, so that no handler outlives the test.
            self.server.stopping.wait(SLOW_SECONDS)
            self.answer(json.dumps(self.server.documents[SYSTEM]).encode())
        elif self.path == "/huge":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Connection", "close")
            self.end_headers()
            with contextlib.suppress(OSError):  # the client hangs up at its limit
                self.wfile.write(b'{"data": ["' + b"x" * HUGE_BYTES + b'"]}')
        else:
            self.answer(b'{"error": "not found"}', status=404)


@contextlib.contextmanager
def serving() -> Iterator[OParlServer]:
    server = OParlServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stopping.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
