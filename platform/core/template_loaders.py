"""Template loading: the project's folder, then each app's `templates/` folder, except the one of
django-tenants. Its admin overrides (the console's start page and app list) colour apps by schema
type with inline styles, which the console's Content-Security-Policy refuses; Django's own admin
templates need none. Fails like Django's loaders: a template found nowhere is
TemplateDoesNotExist."""

from __future__ import annotations

from pathlib import Path

from django.apps import apps
from django.template.loaders import app_directories

SKIPPED_APPS = ("django_tenants",)


class AppDirectoriesLoader(app_directories.Loader):
    def get_dirs(self):
        skipped = {
            Path(apps.get_app_config(label).path) / "templates"
            for label in SKIPPED_APPS
            if apps.is_installed(label)
        }
        return [folder for folder in super().get_dirs() if Path(folder) not in skipped]
