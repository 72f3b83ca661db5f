"""Correcting the status history (S1) by hand: "Corriger l'historique", a separate admin
form of the COPIL (G2) behind MFA, with a written justification and an audit entry. A
correction is a new record, never an edit; it cannot break the ban of an excluded
organisation (I4), skip the exclusion procedure (L4), or make a member (M3 to M6)."""

import datetime

import pytest
from django.urls import resolve, reverse
from django.utils import timezone
from django.utils.http import urlencode

from core.dates import add_months
from core.decisions import is_decision
from core.models import AuditEntry
from members import selectors
from members.constants import Status, StatusReason
from members.models import StatusChange

from .factories import (
    EstablishmentFactory,
    OrganisationFactory,
    StatusChangeFactory,
)

pytestmark = pytest.mark.django_db

JUSTIFICATION = "L'ancien registre portait une date erronée : adhésion votée le 01/03/2023."


def correct_url(organisation):
    return reverse("admin:members_organisation_history_correction", args=[organisation.pk])


def page_text(response) -> str:
    return response.content.decode().replace("&#x27;", "'").replace("&quot;", '"')


def moment(days_ago: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days_ago)


def organisation_with(*steps, name="Forge Mosellane"):
    """An organisation with the history ``steps``: (status, reason, days ago)."""
    organisation = OrganisationFactory(legal_name=name)
    EstablishmentFactory(organisation=organisation, postcode="57000")
    records = [
        StatusChangeFactory(
            organisation=organisation,
            status=status,
            reason=reason,
            effective_at=moment(days_ago),
            explanation="Manquement à l'article 3.3." if reason == StatusReason.EXCLUDED else "",
        )
        for status, reason, days_ago in steps
    ]
    return organisation, records


def correction(change, **overrides):
    data = {
        "apply": "1",
        "change": change.pk,
        "status": change.status,
        "effective_on": timezone.localdate(change.effective_at).isoformat(),
        "justification": JUSTIFICATION,
        "notice_reference": "",
    }
    data.update(overrides)
    return data


def history():
    return list(StatusChange.objects.order_by("pk").values_list("pk", flat=True))


# --- The form: COPIL only, behind MFA, justified, audited ---------------------------------


@pytest.mark.rule("S1", "G2")
def test_the_correction_is_a_decision_behind_mfa(client, copil, settings):
    organisation, [record] = organisation_with((Status.MEMBER, StatusReason.IMPORTED, 10))
    url = correct_url(organisation)
    settings.MFA_REQUIRED_FOR_STAFF = True
    client.force_login(copil)

    page = client.get(url)
    post = client.post(url, correction(record, effective_on="2023-03-01"))

    assert is_decision(resolve(url))
    assert page.status_code == post.status_code == 302
    activate = reverse("mfa_activate_totp")
    # The page comes back after the activation; a POST without a referring page has none.
    assert page["Location"] == f"{activate}?{urlencode({'next': url})}"
    assert post["Location"] == activate
    assert history() == [record.pk]


@pytest.mark.rule("S1", "G2")
def test_only_the_copil_corrects_the_history(client, staff_not_copil):
    organisation, [record] = organisation_with((Status.MEMBER, StatusReason.IMPORTED, 10))
    client.force_login(staff_not_copil)

    page = client.get(correct_url(organisation))
    post = client.post(correct_url(organisation), correction(record, effective_on="2023-03-01"))

    assert page.status_code == post.status_code == 403
    assert history() == [record.pk]


@pytest.mark.rule("S1")
def test_the_organisation_page_links_to_the_correction(client, copil):
    organisation, _records = organisation_with((Status.MEMBER, StatusReason.IMPORTED, 10))
    client.force_login(copil)

    page = client.get(reverse("admin:members_organisation_change", args=[organisation.pk]))

    assert correct_url(organisation) in page_text(page)
    assert "Corriger l'historique" in page_text(page)


