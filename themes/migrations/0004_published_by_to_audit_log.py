"""Who published a theme version moves onto the portal's audit log: the e-mail address that
was stored becomes a foreign key to that member where the account still exists, else the
row's actor label."""

from django.db import migrations


def forward(apps, schema_editor):
    ThemeVersion = apps.get_model("themes", "ThemeVersion")
    AuditEvent = apps.get_model("core", "AuditEvent")
    User = apps.get_model("accounts", "User")
    users = {u.email.lower(): u.pk for u in User.objects.only("pk", "email")}
    rows = []
    for version in ThemeVersion.objects.order_by("number").iterator():
        who = (version.published_by or "").strip()
        user_id = users.get(who.lower())
        rows.append(
            AuditEvent(
                created_at=version.published_at,
                event_type="theme.published",
                actor_id=user_id,
                actor_label="" if user_id else (who or "platform")[:80],
                object_type="themes.themeversion",
                object_id=str(version.pk),
                object_label=f"Version {version.number}",
                detail={"number": version.number, "preset": version.data.get("preset", "")},
            )
        )
    AuditEvent.objects.bulk_create(rows, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("themes", "0003_theme_assets"),
        ("core", "0001_audit_event"),
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(forward, migrations.RunPython.noop),
        migrations.RemoveField(model_name="themeversion", name="published_by"),
    ]
