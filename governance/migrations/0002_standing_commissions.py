"""Charter art. 8 (K3): the three standing commissions exist from the start."""

import datetime

from django.db import migrations

# The charter came into force on 2 December 2021 (art. 10).
CHARTER_START = datetime.date(2021, 12, 2)

STANDING = [
    (
        "elections",
        "elections",
        "Commission des élections",
        "Organiser les élections du COPIL et veiller à leur bon déroulement (article 8).",
        False,
    ),
    (
        "roadmap",
        "feuille-de-route",
        "Commission feuille de route",
        "Élaborer la feuille de route définissant les actions de la COS-GE (article 8).",
        True,
    ),
    (
        "communication",
        "communication-et-marketing",
        "Commission communication et marketing",
        "Conduire les opérations de communication et de marketing de la COS-GE (article 8).",
        False,
    ),
]


def create_standing(apps, schema_editor):
    Commission = apps.get_model("governance", "Commission")
    for role, slug, name, purpose, keeps_roadmap in STANDING:
        if Commission.objects.filter(standing_role=role).exists():
            continue
        Commission.objects.create(
            standing_role=role,
            slug=slug,
            name=name,
            purpose=purpose,
            start_date=CHARTER_START,
            keeps_roadmap=keeps_roadmap,
        )


def remove_standing(apps, schema_editor):
    Commission = apps.get_model("governance", "Commission")
    Commission.objects.filter(standing_role__in=[role for role, *_ in STANDING]).delete()


class Migration(migrations.Migration):
    dependencies = [("governance", "0001_commissions")]
    operations = [migrations.RunPython(create_standing, remove_standing)]
