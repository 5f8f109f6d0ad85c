"""python manage.py purge_portals — what the nightly beat job does, on demand."""

from django.core.management.base import BaseCommand

from tenants.services import purge_due_portals


class Command(BaseCommand):
    help = "Purge archived portals whose grace period is over (schema, domains, media)."

    def handle(self, *args, **options):
        purged = purge_due_portals()
        self.stdout.write(
            f"Purged {len(purged)} portal(s){': ' + ', '.join(purged) if purged else ''}."
        )
