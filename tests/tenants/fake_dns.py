"""A real DNS server on a loopback port with a zone the test writes, for own-domain checks.

The verification code is not mocked: dnspython queries this server over UDP, exactly as it
would query the operator's resolver (settings.DNS_NAMESERVERS / DNS_PORT point at it).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from dnslib import QTYPE, RCODE, RR, TXT
from dnslib.server import BaseResolver, DNSServer


class Zone(BaseResolver):
    """TXT records by name; every other name does not exist (NXDOMAIN)."""

    def __init__(self):
        self.txt: dict[str, list[str]] = {}

    def resolve(self, request, handler):
        reply = request.reply()
        name = str(request.q.qname).rstrip(".")
        if name not in self.txt:
            reply.header.rcode = RCODE.NXDOMAIN
        elif request.q.qtype == QTYPE.TXT:
            for value in self.txt[name]:
                reply.add_answer(RR(name, QTYPE.TXT, rdata=TXT(value), ttl=60))
        return reply


@contextmanager
def serving_zone(settings) -> Iterator[Zone]:
    """Serve a fresh zone and point the resolver settings (pytest-django's `settings`) at it."""
    zone = Zone()
    server = DNSServer(zone, address="127.0.0.1", port=0)
    server.start_thread()
    settings.DNS_NAMESERVERS = ["127.0.0.1"]
    settings.DNS_PORT = server.server.server_address[1]
    try:
        yield zone
    finally:
        server.stop()
