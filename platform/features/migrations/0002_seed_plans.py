"""Seeds the two plans from the catalogue. Operators edit them afterwards in the console."""

from django.db import migrations

SEED = [
    {
        "key": "community", "name": "Community", "position": 1,
        "description": "Public network features for initiatives, free of charge.",
        "monthly_price_cents": 0, "yearly_price_cents": 0,
        "max_members": 500, "storage_mb": 1024, "max_spaces": 50,
    },
    {
        "key": "professional", "name": "Professional intranet", "position": 2,
        "description": "Everything in Community plus the social intranet for organisations.",
        "monthly_price_cents": 4900, "yearly_price_cents": 49000,
        "max_members": None, "storage_mb": 20480, "max_spaces": None,
    },
]


def seed(apps, schema_editor):
    from features.catalogue import FEATURES

    Plan = apps.get_model("features", "Plan")
    for row in SEED:
        features = sorted(k for k, f in FEATURES.items() if row["key"] in f.plans)
        Plan.objects.update_or_create(key=row["key"], defaults={**row, "features": features})


class Migration(migrations.Migration):
    dependencies = [("features", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
