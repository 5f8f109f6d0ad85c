"""Settings for the test suite: the normal settings with DJANGO_ENV=test.

Subprocesses started by tests (a Celery worker, manage.py commands) inherit the environment, so
they read the same profile and the same test database.
"""

import os

os.environ["DJANGO_ENV"] = "test"
# One test database per suite run, so that runs side by side (two checkouts, a developer's and
# CI's) never drop each other's database. Set in the environment, so that the processes a run
# starts (worker, commands, server) inherit the same name and cache folders.
os.environ.setdefault("TEST_DATABASE_NAME", f"test_allmende_{os.getpid()}")

from allmende.settings import *  # noqa: F403

# Tests keep their files apart from the demo's and run tasks inline unless a test starts a worker.
MEDIA_ROOT = DATA_DIR / "test" / "media"  # noqa: F405
PORTAL_EXPORT_DIR = DATA_DIR / "test" / "exports"  # noqa: F405
CELERY_TASK_ALWAYS_EAGER = True

# One cache folder per test database: parallel suites (and the processes a suite starts, which
# inherit its environment) must not read each other's cached routes.
_run = os.environ.get("TEST_DATABASE_NAME") or os.environ.get("DATABASE_NAME") or "test_allmende"
for _alias, _cache in CACHES.items():  # noqa: F405
    if _cache["BACKEND"].endswith("FileBasedCache"):
        _cache["LOCATION"] = str(DATA_DIR / "cache" / "test" / _run / _alias)  # noqa: F405
