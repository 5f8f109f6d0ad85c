"""Settings of the Celery workers the fault tests start: the normal settings, with mail going
through the pausing file backend of tests.reliability.faults."""

import os

import tests.reliability.faults  # noqa: F401  (connects the after-task crash point)
from allmende.settings import *  # noqa: F403

EMAIL_BACKEND = "tests.reliability.faults.PausingEmailBackend"
EMAIL_FILE_PATH = os.environ["RELIABILITY_MAIL_DIR"]

if os.environ.get("RELIABILITY_VISIBILITY_TIMEOUT"):
    # How long Redis keeps a fetched, unacknowledged task from other workers (default 1 h).
    # The worker looks for such tasks every second here (Kombu's default: every 100 s).
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": int(os.environ["RELIABILITY_VISIBILITY_TIMEOUT"]),
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
    }
