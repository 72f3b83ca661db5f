"""The COPIL's permissions on the status lifecycle, and its daily jobs (P6, I1, P1)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

COPIL_GRANTS = [
    ("application", ("view", "change")),
    ("applicationopinion", ("view",)),
    ("partnershipagreement", ("view", "add", "change")),
    ("agreementamendment", ("view", "add", "change")),
    ("invitation", ("view", "add", "change")),
    ("exclusionprocedure", ("view", "add", "change")),
    ("proofrequest", ("view", "add", "change")),
    ("proofdocument", ("view",)),
]

TASKS = {
    # Fixed-term partnerships and invitations end on their date (P1, I1).
    "Statuts : fins de partenariat et d'invitation (quotidien)": (
        "members.status_expirations_task",
        "5",
        "0",
    ),
    # Agreements: the COPIL is reminded before the last date to give notice (P6).
    "Conventions : rappel des dates de préavis (quotidien)": (
        "members.agreement_notice_reminders_task",
        "30",
        "9",
    ),
}


def grant_and_schedule(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="COPIL")
    for model, actions in COPIL_GRANTS:
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="members",
                codename__in=[f"{action}_{model}" for action in actions],
            )
        )
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, (task, minute, hour) in TASKS.items():
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
        ("members", "0003_statuses_lifecycle"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(grant_and_schedule, unschedule)]
