"""Fault and soak tests (`make soak`, marker `soak`): real processes — gunicorn, Celery workers,
their own embedded PostgreSQL cluster — crashed, killed and restarted, and ten minutes of
traffic. Excluded from `make test`; they never touch the shared cluster under .data/."""
