"""The nightly attendance-ratio job (A4) and the roles' permissions on activities."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

TASK_NAME = "Taux de présence sur 12 mois glissants (nuit)"
TASK_PATH = "activities.tasks.attendance_ratios_compute_task"

ROLE_PERMISSIONS = {
    "COPIL": [
        ("activity", ("view", "add", "change", "delete")),
        ("convocation", ("view",)),
        ("participation", ("view", "add", "change")),
        ("attendanceratio", ("view",)),
        ("minutes", ("view", "add", "change")),
    ],
    "Organisateurs": [
        ("activity", ("view", "add", "change")),
        ("convocation", ("view",)),
        ("participation", ("view", "add", "change")),
        ("minutes", ("view", "add", "change")),
    ],
}


def schedule_and_grant(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    # 02:30 Paris time: after the day's activities, before anyone reads the dashboard.
    schedule, _ = CrontabSchedule.objects.get_or_create(
        minute="30",
        hour="2",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="Europe/Paris",
    )
    PeriodicTask.objects.update_or_create(
        name=TASK_NAME,
        defaults={"task": TASK_PATH, "crontab": schedule, "enabled": True},
    )

    app_config = apps.get_app_config("activities")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, grants in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        for model, actions in grants:
            group.permissions.add(
                *Permission.objects.filter(
                    content_type__app_label="activities",
                    codename__in=[f"{action}_{model}" for action in actions],
                )
            )


def unschedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0001_activities"),
        ("members", "0002_roles_and_offer_categories"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(schedule_and_grant, unschedule)]
