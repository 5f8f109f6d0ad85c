"""Settings for the benchmarks: the test settings, as production would run them.

Processes a benchmark starts (gunicorn, a Celery worker, forked migration workers) inherit
DJANGO_SETTINGS_MODULE and read these too.
"""

from allmende.settings_test import *  # noqa: F403

# One migration only benchmarks apply (bench.migrate's additive case); a tenant app, so it
# reaches every portal schema and never public.
TENANT_APPS = [*TENANT_APPS, "bench.additive"]  # noqa: F405
INSTALLED_APPS = [*INSTALLED_APPS, "bench.additive"]  # noqa: F405
# Tests check every local copy against the shared cache on each read; production checks once
# a second (tenants.localcache), and that is what the benchmarks measure.
LOCAL_CACHE_CHECK_SECONDS = env.get_int("LOCAL_CACHE_CHECK_SECONDS", 1)  # noqa: F405

# bench.routing's "tenancy bypassed" server: one portal, no host resolution.
if env.get("BENCH_FIXED_SCHEMA"):  # noqa: F405
    MIDDLEWARE = [
        "bench.routing.FixedPortalMiddleware"
        if m == "tenants.middleware.PortalRoutingMiddleware"
        else m
        for m in MIDDLEWARE  # noqa: F405
    ]
