"""PortalEvent rows move onto the audit log (core.AuditEvent), nothing lost: the acting staff
user stays a foreign key; an actor recorded as text in the detail becomes the system actor."""

from django.db import migrations


def forward(apps, schema_editor):
    PortalEvent = apps.get_model("tenants", "PortalEvent")
    AuditEvent = apps.get_model("core", "AuditEvent")
    rows = []
    for event in PortalEvent.objects.order_by("pk").iterator():
        detail = dict(event.detail or {})
        label = str(detail.pop("actor", "") or "")
        rows.append(
            AuditEvent(
                created_at=event.created_at,
                event_type=f"portal.{event.kind}",
                actor_id=event.actor_id,
                actor_label="" if event.actor_id else (label or "platform")[:80],
                portal_id=event.portal_id,
                portal_name=event.portal_name,
                object_type="tenants.portal",
                object_id=str(event.portal_id or ""),
                object_label=event.portal_name,
                detail=detail,
            )
        )
    AuditEvent.objects.bulk_create(rows, batch_size=1000)


def backward(apps, schema_editor):
    PortalEvent = apps.get_model("tenants", "PortalEvent")
    AuditEvent = apps.get_model("core", "AuditEvent")
    for event in AuditEvent.objects.filter(event_type__startswith="portal.").iterator():
        detail = dict(event.detail or {})
        if event.actor_label and event.actor_label != "platform":
            detail["actor"] = event.actor_label
        PortalEvent.objects.create(
            portal_id=event.portal_id,
            portal_name=event.portal_name,
            kind=event.event_type.split(".", 1)[1],
            actor_id=event.actor_id,
            detail=detail,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("tenants", "0003_domain_verification"),
        ("core", "0001_audit_event"),
    ]

    operations = [
        migrations.RunPython(forward, backward),
        migrations.DeleteModel(name="PortalEvent"),
    ]
