"""python manage.py migrate_portals [--parallel N] [--skip-public]"""

import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from tenants.services.fleet import fleet_schemas, migrate_fleet


class Command(BaseCommand):
    help = "Apply migrations to the public schema, the portal template and every portal schema."

    def add_arguments(self, parser):
        parser.add_argument("--parallel", type=int, default=2, help="worker processes (default 2)")
        parser.add_argument("--skip-public", action="store_true")

    def handle(self, *args, **options):
        if options["parallel"] < 1:
            raise CommandError("--parallel must be at least 1.", returncode=2)
        if not options["skip_public"]:
            call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
            self.stdout.write("public: up to date")
        schemas = fleet_schemas()
        total = len(schemas)
        done = 0
        tty = sys.stdout.isatty()

        def progress(result):
            nonlocal done
            done += 1
            bar = "#" * (20 * done // max(total, 1))
            line = f"[{bar:<20}] {done}/{total} {result.schema}: {result.status}"
            if result.applied:
                line += f" ({len(result.applied)} migration(s))"
            if tty:
                self.stdout.write("\r\033[K" + line, ending="" if done < total else "\n")
            else:
                self.stdout.write(line)
            if result.failed:
                self.stderr.write(("\n" if tty else "") + f"{result.schema} failed: {result.error}")

        results = migrate_fleet(schemas, parallel=options["parallel"], on_result=progress)
        failed = [r.schema for r in results if r.failed]
        migrated = sum(1 for r in results if r.status == "migrated")
        self.stdout.write(
            f"{total} schema(s): {migrated} migrated, {total - migrated - len(failed)} up to date, "
            f"{len(failed)} failed."
        )
        if failed:
            raise CommandError(f"Migration failed for: {', '.join(sorted(failed))}", returncode=1)
