"""`recorded(into)`: every statement run inside the block is appended to `into` as
(milliseconds, SQL), for a benchmark to report where a request's or a call's time goes."""

from __future__ import annotations

import contextlib
import time

from django.db import connection


@contextlib.contextmanager
def recorded(into: list[tuple[float, str]]):
    def timing(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            into.append(((time.perf_counter() - started) * 1000, sql))

    with connection.execute_wrapper(timing):
        yield into
