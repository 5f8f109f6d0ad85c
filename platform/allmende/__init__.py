"""Django project configuration for Allmende: settings, URL confs, WSGI/ASGI and the Celery app."""

from .celery import app as celery_app

__all__ = ["celery_app"]
