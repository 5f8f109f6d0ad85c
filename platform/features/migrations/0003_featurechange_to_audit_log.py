"""FeatureChange rows move onto the audit log (core.AuditEvent), nothing lost. They recorded
the actor as an e-mail address, which stays as the row's actor label; new switches by a
portal's admins are recorded in that portal's own log with the admin as a foreign key."""

from django.db import migrations


def forward(apps, schema_editor):
    from features.catalogue import FEATURES

    FeatureChange = apps.get_model("features", "FeatureChange")
    AuditEvent = apps.get_model("core", "AuditEvent")
    rows = []
    for change in FeatureChange.objects.select_related("portal").order_by("pk").iterator():
        feature = FEATURES.get(change.feature)
        rows.append(
            AuditEvent(
                created_at=change.created_at,
                event_type="feature.switched",
                actor_label=(change.actor or change.source)[:80],
                portal_id=change.portal_id,
                portal_name=change.portal.name,
                object_type="feature",
                object_id=change.feature,
                object_label=str(feature.name) if feature else change.feature,
                detail={
                    "feature": change.feature,
                    "from": change.was_enabled,
                    "to": change.now_enabled,
                    "source": change.source,
                },
            )
        )
    AuditEvent.objects.bulk_create(rows, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("features", "0002_seed_plans"),
        ("core", "0001_audit_event"),
    ]

    operations = [
        migrations.RunPython(forward, migrations.RunPython.noop),
        migrations.DeleteModel(name="FeatureChange"),
    ]