@pytest.mark.rule("S1", "G2")
def test_a_wrong_date_is_corrected_by_a_new_record_with_its_justification(client, copil):
    organisation, [imported] = organisation_with((Status.MEMBER, StatusReason.IMPORTED, 10))
    client.force_login(copil)

    page = client.get(correct_url(organisation))
    response = client.post(
        correct_url(organisation),
        correction(imported, effective_on="2023-03-01", notice_reference="PV du 01/03/2023"),
    )

    assert page.status_code == 200
    assert "Forge Mosellane" in page_text(page)
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "admin:members_organisation_change", args=[organisation.pk]
    )
    imported.refresh_from_db()  # history is never overwritten: the record stays
    corrected = organisation.status_changes.exclude(pk=imported.pk).get()
    assert (
        corrected.status,
        corrected.reason,
        timezone.localtime(corrected.effective_at).date(),
        corrected.decided_by,
        corrected.explanation,
        corrected.notice_reference,
    ) == (
        Status.MEMBER,
        StatusReason.CORRECTED,
        datetime.date(2023, 3, 1),
        copil,
        JUSTIFICATION,
        "PV du 01/03/2023",
    )
    on_2024 = timezone.make_aware(datetime.datetime(2024, 1, 1))
    assert selectors.organisation_status(organisation=organisation, at=on_2024) == Status.MEMBER
    entry = AuditEntry.objects.get(action="members.status.corrected")
    assert (entry.actor, entry.object_id) == (copil, str(organisation.pk))
    assert entry.data["justification"] == JUSTIFICATION
    assert entry.data["corrected"] == {
        "record": imported.pk,
        "status": Status.MEMBER,
        "effective_on": timezone.localdate(imported.effective_at).isoformat(),
    }
    assert entry.data["correction"] == {"status": Status.MEMBER, "effective_on": "2023-03-01"}
    assert entry.data["records"] == [corrected.pk]


@pytest.mark.rule("S1")
def test_a_status_recorded_by_mistake_is_replaced_from_its_date(client, copil):
    organisation, [imported] = organisation_with((Status.MEMBER, StatusReason.IMPORTED, 10))
    client.force_login(copil)

    response = client.post(
        correct_url(organisation),
        correction(imported, status=Status.INVITEE,
                   justification="Invitée dans l'ancien registre, pas membre."),
    )  # fmt: skip

    assert response.status_code == 302
    assert selectors.organisation_status(organisation=organisation) == Status.INVITEE
    assert selectors.organisation_status(organisation=organisation, at=moment(9)) == (
        Status.INVITEE
    )
    latest = organisation.status_changes.latest()
    assert (latest.reason, latest.effective_at) == (StatusReason.CORRECTED, imported.effective_at)
    assert organisation.status_changes.count() == 2


@pytest.mark.rule("S1", "L2")
def test_a_resignation_recorded_too_early_is_moved_to_its_date(client, copil):
    organisation, [_member, resigned] = organisation_with(
        (Status.MEMBER, StatusReason.APPROVED, 700),
        (Status.NONE, StatusReason.RESIGNED, 10),
    )
    real_date = timezone.localdate(moment(4))
    client.force_login(copil)

    response = client.post(
        correct_url(organisation),
        correction(resigned, effective_on=real_date.isoformat(),
                   justification="Démission reçue le jour indiqué, saisie trop tôt."),
    )  # fmt: skip

    assert response.status_code == 302
    assert selectors.organisation_status(organisation=organisation, at=moment(7)) == (Status.MEMBER)
    assert selectors.organisation_status(organisation=organisation) == Status.NONE
    assert [
        (c.status, c.reason) for c in organisation.status_changes.order_by("effective_at", "id")
    ] == [
        (Status.MEMBER, StatusReason.APPROVED),
        (Status.NONE, StatusReason.RESIGNED),
        (Status.MEMBER, StatusReason.CORRECTED),
        (Status.NONE, StatusReason.CORRECTED),
    ]


@pytest.mark.rule("S1")
@pytest.mark.parametrize("justification", ["", "   "])
def test_a_correction_needs_a_written_justification(client, copil, justification):
    organisation, [record] = organisation_with((Status.MEMBER, StatusReason.IMPORTED, 10))
    client.force_login(copil)

    response = client.post(
        correct_url(organisation),
        correction(record, effective_on="2023-03-01", justification=justification),
    )

    assert response.status_code == 200
    assert "Indiquez pourquoi l'historique doit être corrigé." in page_text(response)
    assert history() == [record.pk]
    assert not AuditEntry.objects.filter(action="members.status.corrected").exists()


@pytest.mark.rule("S1")
def test_a_correction_is_not_dated_in_the_future(client, copil):
    organisation, [record] = organisation_with((Status.INVITEE, StatusReason.INVITED, 10))
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    client.force_login(copil)

    response = client.post(
        correct_url(organisation), correction(record, effective_on=tomorrow.isoformat())
    )

    assert "Une correction porte sur le passé" in page_text(response)
    assert history() == [record.pk]


# --- What a correction cannot do (I4, L4, M3 to M6) ---------------------------------------


