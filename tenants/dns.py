"""DNS look-ups for own-domain verification, through dnspython.

Fails softly: a name that does not exist or a resolver that does not answer yields no records,
so verification simply stays pending and the admin sees the reason.

The reason is stored (Domain.last_check_error) as a code with its parameters, not as text: the
check runs in a worker in whatever language is active there, and the admin reads it later in
theirs. `check_error_text` turns it into a sentence in the current language; a stored value it
cannot read (a row from before codes) is shown as it is.
"""

from __future__ import annotations

import json

import dns.exception
import dns.resolver
from django.conf import settings
from django.utils.translation import gettext

# Code -> message; the parameters come from the stored value.
CHECK_ERRORS = {
    "no_record": lambda: gettext("No TXT record at %(name)s yet."),
    "lookup_failed": lambda: gettext("The DNS look-up failed (%(reason)s). We will try again."),
    "token_missing": lambda: gettext("The TXT record does not contain the token yet."),
}


def check_error(code: str, **params: str) -> str:
    """The stored form of a check's failure reason (fits Domain.last_check_error)."""
    if code not in CHECK_ERRORS:
        raise ValueError(f"unknown DNS check error {code!r}")
    return json.dumps({"code": code, **{k: str(v)[:200] for k, v in params.items()}})


def check_error_text(stored: str) -> str:
    """The reason a check failed, as a sentence in the current language ('' for none)."""
    if not stored:
        return ""
    try:
        data = json.loads(stored)
        message = CHECK_ERRORS[data.pop("code")]()
        return message % data if data else message
    except (ValueError, KeyError, TypeError, AttributeError):
        return stored


def txt_records(name: str) -> tuple[list[str], str]:
    """TXT strings at `name`, and the stored error (check_error; '' if the look-up worked)."""
    resolver = dns.resolver.Resolver(configure=not settings.DNS_NAMESERVERS)
    if settings.DNS_NAMESERVERS:
        resolver.nameservers = list(settings.DNS_NAMESERVERS)
        resolver.port = settings.DNS_PORT
    resolver.lifetime = 5
    try:
        answer = resolver.resolve(name, "TXT")
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return [], check_error("no_record", name=name)
    except dns.exception.DNSException as exc:
        return [], check_error("lookup_failed", reason=exc.__class__.__name__)
    return [b"".join(r.strings).decode(errors="replace") for r in answer], ""
