"""Orders gain the e-mail confirmation and their owning browser; BillingChange rows move onto
the audit log (core.AuditEvent), nothing lost."""

from django.db import migrations, models


def forward(apps, schema_editor):
    BillingChange = apps.get_model("billing", "BillingChange")
    AuditEvent = apps.get_model("core", "AuditEvent")
    rows = []
    for change in BillingChange.objects.select_related("portal").order_by("pk").iterator():
        rows.append(
            AuditEvent(
                created_at=change.created_at,
                event_type="billing.changed",
                actor_label=(change.source or "billing")[:80],
                portal_id=change.portal_id,
                portal_name=change.portal.name if change.portal else "",
                object_type="tenants.portal" if change.portal_id else "",
                object_id=str(change.portal_id or ""),
                object_label=change.portal.name if change.portal else "",
                detail={"summary": change.summary, "source": change.source},
            )
        )
    AuditEvent.objects.bulk_create(rows, batch_size=1000)


class Migration(migrations.Migration):

    dependencies = [
        ('billing', '0001_initial'),
        ('features', '0003_featurechange_to_audit_log'),
        ('tenants', '0004_portalevent_to_audit_log'),
        ('core', '0001_audit_event'),
    ]

    operations = [
        migrations.RunPython(forward, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name='billingchange',
            name='portal',
        ),
        migrations.RemoveConstraint(
            model_name='order',
            name='one_open_order_per_subdomain',
        ),
        migrations.AddField(
            model_name='order',
            name='browser',
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name='order',
            name='confirmation_sent_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='order',
            name='confirmed_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name='order',
            name='status',
            field=models.CharField(choices=[('awaiting_confirmation', 'awaiting e-mail confirmation'), ('awaiting_payment', 'awaiting payment'), ('paid', 'paid, portal being set up'), ('completed', 'completed'), ('failed', 'failed'), ('abandoned', 'abandoned')], default='awaiting_confirmation', max_length=24),
        ),
        migrations.AddConstraint(
            model_name='order',
            constraint=models.UniqueConstraint(condition=models.Q(('status__in', ['awaiting_confirmation', 'awaiting_payment', 'paid'])), fields=('subdomain',), name='one_open_order_per_subdomain'),
        ),
        migrations.DeleteModel(
            name='BillingChange',
        ),
    ]
