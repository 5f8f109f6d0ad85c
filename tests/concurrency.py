"""Two database sessions racing, for the tests that prove "one effect" under concurrency.

`hold_and_wait(holder, waiter)` runs `holder()` in a thread inside a transaction that it keeps
open (and its row locks with it) until `waiter()`, started in a second thread, has had time to
block on them; then the first commits and both finish. It asserts that the waiter did wait, and
returns what each returned, or the exception it raised. Both threads use their own
connections, so the data they need must be committed (the `committed` fixture).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connections, transaction

TIMEOUT = 10


def _session(work: Callable[[], object], outcome: dict, key: str, before_commit=None):
    def run():
        try:
            if before_commit is None:
                outcome[key] = work()
            else:
                with transaction.atomic():
                    outcome[key] = work()
                    before_commit()
        except Exception as exc:  # handed to the test, which asserts on it
            outcome[key] = exc
        finally:
            connections.close_all()

    return threading.Thread(target=run)


def hold_and_wait(
    holder: Callable[[], object], waiter: Callable[[], object], *, blocked_for: float = 0.5
) -> tuple[object, object]:
    holding, release = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def keep_open():
        holding.set()
        release.wait(TIMEOUT)

    first = _session(holder, outcome, "holder", before_commit=keep_open)
    second = _session(waiter, outcome, "waiter")
    try:
        first.start()
        assert holding.wait(TIMEOUT) or not first.is_alive()
        if "holder" in outcome and isinstance(outcome["holder"], Exception):
            raise AssertionError(f"the first session failed: {outcome['holder']!r}")
        second.start()
        second.join(blocked_for)
        assert second.is_alive(), "the second session must wait for the first one's locks"
    finally:
        release.set()
        first.join(TIMEOUT)
        second.join(TIMEOUT)
    return outcome.get("holder"), outcome.get("waiter")
