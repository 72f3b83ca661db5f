"""Roles as groups with permissions, and the offer categories of the industry of the future."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLE_PERMISSIONS = {
    "COPIL": [
        ("members", "organisation", ("view", "add", "change")),
        ("members", "establishment", ("view", "add", "change", "delete")),
        ("members", "representative", ("view", "add", "change")),
        ("members", "statuschange", ("view", "add")),
        ("members", "offercategory", ("view",)),
        ("members", "user", ("view",)),
        ("cos_portal", "auditentry", ("view",)),
        ("charters", "charterversion", ("view",)),
    ],
    "Organisateurs": [
        ("members", "organisation", ("view",)),
        ("members", "representative", ("view",)),
    ],
    "Commission électorale": [
        ("members", "organisation", ("view",)),
        ("members", "representative", ("view",)),
    ],
    "Équipe": [
        ("members", "organisation", ("view",)),
        ("members", "establishment", ("view",)),
        ("members", "representative", ("view",)),
        ("members", "statuschange", ("view",)),
    ],
}

CATEGORIES = [
    ("robotique", "Robotique et cobotique"),
    ("fabrication-additive", "Fabrication additive"),
    ("iot-capteurs", "Objets connectés et capteurs"),
    ("donnees-ia", "Données, IA et analytique"),
    ("cybersecurite", "Cybersécurité industrielle"),
    ("jumeau-numerique", "Simulation et jumeau numérique"),
    ("mes-erp", "Logiciels industriels (MES, ERP, PLM)"),
    ("realite-augmentee", "Réalité virtuelle et augmentée"),
    ("lean-organisation", "Lean, organisation et RH"),
    ("energie-environnement", "Énergie et environnement"),
    ("automatisme", "Automatisme et machines spéciales"),
    ("conseil-strategie", "Conseil et stratégie"),
]


def create_roles(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, grants in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        for app_label, model, actions in grants:
            codenames = [f"{action}_{model}" for action in actions]
            group.permissions.add(
                *Permission.objects.filter(
                    content_type__app_label=app_label, codename__in=codenames
                )
            )
    OfferCategory = apps.get_model("members", "OfferCategory")
    for slug, name in CATEGORIES:
        OfferCategory.objects.get_or_create(slug=slug, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0001_initial"),
        ("cos_portal", "0002_initial"),
        ("charters", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
