"""Markers of mails sent by worker tasks, so a redelivered task does not send twice."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("themes", "0004_published_by_to_audit_log")]

    operations = [
        migrations.CreateModel(
            name="SentMail",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("key", models.CharField(max_length=64, unique=True)),
                ("sent_at", models.DateTimeField(auto_now_add=True, db_index=True)),
            ],
        ),
    ]
