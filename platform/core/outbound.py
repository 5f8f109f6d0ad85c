"""The one way the platform fetches a URL that someone entered (OParl imports, iCal subscriptions).

`fetch()` is a GET with hard limits: only http and https, no credentials in the URL, at most
MAX_REDIRECTS redirects, one wall-clock deadline for connecting and reading everything (a server
trickling a byte a second does not get more time), and a byte limit checked on the announced
length, while streaming and after decompressing. Where private targets are not allowed (always in
production), every address the host resolves to must be public, and the connection goes to the
address that was checked, so a second DNS answer cannot point it somewhere else (DNS rebinding).

Every failure is an `OutboundError`, a ValidationError with a translated message a form can show
as it is and a `code` to tell the cases apart. Nothing is returned half: a caller either gets the
whole body or an error, so an import never works on a truncated file.
"""

from __future__ import annotations

import http.client
import io
import ipaddress
import logging
import math
import re
import socket
import ssl
import time
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import quote, urljoin, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

logger = logging.getLogger(__name__)

MAX_REDIRECTS = 3
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
SCHEMES = {"http": 80, "https": 443}
CHUNK = 64 * 1024

# Not covered by ipaddress's is_global on every Python version, or embedding an IPv4 address
# that is checked separately below; refused whatever is_global says.
_REFUSED_NETWORKS = tuple(
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
        "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15",
        "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
        "::/128", "::1/128", "::ffff:0:0/96", "64:ff9b::/96", "64:ff9b:1::/48", "100::/64",
        "2001:db8::/32", "2002::/16", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
    )
)  # fmt: skip
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class OutboundError(ValidationError):
    """A URL that could not be fetched; `code` says why, the message says it to a person."""

    def __init__(self, message: str, code: str, url: str = ""):
        super().__init__(message, code=code)
        self.url = url

    def __reduce__(self):
        # A Celery task's failure is pickled; ValidationError's own args would not fit __init__.
        return type(self), (self.message, self.code, self.url)

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Fetched:
    """A 2xx answer with its whole, decompressed body; headers have lower-case names."""

    final_url: str
    status: int
    content_type: str
    body: bytes
    headers: Mapping[str, str] = field(repr=False)

    @property
    def media_type(self) -> str:
        """ "text/calendar" for "text/Calendar; charset=utf-8"."""
        return self.content_type.split(";", 1)[0].strip().lower()

    @property
    def charset(self) -> str | None:
        match = re.search(r";\s*charset=\"?([\w.:-]+)", self.content_type, re.IGNORECASE)
        return match.group(1).lower() if match else None


@dataclass(frozen=True)
class Target:
    """A URL that passed the guard, with the addresses that were checked for it."""

    url: str
    scheme: str
    host: str
    port: int
    request_target: str
    addresses: tuple[tuple, ...]  # (family, sockaddr) as getaddrinfo gave them


def private_allowed() -> bool:
    """Private and loopback targets: never in production; elsewhere unless switched off."""
    if settings.PRODUCTION:
        return False
    return bool(getattr(settings, "OUTBOUND_ALLOW_PRIVATE", True))


