"""python manage.py create_portal --name … --subdomain … --admin-email … [--plan …]"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand

from features.catalogue import COMMUNITY
from tenants.management.commands._output import input_error
from tenants.selectors import portal_base_url
from tenants.services import portal_provision
from themes.presets import PRESETS


class Command(BaseCommand):
    help = "Create a portal with its own schema, domain, theme and an invited first admin."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True)
        parser.add_argument("--subdomain", required=True)
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--admin-name", default="")
        parser.add_argument(
            "--plan", default=COMMUNITY, help="plan key, e.g. community or professional"
        )
        parser.add_argument("--language", default="de", choices=["de", "en"])
        parser.add_argument("--theme", default=None, choices=sorted(PRESETS))

    def handle(self, *args, **options):
        try:
            result = portal_provision(
                name=options["name"],
                subdomain=options["subdomain"],
                admin_email=options["admin_email"],
                admin_name=options["admin_name"],
                plan=options["plan"],
                language=options["language"],
                theme_preset=options["theme"],
                actor_label="create_portal",
            )
        except ValidationError as exc:
            raise input_error(exc) from exc
        portal = result.portal
        self.stdout.write(
            self.style.SUCCESS(f"Portal “{portal.name}” is ready at {portal_base_url(portal)}")
        )
        self.stdout.write(f"Provisioned in {result.seconds:.2f} s (schema {portal.schema_name}).")
        self.stdout.write(f"An invitation to set a password is queued for {result.admin_email}.")
