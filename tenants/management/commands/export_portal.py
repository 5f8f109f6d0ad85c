"""python manage.py export_portal <subdomain> --output <file>"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tenants.models import Portal
from tenants.selectors import portal_by_subdomain
from tenants.services.archive import portal_export


class Command(BaseCommand):
    help = "Write one portal's data, media files and a manifest into a .tar.gz archive."

    def add_arguments(self, parser):
        parser.add_argument("subdomain")
        parser.add_argument("--output", required=True, type=Path)

    def handle(self, *args, **options):
        try:
            portal = portal_by_subdomain(options["subdomain"])
        except Portal.DoesNotExist as exc:
            raise CommandError(
                f"No portal with subdomain “{options['subdomain']}”.", returncode=2
            ) from exc
        summary = portal_export(portal=portal, output=options["output"])
        self.stdout.write(
            self.style.SUCCESS(
                f"Exported “{portal.name}”: {summary.rows} rows, {summary.files} files, "
                f"{summary.size_bytes} bytes -> {summary.path}"
            )
        )
