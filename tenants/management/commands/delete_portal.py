"""python manage.py delete_portal <subdomain> [--grace-days N] | --restore"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tenants.management.commands._output import input_error
from tenants.models import Portal
from tenants.selectors import portal_by_subdomain
from tenants.services import portal_archive, portal_restore


class Command(BaseCommand):
    help = "Delete a portal: offline now, purged after the grace period. --restore undoes it."

    def add_arguments(self, parser):
        parser.add_argument("subdomain")
        parser.add_argument("--grace-days", type=int, default=None)
        parser.add_argument("--restore", action="store_true")

    def handle(self, *args, **options):
        try:
            portal = portal_by_subdomain(options["subdomain"])
        except Portal.DoesNotExist as exc:
            raise CommandError(
                f"No portal with subdomain “{options['subdomain']}”.", returncode=2
            ) from exc
        try:
            if options["restore"]:
                portal = portal_restore(portal=portal)
                self.stdout.write(self.style.SUCCESS(f"Restored “{portal.name}”."))
                return
            portal = portal_archive(portal=portal, grace_days=options["grace_days"])
        except ValidationError as exc:
            raise input_error(exc) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"“{portal.name}” is offline and will be purged after {portal.purge_after:%Y-%m-%d %H:%M}."
            )
        )
