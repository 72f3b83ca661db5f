"""Error e-mails to the COPIL (settings.ADMINS): no POST value, ballot choice or password in
them, one mail per kind of error per interval, none for /healthz (core/errors.py)."""

import logging

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from freezegun import freeze_time

from core import errors
from governance.elections import services
from tests.governance.elections.factories import PASSWORD, at, election_world, member_rep

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.security.urls")]
VOTING = at(2027, 5, 20, 14, 5)
MASK = "'********************'"


@pytest.fixture(autouse=True)
def _error_mails(settings):
    """Errors mailed to the COPIL, and a throttle that has sent nothing yet: it lives in
    the process, so an earlier test's error would otherwise hold back this test's mail."""
    settings.ADMINS = [("COPIL", "copil@cos-ge.example")]
    settings.ERROR_MAIL_INTERVAL_SECONDS = 600
    errors.error_mail_throttle_reset()
    yield
    errors.error_mail_throttle_reset()


@pytest.fixture
def voting():
    """An open election with three candidacies and a voter signed in on a client that
    answers a server error with the 500 page, as in production."""
    with freeze_time(at(2027, 3, 1)):
        commission, _previous, election = election_world(seats_up=2)
        services.election_announce(election=election, actor=commission)
    with freeze_time(at(2027, 3, 2)):
        candidacies = [
            services.candidacy_declare(election=election, user=member_rep().user, statement="P")
            for _ in range(3)
        ]
        voter = member_rep()
    client = Client(raise_request_exception=False)
    with freeze_time(VOTING):
        services.election_voting_open(election=election, actor=commission)
        client.force_login(voter.user)  # a session of the voting day
    return client, election, candidacies, voter


def _ballot_cast_fails(monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("le service de vote est en panne")

    # The view calls services.ballot_cast through the package at request time.
    monkeypatch.setattr(services, "ballot_cast", broken)


def _section(body: str, title: str, following: str) -> str:
    return body.split(f"\n{title}:", 1)[1].split(f"\n\n{following}:", 1)[0]


def test_the_error_mail_of_a_vote_confirmation_holds_no_choice_nor_password(voting, monkeypatch):
    client, election, (a, b, _c), voter = voting
    _ballot_cast_fails(monkeypatch)
    url = reverse("elections:vote", kwargs={"pk": election.pk})
    mail.outbox.clear()  # the announcement of the election

    with freeze_time(VOTING):
        response = client.post(
            url,
            {
                "organisation": voter.organisation.pk,
                "candidates": [a.pk, b.pk],
                "password": PASSWORD,
                "step": "confirm",
            },
        )

    assert response.status_code == 500
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["copil@cos-ge.example"]
    assert message.subject == f"[COS-GE] ERROR (EXTERNAL IP): Internal Server Error: {url}"
    body = message.body
    assert "Exception Value: le service de vote est en panne" in body  # still useful
    # Every POST parameter is named, none of the values is shown.
    assert _section(body, "POST", "FILES") == (
        f"\norganisation = {MASK}\ncandidates = {MASK}\npassword = {MASK}\nstep = {MASK}"
    )
    assert PASSWORD not in body and PASSWORD not in message.subject
    for candidacy in (a, b):
        assert str(candidacy.candidate) not in body
        assert candidacy.candidate.email not in body
    assert voter.organisation.legal_name not in body
    assert client.cookies["sessionid"].value not in body
    assert message.alternatives == []  # no HTML report with the frames' variables


def test_the_reporter_filter_masks_every_post_value_and_every_local_variable(rf):
    reporter_filter = errors.MaskingExceptionReporterFilter()
    request = rf.post("/x/", {"password": PASSWORD, "candidates": ["4", "7"], "note": "rien"})

    def failing(password):
        choice = ["4", "7"]  # noqa: F841 (read from the frame)
        raise RuntimeError("panne")

    try:
        failing(PASSWORD)
    except RuntimeError as error:
        frame = error.__traceback__.tb_next.tb_frame

    assert dict(reporter_filter.get_post_parameters(request)) == {
        "password": [reporter_filter.cleansed_substitute],
        "candidates": [reporter_filter.cleansed_substitute],
        "note": [reporter_filter.cleansed_substitute],
    }
    assert reporter_filter.get_traceback_frame_variables(request, frame) == [
        ("password", reporter_filter.cleansed_substitute),
        ("choice", reporter_filter.cleansed_substitute),
    ]
    assert reporter_filter.get_safe_cookies(rf.get("/", HTTP_COOKIE="langue=fr")) == {
        "langue": reporter_filter.cleansed_substitute
    }
    # The report's settings: a URL's password is masked, the rest of it kept.
    assert (
        reporter_filter.cleanse_setting("CELERY_BROKER_URL", "redis://:s3cret@redis:6379/0")
        == "redis://:********************@redis:6379/0"
    )


def test_twenty_identical_server_errors_send_one_mail_per_interval(voting, monkeypatch):
    client, election, (a, _b, _c), voter = voting
    _ballot_cast_fails(monkeypatch)
    url = reverse("elections:vote", kwargs={"pk": election.pk})
    data = {
        "organisation": voter.organisation.pk,
        "candidates": [a.pk],
        "password": PASSWORD,
        "step": "confirm",
    }
    mail.outbox.clear()

    with freeze_time(VOTING) as clock:
        statuses = [client.post(url, data).status_code for _ in range(20)]
        after_twenty = len(mail.outbox)
        other_kind = Client(raise_request_exception=False).get("/test/panne/")
        after_other_kind = len(mail.outbox)
        clock.tick(599)
        client.post(url, data)
        before_the_interval = len(mail.outbox)
        clock.tick(2)
        client.post(url, data)

    assert statuses == [500] * 20
    assert after_twenty == 1
    assert other_kind.status_code == 500
    assert after_other_kind == 2  # another view, another exception: its own mail
    assert before_the_interval == 2
    assert len(mail.outbox) == 3  # the interval has passed: the vote's error is mailed again
    assert [m.subject.rsplit(": ", 1)[1] for m in mail.outbox] == [url, "/test/panne/", url]


def test_the_throttle_holds_when_the_shared_cache_is_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        }
    }
    client = Client(raise_request_exception=False)

    statuses = [client.get("/test/panne/").status_code for _ in range(20)]

    assert statuses == [500] * 20
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject.endswith("Internal Server Error: /test/panne/")


def test_an_unhealthy_healthz_is_logged_but_never_mailed(client, settings, caplog):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # the broker is unreachable

    with caplog.at_level(logging.ERROR, logger="django.request"):
        responses = [client.get("/healthz") for _ in range(3)]

    assert [r.status_code for r in responses] == [503, 503, 503]
    assert mail.outbox == []
    # The stdout handler sits on the root logger: every 503 still reaches it.
    assert [
        (r.name, r.levelname, r.getMessage()) for r in caplog.records if r.name == "django.request"
    ] == [("django.request", "ERROR", "Service Unavailable: /healthz")] * 3
