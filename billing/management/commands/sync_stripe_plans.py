"""python manage.py sync_stripe_plans — create Stripe products and prices from our plans."""

from django.core.management.base import BaseCommand, CommandError

from billing.services import stripe_plans_sync
from billing.stripe_api import is_configured


class Command(BaseCommand):
    help = "Create or update Stripe products and plans for every paid plan (idempotent)."

    def handle(self, *args, **options):
        if not is_configured():
            raise CommandError("Set STRIPE_SECRET_KEY first.", returncode=2)
        created = stripe_plans_sync()
        self.stdout.write(
            f"Stripe is in sync; created {len(created)} object(s){': ' + ', '.join(created) if created else ''}."
        )
