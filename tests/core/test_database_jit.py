"""The portal's PostgreSQL connections run without just-in-time compilation: it cost more
than it saved on the portal's queries (a subquery per organisation over thousands)."""

import pytest
from django.conf import settings
from django.db import connection

from cos_portal.settings.base import without_jit


def test_postgresql_settings_turn_jit_off_once_and_keep_other_options():
    database = {
        "ENGINE": "django.db.backends.postgresql",
        "OPTIONS": {"options": "-c statement_timeout=5000", "sslmode": "prefer"},
    }

    without_jit(without_jit(database))

    assert database["OPTIONS"] == {
        "options": "-c statement_timeout=5000 -c jit=off",
        "sslmode": "prefer",
    }
    assert without_jit({"ENGINE": "django.db.backends.postgresql"})["OPTIONS"] == {
        "options": "-c jit=off"
    }


def test_other_databases_are_left_as_they_are():
    sqlite = {"ENGINE": "django.db.backends.sqlite3", "NAME": "db.sqlite3"}

    assert without_jit(dict(sqlite)) == sqlite


@pytest.mark.django_db
def test_the_portal_connection_says_jit_is_off():
    if connection.vendor != "postgresql":
        assert "OPTIONS" not in settings.DATABASES["default"] or (
            "options" not in settings.DATABASES["default"]["OPTIONS"]
        )
        return
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
