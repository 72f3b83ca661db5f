"""The COPIL's permissions on seats, mandates, elections and COPIL meetings (art. 6)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

COPIL_PERMISSIONS = {
    "copilseat": ("view",),
    "mandate": ("view", "add", "change"),
    "election": ("view",),
    "candidacy": ("view",),
    "proxy": ("view",),
    "voterecord": ("view",),
    "copilmeeting": ("view", "add", "change"),
    "copilmeetingattendance": ("view", "add"),
    "copildecision": ("view", "add"),
    "minutesrequest": ("view",),
}


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


class Migration(migrations.Migration):
    dependencies = [
        ("governance", "0004_commissions_permissions_and_schedule"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
