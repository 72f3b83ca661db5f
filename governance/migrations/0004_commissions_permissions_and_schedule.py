"""The COPIL's permissions on commissions, referents and revisions, and the hourly
recount of revision petitions (X2), editable in the admin."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

COPIL_PERMISSIONS = {
    "commission": ("view", "add", "change"),
    "commissionmembership": ("view",),
    "roadmapaction": ("view",),
    "progressreport": ("view",),
    "referent": ("view", "add", "change"),
    "referentcontact": ("view",),
    "referentmessage": ("view",),
    "charterrevision": ("view",),
}
TASK_NAME = "Charte : recompte des demandes de révision (toutes les heures)"


def forward(apps, schema_editor):
    app_config = apps.get_app_config("governance")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="COPIL")
    codenames = [f"{a}_{model}" for model, actions in COPIL_PERMISSIONS.items() for a in actions]
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="governance", codename__in=codenames)
    )
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="5", hour="*", day_of_week="*", day_of_month="*", month_of_year="*",
        timezone="Europe/Paris",
    )  # fmt: skip
    PeriodicTask.objects.update_or_create(
        name=TASK_NAME,
        defaults={
            "task": "governance.revision_petitions_check_task",
            "crontab": crontab,
            "enabled": True,
        },
    )


def backward(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("governance", "0003_elections"),
        ("members", "0002_roles_and_offer_categories"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]
    operations = [migrations.RunPython(forward, backward)]
