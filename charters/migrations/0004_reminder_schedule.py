"""Daily schedule of the charter reminders (X1 expiry, X4 re-signature), editable in the admin."""

from django.db import migrations

TASKS = {
    "Charte : relances de signature (quotidien)": (
        "charters.charter_resignature_reminders_task",
        "0",
        "9",
    ),
    "Charte : rappel d'échéance au COPIL (quotidien)": (
        "charters.charter_expiry_reminders_task",
        "15",
        "9",
    ),
}


def schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, (task, minute, hour) in TASKS.items():
        # Working hours, Paris time: a reminder is read the day it is sent.
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=minute,
            hour=hour,
            day_of_week="*",
            day_of_month="*",
            month_of_year="*",
            timezone="Europe/Paris",
        )
        PeriodicTask.objects.update_or_create(
            name=name, defaults={"task": task, "crontab": crontab, "enabled": True}
        )


def unschedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=list(TASKS)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("charters", "0003_append_only_triggers"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]
    operations = [migrations.RunPython(schedule, unschedule)]
