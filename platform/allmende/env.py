"""Reading configuration from the environment, in one place.

Every setting that differs between machines comes from an environment variable; this module turns
the raw strings into typed values and raises ImproperlyConfigured with the variable's name when a
value is malformed, or missing where production needs it.
"""

from __future__ import annotations

import os
from urllib.parse import parse_qs, unquote, urlparse

from django.core.exceptions import ImproperlyConfigured


def get(name: str, default: str | None = None, *, required: bool = False) -> str | None:
    value = os.environ.get(name)
    if value is None or value == "":
        if required:
            raise ImproperlyConfigured(f"The environment variable {name} must be set.")
        return default
    return value


def get_bool(name: str, default: bool = False) -> bool:
    value = get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), got {value!r}.")


def get_int(name: str, default: int) -> int:
    value = get(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}.") from exc


def get_list(name: str, default: list[str]) -> list[str]:
    value = get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def email_settings(url: str | None, fallback_dir: str) -> dict:
    """Translate EMAIL_URL into Django e-mail settings.

    smtp://user:pass@host:587 (STARTTLS), smtps://user:pass@host:465 (implicit TLS),
    console://, file:///absolute/path. Unset means files under `fallback_dir`.
    """
    if not url:
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": fallback_dir,
        }
    parsed = urlparse(url)
    if parsed.scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if parsed.scheme == "file":
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": unquote(parsed.path) or fallback_dir,
        }
    if parsed.scheme in {"smtp", "smtps"}:
        if not parsed.hostname:
            raise ImproperlyConfigured("EMAIL_URL needs a host, e.g. smtp://user:pass@host:587.")
        query = parse_qs(parsed.query)
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": parsed.hostname,
            "EMAIL_PORT": parsed.port or (465 if parsed.scheme == "smtps" else 587),
            "EMAIL_HOST_USER": unquote(parsed.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parsed.password or ""),
            "EMAIL_USE_SSL": parsed.scheme == "smtps",
            "EMAIL_USE_TLS": parsed.scheme == "smtp" and query.get("tls", ["1"])[0] != "0",
        }
    raise ImproperlyConfigured(
        f"EMAIL_URL scheme {parsed.scheme!r} is not supported (smtp, smtps, console, file)."
    )
