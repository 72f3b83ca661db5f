import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_healthz_in_embedded_mode_is_healthy(client, settings, tmp_path):
    settings.REDIS_URL = ""
    call_command(
        "create_signing_key", "--key", tmp_path / "key.pem", "--cert", tmp_path / "cert.pem"
    )
    settings.CHARTER_SIGNING_KEY = str(tmp_path / "key.pem")
    settings.CHARTER_SIGNING_CERT = str(tmp_path / "cert.pem")
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "broker": "embedded",
        "celery": "eager",
        "outbox": 0,
        "warnings": {},
    }


@pytest.mark.django_db
def test_healthz_reports_an_unreachable_broker_with_503(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["broker"].startswith("error")
    assert body["celery"] == "error: broker unreachable"
    assert body["outbox"] == 0


@pytest.mark.integration
def test_healthz_with_redis_and_a_worker_is_healthy(client, celery_live_worker):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert isinstance(body.pop("warnings"), dict)  # configuration warnings: another test
    assert body == {
        "status": "ok",
        "database": "ok",
        "broker": "ok",
        "celery": "ok",
        "outbox": 0,
    }
