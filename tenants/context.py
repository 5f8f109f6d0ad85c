"""Which portal the current request, task or command works for, for logs and error reports.

A context variable rather than a thread-local so that it is correct under ASGI too. It only
labels output; the database schema itself is switched through django-tenants' connection.
"""

from __future__ import annotations

import contextvars
import logging

PUBLIC_LABEL = "public"
_current_portal: contextvars.ContextVar[str] = contextvars.ContextVar(
    "current_portal", default=PUBLIC_LABEL
)


def set_current_portal(label: str | None) -> contextvars.Token:
    return _current_portal.set(label or PUBLIC_LABEL)


def reset_current_portal(token: contextvars.Token) -> None:
    _current_portal.reset(token)


def current_portal_label() -> str:
    return _current_portal.get()


class PortalLogFilter(logging.Filter):
    """Adds `portal` to every log record so the formatter can print it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.portal = current_portal_label()
        return True
