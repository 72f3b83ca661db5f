"""Announcement deliveries are claimed with a lease (core/leases.py); every five
minutes, those a killed worker left (its lease expired) are sent."""

from django.db import migrations, models

NAME = "Annonces : reprise des envois interrompus (toutes les 5 minutes)"
TASK = "governance.announcement_deliveries_resume_task"


def schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    interval, _ = IntervalSchedule.objects.get_or_create(every=5, period="minutes")
    PeriodicTask.objects.update_or_create(
        name=NAME, defaults={"task": TASK, "interval": interval, "crontab": None, "enabled": True}
    )


def unschedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("governance", "0008_sealed_ballot_box"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.AddField(
            model_name="announcementdelivery",
            name="claimed_by",
            field=models.CharField(
                blank=True, editable=False, max_length=32, verbose_name="pris par"
            ),
        ),
        migrations.AddField(
            model_name="announcementdelivery",
            name="claimed_until",
            field=models.DateTimeField(
                blank=True, db_index=True, editable=False, null=True, verbose_name="pris jusqu'au"
            ),
        ),
        migrations.RunPython(schedule, unschedule),
    ]
