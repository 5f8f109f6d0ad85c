"""WSGI entry point (gunicorn allmende.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "allmende.settings")
application = get_wsgi_application()
