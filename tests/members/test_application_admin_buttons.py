"""The decision buttons of an application's admin page (art. 3.1, M1, M5, M6, G2): the
same services as the admin actions, with the conditions and their state beside them."""

import datetime
import html

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from members import selectors, services
from members.constants import ApplicationState, Status
from members.models import StatusChange
from tests.activities.factories import ActivityFactory, attend

from .factories import UserFactory
from .test_applications import submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending(version):
    applicant = UserFactory(email="candidate@usinage.fr")
    return submit(applicant, now=timezone.now() - datetime.timedelta(days=20))


def change_url(application):
    return reverse("admin:members_application_change", args=[application.pk])


def decide_url(application):
    return reverse("admin:members_application_decide", args=[application.pk])


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def page_text(client, application) -> str:
    return html.unescape(client.get(change_url(application)).content.decode())


@pytest.mark.rule("M5", "M6")
def test_the_page_shows_the_buttons_and_why_approval_is_blocked(client, copil, pending):
    client.force_login(copil)

    text = page_text(client, pending)

    assert 'name="decision" value="verify_aif"' in text
    assert 'name="decision" value="approve"' in text
    assert 'name="decision" value="reject"' in text
    assert "La validation est bloquée tant que ces conditions" in text
    assert "✘ Référence AIF vérifiée</strong> — référence « AIF-1234 » pas encore vérifiée" in text
    assert (
        "✘ Activités suivies en tant qu'invité</strong> — 0 activité(s) suivie(s), 1 au moins"
        in (text)
    )


@pytest.mark.rule("M6", "G2")
def test_a_blocked_approval_says_why_in_french_and_saves_nothing(client, copil, pending):
    services.application_aif_verify(application=pending, actor=copil)
    changes = StatusChange.objects.count()
    client.force_login(copil)

    response = client.post(
        decide_url(pending), {"decision": "approve", "reason": "Dossier examiné en séance."}
    )

    assert response.status_code == 302
    assert response["Location"] == change_url(pending)
    assert messages_of(response) == [
        "Validation impossible : Activités suivies en tant qu'invité "
        "(0 activité(s) suivie(s), 1 au moins)."
    ]
    pending.refresh_from_db()
    assert (pending.state, pending.decided_by) == (ApplicationState.SUBMITTED, None)
    assert StatusChange.objects.count() == changes
    assert selectors.organisation_status(organisation=pending.organisation) == Status.APPLICANT
    # The page comes back with the reason typed, the AIF button gone, the block explained.
    text = page_text(client, pending)
    assert "Dossier examiné en séance.</textarea>" in text
    assert 'value="verify_aif"' not in text
    assert "✘ Activités suivies en tant qu'invité" in text


@pytest.mark.rule("M1", "M5", "G2")
def test_the_copil_verifies_then_approves_with_the_buttons(
    client, copil, pending, django_capture_on_commit_callbacks
):
    activity = ActivityFactory(title="Atelier jumeau numérique")
    attend(activity, pending.organisation.representatives.get())
    client.force_login(copil)

    verified = client.post(decide_url(pending), {"decision": "verify_aif", "reason": ""})
    pending.refresh_from_db()
    assert messages_of(verified) == ["Référence AIF vérifiée."]
    assert pending.aif_verified_by == copil
    assert "Toutes les conditions de l'article 3.1 sont remplies" in page_text(client, pending)

    with django_capture_on_commit_callbacks(execute=True):
        approved = client.post(decide_url(pending), {"decision": "approve", "reason": "Complet."})

    assert messages_of(approved) == ["Candidature validée : l'entité est membre."]
    pending.refresh_from_db()
    assert (pending.state, pending.decided_by, pending.decision_reason) == (
        ApplicationState.APPROVED,
        copil,
        "Complet.",
    )
    assert selectors.organisation_status(organisation=pending.organisation) == Status.MEMBER
    # Decided: no button is left.
    assert 'name="decision"' not in page_text(client, pending)


@pytest.mark.rule("M5")
def test_the_copil_rejects_with_the_button(client, copil, pending):
    client.force_login(copil)

    response = client.post(decide_url(pending), {"decision": "reject", "reason": "Hors périmètre."})

    assert messages_of(response) == ["Candidature refusée : le candidat est prévenu."]
    pending.refresh_from_db()
    assert (pending.state, pending.decision_reason) == (
        ApplicationState.REJECTED,
        "Hors périmètre.",
    )


@pytest.mark.rule("G2")
def test_staff_outside_the_copil_sees_no_button_and_cannot_decide(client, staff_not_copil, pending):
    client.force_login(staff_not_copil)

    assert 'name="decision"' not in page_text(client, pending)
    response = client.post(decide_url(pending), {"decision": "reject", "reason": "Non."})

    assert response.status_code == 403
    pending.refresh_from_db()
    assert (pending.state, pending.decided_by) == (ApplicationState.SUBMITTED, None)


def test_an_unknown_decision_or_a_get_changes_nothing(client, copil, pending):
    client.force_login(copil)

    unknown = client.post(decide_url(pending), {"decision": "exclure", "reason": "x"})
    opened = client.get(decide_url(pending))

    assert messages_of(unknown) == ["Choisissez une des décisions proposées."]
    assert opened.status_code == 404
    pending.refresh_from_db()
    assert (pending.state, pending.aif_verified_at) == (ApplicationState.SUBMITTED, None)
