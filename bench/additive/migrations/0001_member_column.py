"""What an ordinary release adds to every portal: a nullable column on a populated table."""

from django.db import migrations

from bench.additive import COLUMN, TABLE


class Migration(migrations.Migration):
    dependencies = [("accounts", "__first__")]

    operations = [
        migrations.RunSQL(
            f"ALTER TABLE {TABLE} ADD COLUMN {COLUMN} varchar(40) NULL",
            reverse_sql=f"ALTER TABLE {TABLE} DROP COLUMN {COLUMN}",
        )
    ]
