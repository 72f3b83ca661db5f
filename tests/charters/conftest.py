import importlib

import pytest
from django.db import connection

from tests.charters.factories import CharterVersionFactory

TRIGGERS = importlib.import_module("charters.migrations.0003_append_only_triggers")


@pytest.fixture
def version(db):
    return CharterVersionFactory(label="V1 R001")


@pytest.fixture
def purge_signatures():
    """Transactional tests end with a flush; signatures are append-only (database
    triggers), so lift the guard just long enough to empty the table, then restore it."""
    yield
    vendor = connection.vendor
    drop = {"sqlite": TRIGGERS.SQLITE_BACKWARD, "postgresql": TRIGGERS.POSTGRESQL_BACKWARD}
    create = {"sqlite": TRIGGERS.SQLITE_FORWARD, "postgresql": TRIGGERS.POSTGRESQL_FORWARD}
    with connection.cursor() as cursor:
        for statement in drop.get(vendor, []):
            cursor.execute(statement)
        cursor.execute("DELETE FROM charters_signature")
        for statement in create.get(vendor, []):
            cursor.execute(statement)


@pytest.fixture(scope="session")
def _session_signing_key(tmp_path_factory):
    from charters.certificates import create_signing_key

    folder = tmp_path_factory.mktemp("signing")
    key, cert = folder / "key.pem", folder / "cert.pem"
    create_signing_key(key_path=key, cert_path=cert)
    return key, cert


@pytest.fixture
def signing_key(_session_signing_key, settings):
    """A temporary portal key and certificate (created once per test session)."""
    settings.CHARTER_SIGNING_KEY, settings.CHARTER_SIGNING_CERT = map(str, _session_signing_key)
    return _session_signing_key


@pytest.fixture(scope="session")
def local_pki(tmp_path_factory):
    """A root CA, an intermediate CA, OCSP, CRLs and a time-stamping authority served over
    HTTP on 127.0.0.1 for the whole session (certomancer, tests/charters/pki/)."""
    from tests.charters.pki import start

    pki = start(tmp_path_factory.mktemp("pki"))
    yield pki
    pki.stop()


@pytest.fixture
def ca_seal(local_pki, settings):
    """The portal seals with a certificate issued by the local CA, time-stamped by its TSA."""
    settings.CHARTER_SIGNING_KEY = str(local_pki.seal_key)
    settings.CHARTER_SIGNING_CERT = str(local_pki.seal_cert)
    settings.CHARTER_SIGNING_CHAIN = str(local_pki.chain)
    settings.CHARTER_TSA_URL = local_pki.tsa_url
    return local_pki
