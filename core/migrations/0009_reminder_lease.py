"""Reminders are claimed with a lease (core/leases.py) instead of being tagged with
the run that inserted them: a worker killed mid-batch leaves them to the next run."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cos_portal", "0008_cache_table"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="reminder", name="cos_portal__run_a4457f_idx"),
        migrations.RemoveField(model_name="reminder", name="run"),
        migrations.AddField(
            model_name="reminder",
            name="claimed_by",
            field=models.CharField(
                blank=True, editable=False, max_length=32, verbose_name="pris par"
            ),
        ),
        migrations.AddField(
            model_name="reminder",
            name="claimed_until",
            field=models.DateTimeField(
                blank=True, db_index=True, editable=False, null=True, verbose_name="pris jusqu'au"
            ),
        ),
    ]
