"""The Celery application shared by all portals.

Every task runs through tenants.celery.PortalTask: a task sent from inside a portal carries that
portal and runs in its schema; any other task runs in the public schema. Broker: REDIS_URL, or
the embedded file-system broker under .data/broker when it is unset (still a separate worker
process, just no network broker).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "allmende.settings")

app = Celery("allmende", task_cls="tenants.celery:PortalTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
