"""X1 and A3: two more parameters of a charter version, filled with V1 R001's values.

* ``latest_end_date`` (X1): the date a version ends at the latest, "au plus tard le
  31 décembre 2030" in V1 R001. The database constraint reads it from the row's own
  parameters instead of a fixed 2030-12-31, so a revised charter may set another date.
* ``attendance_warning_points`` (A3, interpretation): a member below the threshold plus
  these points is warned and reminded (10 in V1 R001, formerly two module constants).

The values are written into every existing version's parameters that lacks them (the
values of V1 R001, which drafts copied); a value already there is kept.

SQLite rebuilds the table to change a constraint, which drops its triggers: the trigger
that freezes a published text (migration 0003, W1) is created again after the rebuild,
in both directions.
"""

import django.db.models.fields.json
import django.db.models.functions.comparison
from django.db import migrations, models

import charters.constants

# V1 R001's values, written here once: a migration does not read the code's defaults,
# which a later version of the code may change.
V1_R001 = {"latest_end_date": "2030-12-31", "attendance_warning_points": 10}


def fill(apps, schema_editor):
    CharterVersion = apps.get_model("charters", "CharterVersion")
    for version in CharterVersion.objects.all():
        missing = {k: v for k, v in V1_R001.items() if k not in (version.parameters or {})}
        if missing:
            CharterVersion.objects.filter(pk=version.pk).update(
                parameters={**(version.parameters or {}), **missing}
            )


# Migration 0003's SQLite trigger, as it was created there.
SQLITE_VERSION_FROZEN = """
    CREATE TRIGGER IF NOT EXISTS charters_version_frozen
    BEFORE UPDATE ON charters_charterversion
    WHEN OLD.published_at IS NOT NULL AND (
        NEW.body IS NOT OLD.body OR NEW.label IS NOT OLD.label
        OR NEW.text_sha256 IS NOT OLD.text_sha256
    )
    BEGIN SELECT RAISE(ABORT, 'a published charter version is frozen'); END;
"""


def recreate_sqlite_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_VERSION_FROZEN, params=None)


def empty(apps, schema_editor):
    CharterVersion = apps.get_model("charters", "CharterVersion")
    for version in CharterVersion.objects.all():
        kept = {k: v for k, v in (version.parameters or {}).items() if k not in V1_R001}
        CharterVersion.objects.filter(pk=version.pk).update(parameters=kept)


class Migration(migrations.Migration):
    dependencies = [
        ("charters", "0005_reminders_moved_to_the_deadline_engine"),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, recreate_sqlite_trigger),
        migrations.RunPython(fill, empty),
        migrations.RemoveConstraint(
            model_name="charterversion",
            name="charter_version_ends_by_2030",
        ),
        migrations.AlterField(
            model_name="charterversion",
            name="end_date",
            field=models.DateField(
                default=charters.constants.default_end_date,
                help_text=(
                    "Au plus tard la date de fin que fixent les paramètres de la version "
                    "(« latest_end_date », article 10)."
                ),
                verbose_name="date de fin",
            ),
        ),
        migrations.AddConstraint(
            model_name="charterversion",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "end_date__lte",
                        django.db.models.functions.comparison.Cast(
                            django.db.models.fields.json.KeyTextTransform(
                                "latest_end_date", "parameters"
                            ),
                            models.DateField(),
                        ),
                    )
                ),
                name="charter_version_ends_by_its_latest_end_date",
            ),
        ),
        migrations.RunPython(recreate_sqlite_trigger, migrations.RunPython.noop),
    ]
