"""python manage.py seed_demo — create or complete the local demo (idempotent)."""

from django.core.management.base import BaseCommand

from tenants.demo import demo_logins, seed_demo


class Command(BaseCommand):
    help = "Create the demo operator and portals with members and posts; safe to run repeatedly."

    def handle(self, *args, **options):
        seed_demo()
        self.stdout.write("\n".join(demo_logins()))
