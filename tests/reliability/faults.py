"""Crash points for worker processes started by the fault tests.

A test drops a flag file named after a point into RELIABILITY_PAUSE_DIR; the first worker
process to reach that point takes the flag (an atomic rename, so only once), writes
`paused` (the point and its pid) and sleeps until the test kills it. Points: `before-send`
(a mail is about to be handed to the mail backend) and `after-task` (the task has done its
work but the broker has not been told yet). Every finished task is appended to `done`.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from celery.signals import task_postrun
from django.core.mail.backends import filebased


def _folder() -> Path:
    return Path(os.environ["RELIABILITY_PAUSE_DIR"])


def pause_if_flagged(point: str) -> None:
    flag = _folder() / point
    try:
        flag.rename(flag.with_name(point + ".taken"))
    except FileNotFoundError:
        return
    (_folder() / "paused").write_text(f"{point} {os.getpid()}")
    while True:
        time.sleep(1)


class PausingEmailBackend(filebased.EmailBackend):
    def send_messages(self, email_messages):
        pause_if_flagged("before-send")
        return super().send_messages(email_messages)


@task_postrun.connect
def _after_task(task_id=None, **kwargs) -> None:
    pause_if_flagged("after-task")
    with open(_folder() / "done", "a") as done:
        done.write(f"{task_id} {os.getpid()}\n")
