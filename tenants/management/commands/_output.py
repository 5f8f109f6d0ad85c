"""Shared command-line behaviour: bad input is a clear message and exit code 2."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError


def input_error(exc: ValidationError | Exception) -> CommandError:
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            text = "; ".join(
                f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items()
            )
        else:
            text = " ".join(exc.messages)
    else:
        text = str(exc)
    return CommandError(text, returncode=2)
