"""The Professional plan gets the new module "private_spaces" (private groups and projects)."""

from django.db import migrations


def add(apps, schema_editor):
    Plan = apps.get_model("features", "Plan")
    for plan in Plan.objects.filter(key="professional"):
        if "private_spaces" not in plan.features:
            plan.features = sorted([*plan.features, "private_spaces"])
            plan.save(update_fields=["features"])


def remove(apps, schema_editor):
    Plan = apps.get_model("features", "Plan")
    for plan in Plan.objects.filter(features__contains=["private_spaces"]):
        plan.features = [key for key in plan.features if key != "private_spaces"]
        plan.save(update_fields=["features"])


class Migration(migrations.Migration):
    dependencies = [("features", "0005_alter_featuregrant_feature")]
    operations = [migrations.RunPython(add, remove)]
