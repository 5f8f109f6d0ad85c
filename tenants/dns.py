"""DNS look-ups for own-domain verification, through dnspython.

Fails softly: a name that does not exist or a resolver that does not answer yields no records,
so verification simply stays pending and the admin sees the reason.
"""

from __future__ import annotations

import dns.exception
import dns.resolver
from django.conf import settings


def txt_records(name: str) -> tuple[list[str], str]:
    """TXT strings at `name`, and an error text ('' if the look-up itself worked)."""
    resolver = dns.resolver.Resolver(configure=not settings.DNS_NAMESERVERS)
    if settings.DNS_NAMESERVERS:
        resolver.nameservers = list(settings.DNS_NAMESERVERS)
        resolver.port = settings.DNS_PORT
    resolver.lifetime = 5
    try:
        answer = resolver.resolve(name, "TXT")
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return [], f"No TXT record at {name} yet."
    except dns.exception.DNSException as exc:
        return [], f"DNS look-up failed: {exc.__class__.__name__}."
    return [b"".join(r.strings).decode(errors="replace") for r in answer], ""