def is_public_address(address: str) -> bool:
    """True for an address on the public internet; False for loopback, private, link-local
    (the 169.254.169.254 metadata service), CGNAT, multicast, reserved, unspecified, ULA and for
    IPv6 forms that carry one of those IPv4 addresses (mapped, 6to4, NAT64)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            return is_public_address(str(embedded))
    if any(ip in network for network in _REFUSED_NETWORKS):
        return False
    return ip.is_global and not (
        ip.is_multicast or ip.is_reserved or ip.is_loopback or ip.is_link_local
        or ip.is_unspecified or ip.is_private
    )  # fmt: skip


def validate_url(url: str) -> Target:
    """Checks a URL and resolves its host once; raises OutboundError. Forms may call it to
    refuse an address before saving it; `fetch()` calls it again for every hop."""
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
        port = parts.port
        hostname = parts.hostname
    except ValueError:
        raise _invalid(url) from None
    scheme = parts.scheme.lower()
    if not scheme:
        raise _invalid(url)
    if scheme not in SCHEMES:
        raise OutboundError(
            _("Only web addresses starting with http:// or https:// can be fetched."),
            code="scheme_not_allowed",
            url=url,
        )
    if parts.username is not None or parts.password is not None:
        raise OutboundError(
            _("Web addresses with a user name or password cannot be fetched."),
            code="credentials_in_url",
            url=url,
        )
    if not hostname:
        raise _invalid(url)
    try:
        host = hostname.encode("idna").decode("ascii")
    except UnicodeError:
        raise _invalid(url) from None
    port = port or SCHEMES[scheme]
    allowed_ports = {int(p) for p in getattr(settings, "OUTBOUND_ALLOWED_PORTS", None) or ()}
    if allowed_ports and port not in allowed_ports:
        raise OutboundError(
            _("Port %(port)s cannot be fetched.") % {"port": port},
            code="port_not_allowed",
            url=url,
        )
    # Names under .localhost are loopback by definition (RFC 6761), whatever the resolver
    # knows: the local demo's portals live there. They are then refused like any loopback
    # address wherever private targets are (always in production).
    lookup = "127.0.0.1" if host == "localhost" or host.endswith(".localhost") else host
    try:
        infos = socket.getaddrinfo(lookup, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        infos = []
    addresses = tuple((family, sockaddr) for family, _t, _p, _c, sockaddr in infos)
    if not addresses:
        raise OutboundError(
            _("The server %(host)s could not be found.") % {"host": host},
            code="host_not_found",
            url=url,
        )
    # All answers must be public, not just the first: the connection may fall back to any.
    if not private_allowed() and not all(
        is_public_address(sockaddr[0]) for _f, sockaddr in addresses
    ):
        logger.warning("outbound: refused %s, resolves to a non-public address", host)
        raise OutboundError(
            _("%(host)s points at a private or local address, which cannot be fetched.")
            % {"host": host},
            code="address_not_allowed",
            url=url,
        )
    request_target = quote(parts.path or "/", safe="/%:@!$&'()*+,;=~")
    if parts.query:
        request_target += "?" + quote(parts.query, safe="/%:@!$&'()*+,;=~?")
    return Target(
        url=url,
        scheme=scheme,
        host=host,
        port=port,
        request_target=request_target,
        addresses=addresses,
    )


def fetch(
    url: str,
    *,
    max_bytes: int,
    timeout: float = 10.0,
    accept: str = "*/*",
    purpose: str = "",
) -> Fetched:
    """GETs `url` within `timeout` seconds in all and at most `max_bytes` (also decompressed);
    raises OutboundError for anything else, including a final status that is not 2xx."""
    deadline = time.monotonic() + timeout
    headers = {
        "User-Agent": _user_agent(purpose),
        "Accept": accept,
        "Accept-Encoding": "gzip, deflate",
        "Connection": "close",
    }
    current = url
    for _hop in range(MAX_REDIRECTS + 1):
        target = validate_url(current)
        connection = _PinnedConnection(target, deadline=deadline)
        response = None
        try:
            try:
                connection.request("GET", target.request_target, headers=headers)
                response = connection.getresponse()
                location = response.getheader("Location")
                if response.status in REDIRECT_STATUSES and location:
                    current = urljoin(target.url, location.strip())
                    continue
                if not 200 <= response.status < 300:
                    raise OutboundError(
                        _("%(host)s answered with status %(status)s.")
                        % {"host": target.host, "status": response.status},
                        code="http_status",
                        url=target.url,
                    )
                body = _read_body(response, target=target, max_bytes=max_bytes)
            except TimeoutError:
                raise _timeout(target, timeout) from None
            except ssl.SSLError:
                raise OutboundError(
                    _("The secure connection to %(host)s could not be verified.")
                    % {"host": target.host},
                    code="tls_error",
                    url=target.url,
                ) from None
            except (OSError, http.client.HTTPException):
                raise OutboundError(
                    _("%(host)s could not be reached or broke off the answer.")
                    % {"host": target.host},
                    code="connection_failed",
                    url=target.url,
                ) from None
        finally:
            if response is not None:
                response.close()
            connection.close()
        return Fetched(
            final_url=target.url,
            status=response.status,
            content_type=response.getheader("Content-Type", ""),
            body=body,
            headers={k.lower(): v for k, v in response.getheaders()},
        )
    raise OutboundError(
        _("%(host)s redirected more than %(count)s times.")
        % {"host": urlsplit(url).hostname or url, "count": MAX_REDIRECTS},
        code="too_many_redirects",
        url=url,
    )


def _read_body(response: http.client.HTTPResponse, *, target: Target, max_bytes: int) -> bytes:
    length = response.getheader("Content-Length")
    if length and length.strip().isdigit() and int(length) > max_bytes:
        raise _too_large(target, max_bytes)
    encoding = (response.getheader("Content-Encoding") or "identity").strip().lower()
    if encoding in {"gzip", "x-gzip"}:
        decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
    elif encoding == "deflate":
        decoder = _DeflateDecoder()
    elif encoding == "identity":
        decoder = None
    else:
        raise _unreadable(target)
    raw_size = 0
    body = bytearray()
    while chunk := response.read(min(CHUNK, max_bytes + 1 - raw_size)):
        raw_size += len(chunk)
        if raw_size > max_bytes:
            raise _too_large(target, max_bytes)
        try:
            # The decoder may produce at most one byte beyond the limit: a bomb stops there.
            data = decoder.decompress(chunk, max_bytes + 1 - len(body)) if decoder else chunk
        except zlib.error:
            raise _unreadable(target) from None
        body += data
        if len(body) > max_bytes or (decoder and decoder.unconsumed_tail):
            raise _too_large(target, max_bytes)
    if response.length:
        # http.client returns a body shorter than its Content-Length as if it were whole.
        raise http.client.IncompleteRead(bytes(body), response.length)
    if decoder is not None and raw_size and not decoder.eof:
        raise _unreadable(target)
    return bytes(body)


class _DeflateDecoder:
    """ "deflate" is meant to be zlib-wrapped, but some servers send raw deflate data."""

    def __init__(self):
        self._decoder = None

    def decompress(self, data: bytes, max_length: int) -> bytes:
        if self._decoder is None:
            raw = not data or (data[0] & 0x0F) != 8  # a zlib header starts with method 8
            self._decoder = zlib.decompressobj(-zlib.MAX_WBITS if raw else zlib.MAX_WBITS)
        return self._decoder.decompress(data, max_length)

    @property
    def unconsumed_tail(self) -> bytes:
        return self._decoder.unconsumed_tail if self._decoder else b""

    @property
    def eof(self) -> bool:
        return self._decoder.eof if self._decoder else False


class _PinnedConnection(http.client.HTTPConnection):
    """An HTTP(S) connection to the checked addresses, never to a fresh DNS answer; the Host
    header and the TLS server name (which the certificate must match) are still the host name."""

    def __init__(self, target: Target, *, deadline: float):
        super().__init__(target.host, target.port)
        self.default_port = SCHEMES[target.scheme]  # so that Host carries no ":443"
        self._target = target
        self._deadline = deadline

    def connect(self):
        error: OSError = ConnectionError("no address")
        for family, sockaddr in self._target.addresses:
            sock = socket.socket(family, socket.SOCK_STREAM)
            try:
                sock.settimeout(_remaining(self._deadline))
                sock.connect(sockaddr)
                if self._target.scheme == "https":
                    sock.settimeout(_remaining(self._deadline))
                    sock = _tls_context().wrap_socket(sock, server_hostname=self._target.host)
            except TimeoutError:
                sock.close()
                raise
            except OSError as exc:
                sock.close()
                error = exc
                continue
            self.sock = sock
            return
        raise error

    # http.client builds its response with `self.response_class(self.sock, ...)`; this hands it
    # a socket whose every read gets only the time left, so the deadline covers the whole read.
    def response_class(self, sock, **kwargs):
        return http.client.HTTPResponse(_DeadlineSocket(sock, self._deadline), **kwargs)


class _DeadlineSocket:
    def __init__(self, sock: socket.socket, deadline: float):
        self._sock = sock
        self._deadline = deadline

    def makefile(self, mode: str):
        return io.BufferedReader(_DeadlineReader(self._sock, self._deadline))


class _DeadlineReader(io.RawIOBase):
    def __init__(self, sock: socket.socket, deadline: float):
        self._sock = sock
        # Through makefile, as http.client does: it keeps the socket open after the connection
        # object lets go of it ("Connection: close") until the response is read and closed.
        self._raw = sock.makefile("rb", buffering=0)
        self._deadline = deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        self._sock.settimeout(_remaining(self._deadline))
        return self._raw.readinto(buffer)

    def close(self):
        self._raw.close()
        super().close()


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError
    return left


def _tls_context() -> ssl.SSLContext:
    return ssl.create_default_context()


def _user_agent(purpose: str) -> str:
    purpose = re.sub(r"[^\x20-\x7e]+", " ", purpose).strip()[:80]
    domain = getattr(settings, "PLATFORM_DOMAIN", "")
    details = "; ".join(p for p in (purpose, f"+https://{domain}" if domain else "") if p)
    return f"Allmende/1 ({details})" if details else "Allmende/1"


def _invalid(url: str) -> OutboundError:
    return OutboundError(_("This is not a valid web address."), code="invalid_url", url=url)


def _timeout(target: Target, seconds: float) -> OutboundError:
    return OutboundError(
        ngettext(
            "%(host)s did not answer within %(seconds)s second.",
            "%(host)s did not answer within %(seconds)s seconds.",
            math.ceil(seconds),
        )
        % {"host": target.host, "seconds": f"{seconds:g}"},
        code="timeout",
        url=target.url,
    )


def _too_large(target: Target, max_bytes: int) -> OutboundError:
    return OutboundError(
        _("The file at %(host)s is larger than %(size)s.")
        % {"host": target.host, "size": filesizeformat(max_bytes)},
        code="too_large",
        url=target.url,
    )


def _unreadable(target: Target) -> OutboundError:
    return OutboundError(
        _("%(host)s sent its answer in a form that cannot be read.") % {"host": target.host},
        code="bad_encoding",
        url=target.url,
    )