@pytest.mark.rule("I4")
def test_a_correction_cannot_invite_an_organisation_inside_the_ban(client, copil):
    """Longwy Solutions Numériques was excluded 300 days ago; "Longwy Solutions Numeriques
    SARL", rejected 50 days ago, is the same organisation: it cannot have been invited."""
    organisation_with(
        (Status.MEMBER, StatusReason.APPROVED, 1000),
        (Status.NONE, StatusReason.EXCLUDED, 300),
        name="Longwy Solutions Numériques",
    )
    renamed, [_applied, rejected] = organisation_with(
        (Status.APPLICANT, StatusReason.APPLICATION, 200),
        (Status.NONE, StatusReason.REJECTED, 50),
        name="Longwy Solutions Numeriques SARL",
    )
    before = history()
    client.force_login(copil)

    response = client.post(
        correct_url(renamed),
        correction(rejected, status=Status.INVITEE,
                   justification="Invitée après le refus, jamais saisi."),
    )  # fmt: skip

    excluded_on = timezone.localdate(moment(300))
    assert (
        f"Longwy Solutions Numériques a été exclue de la COS-GE le {excluded_on:%d/%m/%Y} : "
        f"l'article 5 de la charte interdit de l'inviter pendant 24 mois après son exclusion, "
        f"soit avant le {add_months(excluded_on, 24):%d/%m/%Y}."
    ) in page_text(response)
    assert history() == before


@pytest.mark.rule("L4", "I4")
@pytest.mark.parametrize(
    "overrides",
    [
        {"status": Status.INVITEE},
        {"status": Status.MEMBER},
        {"effective_on": "2020-01-01"},
    ],
)
def test_an_exclusion_is_not_corrected(client, copil, overrides):
    organisation, [_member, exclusion] = organisation_with(
        (Status.MEMBER, StatusReason.APPROVED, 1000),
        (Status.NONE, StatusReason.EXCLUDED, 300),
    )
    before = history()
    client.force_login(copil)

    response = client.post(correct_url(organisation), correction(exclusion, **overrides))

    assert (
        "Une exclusion prononcée au terme de la procédure de l'article 3.4 ne se corrige pas"
    ) in page_text(response)
    assert history() == before
    assert selectors.organisation_status(organisation=organisation) == Status.NONE


@pytest.mark.rule("L4", "L2")
@pytest.mark.parametrize("status", [Status.NONE, Status.INVITEE])
def test_a_correction_does_not_end_an_approved_membership(client, copil, status):
    organisation, [approved] = organisation_with((Status.MEMBER, StatusReason.APPROVED, 300))
    before = history()
    client.force_login(copil)

    response = client.post(
        correct_url(organisation),
        correction(approved, status=status, justification="Membre par erreur."),
    )

    assert (
        "Une adhésion validée sur candidature ne s'annule pas : elle prend fin par la "
        "démission, donnée en ligne, ou au terme de la procédure d'exclusion (article 3.4)."
    ) in page_text(response)
    assert history() == before
    assert selectors.organisation_status(organisation=organisation) == Status.MEMBER


@pytest.mark.rule("M3", "M4", "M6")
@pytest.mark.parametrize(
    "steps",
    [
        [(Status.INVITEE, StatusReason.INVITED, 100)],
        [(Status.APPLICANT, StatusReason.APPLICATION, 100)],
        [(Status.MEMBER, StatusReason.APPROVED, 700), (Status.NONE, StatusReason.RESIGNED, 100)],
    ],
)
def test_a_correction_makes_no_member(client, copil, steps):
    organisation, records = organisation_with(*steps)
    before = history()
    client.force_login(copil)

    response = client.post(
        correct_url(organisation),
        correction(records[-1], status=Status.MEMBER, justification="Membre depuis longtemps."),
    )

    assert (
        "Une correction ne fait pas d'une entité un membre : l'adhésion passe par une "
        "candidature déposée en ligne avec la signature de la charte, puis validée par le "
        "COPIL (article 3.1)."
    ) in page_text(response)
    assert history() == before


@pytest.mark.rule("S1", "S2", "L5")
def test_a_correction_of_the_present_status_is_followed_like_a_decision(client, copil, monkeypatch):
    """What follows a change of membership (convocations, COPIL mandates, petitions:
    members/hooks.py) follows a correction that changes the status of today, and only it."""
    from members import hooks

    seen = []
    monkeypatch.setattr(hooks, "_HANDLERS", [*hooks._HANDLERS, seen.append])
    organisation, [imported] = organisation_with((Status.MEMBER, StatusReason.IMPORTED, 10))
    client.force_login(copil)

    redated = client.post(
        correct_url(organisation), correction(imported, effective_on="2023-03-01")
    )
    assert redated.status_code == 302
    assert seen == []  # member before and after: nothing follows

    other, [mistaken] = organisation_with(
        (Status.MEMBER, StatusReason.IMPORTED, 10), name="Membre par erreur"
    )
    replaced = client.post(
        correct_url(other),
        correction(mistaken, status=Status.INVITEE, justification="Invitée, pas membre."),
    )

    assert replaced.status_code == 302
    [change] = seen
    assert (change.previous_status, change.status, change.left_membership) == (
        Status.MEMBER,
        Status.INVITEE,
        True,
    )
    assert change.change.reason == StatusReason.CORRECTED
