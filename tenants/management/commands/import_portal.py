"""python manage.py import_portal <file> --subdomain <new> [--name …]"""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand

from tenants.management.commands._output import input_error
from tenants.selectors import portal_base_url
from tenants.services.archive import ArchiveError, portal_import


class Command(BaseCommand):
    help = "Create a new portal from an export archive."

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)
        parser.add_argument("--subdomain", required=True)
        parser.add_argument("--name", default=None)

    def handle(self, *args, **options):
        try:
            result = portal_import(
                archive=options["archive"], subdomain=options["subdomain"], name=options["name"]
            )
        except (ArchiveError, ValidationError) as exc:
            raise input_error(exc) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported as “{result.portal.name}” at {portal_base_url(result.portal)} "
                f"in {result.seconds:.2f} s."
            )
        )
