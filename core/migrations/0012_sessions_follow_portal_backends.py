"""The open sessions follow the portal's authentication backends (core/auth_backends.py),
which replaced Django's and allauth's own: a person signed in before stays signed in."""

from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import migrations

RENAMED = {
    "django.contrib.auth.backends.ModelBackend": "core.auth_backends.PortalModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend": (
        "core.auth_backends.PortalAuthenticationBackend"
    ),
}


def _rename(apps, schema_editor, renamed):
    session_model = apps.get_model("sessions", "Session")
    codec = SessionStore()
    alias = schema_editor.connection.alias
    for session in session_model.objects.using(alias).iterator():
        data = codec.decode(session.session_data)
        backend = data.get(BACKEND_SESSION_KEY)
        if backend in renamed:
            data[BACKEND_SESSION_KEY] = renamed[backend]
            session.session_data = codec.encode(data)
            session.save(using=alias, update_fields=["session_data"])


def follow(apps, schema_editor):
    _rename(apps, schema_editor, RENAMED)


def back(apps, schema_editor):
    _rename(apps, schema_editor, {new: old for old, new in RENAMED.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("cos_portal", "0011_email_opt_out"),
        ("sessions", "0001_initial"),
    ]

    operations = [migrations.RunPython(follow, back)]
