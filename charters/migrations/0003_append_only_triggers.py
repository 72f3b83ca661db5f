"""Database-level guarantees of the charter evidence (issue 4).

* Signatures are append-only: any UPDATE or DELETE of a row raises, whatever the
  client (ORM, admin, psql). PostgreSQL does not block TRUNCATE, which needs the
  table owner's privilege and is what test databases use to empty themselves.
* A published charter version keeps its text: changing the body, the label or the
  hash of a published row raises (W1: revising means a new version).

Both PostgreSQL (production, CI) and SQLite (development) get an equivalent trigger.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

POSTGRESQL_FORWARD = [
    """
    CREATE OR REPLACE FUNCTION charters_signature_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'charters_signature is append-only: % refused', TG_OP
            USING ERRCODE = 'integrity_constraint_violation';
    END;
    $$;
    """,
    """
    CREATE TRIGGER charters_signature_append_only
    BEFORE UPDATE OR DELETE ON charters_signature
    FOR EACH ROW EXECUTE FUNCTION charters_signature_append_only();
    """,
    """
    CREATE OR REPLACE FUNCTION charters_version_frozen() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF OLD.published_at IS NOT NULL AND (
            NEW.body IS DISTINCT FROM OLD.body
            OR NEW.label IS DISTINCT FROM OLD.label
            OR NEW.text_sha256 IS DISTINCT FROM OLD.text_sha256
        ) THEN
            RAISE EXCEPTION 'a published charter version is frozen'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
    END;
    $$;
    """,
    """
    CREATE TRIGGER charters_version_frozen
    BEFORE UPDATE ON charters_charterversion
    FOR EACH ROW EXECUTE FUNCTION charters_version_frozen();
    """,
]
POSTGRESQL_BACKWARD = [
    "DROP TRIGGER IF EXISTS charters_signature_append_only ON charters_signature;",
    "DROP FUNCTION IF EXISTS charters_signature_append_only();",
    "DROP TRIGGER IF EXISTS charters_version_frozen ON charters_charterversion;",
    "DROP FUNCTION IF EXISTS charters_version_frozen();",
]

SQLITE_FORWARD = [
    """
    CREATE TRIGGER IF NOT EXISTS charters_signature_no_update
    BEFORE UPDATE ON charters_signature
    BEGIN SELECT RAISE(ABORT, 'charters_signature is append-only: UPDATE refused'); END;
    """,
    """
    CREATE TRIGGER IF NOT EXISTS charters_signature_no_delete
    BEFORE DELETE ON charters_signature
    BEGIN SELECT RAISE(ABORT, 'charters_signature is append-only: DELETE refused'); END;
    """,
    """
    CREATE TRIGGER IF NOT EXISTS charters_version_frozen
    BEFORE UPDATE ON charters_charterversion
    WHEN OLD.published_at IS NOT NULL AND (
        NEW.body IS NOT OLD.body OR NEW.label IS NOT OLD.label
        OR NEW.text_sha256 IS NOT OLD.text_sha256
    )
    BEGIN SELECT RAISE(ABORT, 'a published charter version is frozen'); END;
    """,
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS charters_signature_no_update;",
    "DROP TRIGGER IF EXISTS charters_signature_no_delete;",
    "DROP TRIGGER IF EXISTS charters_version_frozen;",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor, [])
        for statement in statements:
            schema_editor.execute(statement, params=None)

    return run


# Who sees the evidence in the admin: the COPIL reads signatures and reminders.
COPIL_PERMISSIONS = [
    ("charters", "signature", ("view",)),
    ("charters", "resignaturereminder", ("view",)),
    ("charters", "expiryreminder", ("view",)),
]


def grant_copil(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    group, _ = Group.objects.get_or_create(name="COPIL")
    for app_label, model, actions in COPIL_PERMISSIONS:
        for action in actions:
            permission = Permission.objects.filter(
                content_type__app_label=app_label, codename=f"{action}_{model}"
            ).first()
            if permission:
                group.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("charters", "0002_signatures"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRESQL_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": POSTGRESQL_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
        migrations.RunPython(grant_copil, migrations.RunPython.noop),
    ]
