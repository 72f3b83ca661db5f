"""Referents' pages (art. 9): the public zone referents page and its contact form (R4),
the referent's contact log (R3), resignation (R2) and the COPIL's view (R1, R3)."""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from governance.models import (
    BodyKind,
    HierarchyAgreement,
    Referent,
    ReferentContact,
    ReferentMessage,
)
from governance.referents import services
from tests.governance.commissions.factories import copil_user, member_rep
from tests.members.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def copil(db):
    return copil_user()


EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


def zone_referent(copil, departments=("57",), **rep_kwargs):
    return services.referent_appoint(
        representative=member_rep(**rep_kwargs),
        bodies=[(BodyKind.CCI, "CCI Grand Est")],
        hierarchy_agreement=HierarchyAgreement.NOT_NEEDED,
        available_min_years=True,
        is_zone_referent=True,
        zone_departments=list(departments),
        actor=copil,
    )


@pytest.mark.rule("R4")
def test_r4_public_page_lists_zone_referents_by_department_without_login(client, copil):
    consenting = zone_referent(copil, ("57", "54"), public_consent=True)
    private = zone_referent(copil, ("67",))
    plain = services.referent_appoint(
        representative=member_rep(public_consent=True),
        bodies=[(BodyKind.STATE, "DREETS")],
        hierarchy_agreement=HierarchyAgreement.NOT_NEEDED,
        available_min_years=True,
        actor=copil,
    )

    response = client.get(reverse("commissions:referents"))

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count(reverse("commissions:referent_contact", args=[consenting.pk])) == 2
    assert html.count(reverse("commissions:referent_contact", args=[private.pk])) == 1
    assert (
        reverse("commissions:referent_contact", args=[plain.pk]) not in html
    )  # not a zone referent
    assert consenting.representative.user.get_full_name() in html
    # Personal data only with consent: the name of the non-consenting referent is not shown.
    assert private.representative.user.last_name not in html
    assert private.representative.organisation.legal_name in html
    for department in ("08", "10", "51", "52", "54", "55", "57", "67", "68", "88"):
        assert f"Département {department}" in html


@pytest.mark.rule("R4")
def test_r4_no_email_address_on_the_public_pages(client, copil):
    referent = zone_referent(copil, public_consent=True)
    pages = [
        client.get(reverse("commissions:referents")),
        client.get(reverse("commissions:referent_contact", args=[referent.pk])),
    ]
    for response in pages:
        assert response.status_code == 200
        html = response.content.decode()
        assert referent.representative.user.email not in html
        assert EMAIL_RE.findall(html) == []
        assert "mailto:" not in html


@pytest.mark.rule("R4")
def test_r4_public_page_query_count_is_constant(client, copil, django_assert_max_num_queries):
    for _ in range(3):
        zone_referent(copil, ("57",), public_consent=True)
    with django_assert_max_num_queries(6) as few:
        client.get(reverse("commissions:referents"))
    for _ in range(5):
        zone_referent(copil, ("54", "88"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("commissions:referents"))
    assert response.status_code == 200


def contact_data(client, referent, **overrides):
    page = client.get(reverse("commissions:referent_contact", args=[referent.pk]))
    token = page.context["form"]["token"].value()
    data = {
        "name": "Jeanne Martin",
        "email": "jeanne@usine-exemple.fr",
        "organisation": "Usine Exemple",
        "message": "Bonjour, nous cherchons un intégrateur de cobots en Moselle.",
        "website": "",
        "token": token,
    }
    data.update(overrides)
    return data


@pytest.mark.rule("R4")
def test_r4_contact_form_relays_the_message_by_email(
    client, copil, django_capture_on_commit_callbacks
):
    referent = zone_referent(copil)
    url = reverse("commissions:referent_contact", args=[referent.pk])
    data = contact_data(client, referent)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data, follow=True)
    assert response.redirect_chain[-1][0] == reverse("commissions:referents")
    assert "Votre message a été transmis au référent" in response.content.decode()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [referent.representative.user.email]
    assert mail.outbox[0].reply_to == ["jeanne@usine-exemple.fr"]
    assert "intégrateur de cobots" in mail.outbox[0].body
    assert referent.representative.user.email not in response.content.decode()


@pytest.mark.rule("R4")
def test_r4_one_submission_never_sends_twice(client, copil, django_capture_on_commit_callbacks):
    referent = zone_referent(copil)
    url = reverse("commissions:referent_contact", args=[referent.pk])
    data = contact_data(client, referent)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, data)
        again = client.post(url, data, follow=True)
    assert "n&#x27;a pas été envoyé une seconde fois" in again.content.decode()
    assert len(mail.outbox) == 1
    assert ReferentMessage.objects.count() == 1


@pytest.mark.rule("R4")
@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"message": ""}, "Écrivez votre message."),
        ({"message": "   "}, "Écrivez votre message."),
        ({"name": ""}, "Indiquez votre nom."),
        ({"email": ""}, "Indiquez votre adresse e-mail."),
        ({"email": "pas-une-adresse"}, "Saisissez une adresse e-mail valide."),
        ({"message": "x" * 3001}, "Votre message dépasse 3000 caractères (il en compte 3001)."),
        ({"website": "http://spam.example"}, "ressemble à un envoi automatique"),
    ],
)
def test_r4_contact_form_refuses_empty_oversized_or_spam(client, copil, overrides, message):
    referent = zone_referent(copil)
    url = reverse("commissions:referent_contact", args=[referent.pk])
    data = contact_data(client, referent, **overrides)
    response = client.post(url, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    # What was typed is kept (except the field in error).
    kept = [v for k, v in data.items() if k not in overrides and k in ("name", "organisation")]
    for value in kept:
        assert f'value="{value}"' in html
    if "message" not in overrides:
        assert "intégrateur de cobots" in html
    assert not ReferentMessage.objects.exists()
    assert mail.outbox == []


@pytest.mark.rule("R4")
def test_r4_contact_form_rate_limit(client, copil, django_capture_on_commit_callbacks):
    referent = zone_referent(copil)
    url = reverse("commissions:referent_contact", args=[referent.pk])
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(services.CONTACT_RATE_LIMIT):
            assert client.post(url, contact_data(client, referent)).status_code == 302
        data = contact_data(client, referent, message="Encore un message.")
        response = client.post(url, data)
    assert response.status_code == 429
    html = response.content.decode()
    assert "Trop de messages envoyés depuis votre adresse" in html
    assert "Encore un message." in html
    assert len(mail.outbox) == services.CONTACT_RATE_LIMIT
    assert ReferentMessage.objects.count() == services.CONTACT_RATE_LIMIT


@pytest.mark.rule("R4")
def test_r4_former_or_non_zone_referents_have_no_contact_form(client, copil):
    referent = zone_referent(copil)
    services.referent_end(referent=referent, reason="copil_decision", actor=copil)
    assert (
        client.get(reverse("commissions:referent_contact", args=[referent.pk])).status_code == 404
    )


@pytest.mark.rule("R3")
def test_r3_the_referent_logs_a_contact_and_the_copil_sees_it(client, copil):
    referent = zone_referent(copil)
    client.force_login(referent.representative.user)
    response = client.post(
        reverse("commissions:referent_log"),
        {
            "date": timezone.localdate().isoformat(),
            "body_kind": BodyKind.CLUSTER,
            "body_name": "Pôle Materalia",
            "subject": "Projet commun de démonstrateur",
            "outcome": "À relancer en janvier",
        },
    )
    assert response.status_code == 302
    contact = ReferentContact.objects.get()
    assert contact.body_name == "Pôle Materalia"

    client.force_login(copil)
    page = client.get(reverse("commissions:referents_copil"))
    assert "Projet commun de démonstrateur" in page.content.decode()


@pytest.mark.rule("R3")
def test_r3_a_bad_contact_keeps_what_was_typed(client, copil):
    referent = zone_referent(copil)
    client.force_login(referent.representative.user)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(
        reverse("commissions:referent_log"),
        {"date": tomorrow.isoformat(), "body_kind": BodyKind.CCI, "body_name": "CCI 57",
         "subject": "Salon à venir", "outcome": ""},
    )  # fmt: skip
    assert response.status_code == 400
    html = response.content.decode()
    assert "Un contact se consigne une fois qu&#x27;il a eu lieu." in html
    assert 'value="Salon à venir"' in html
    assert not ReferentContact.objects.exists()


@pytest.mark.rule("R3")
def test_r3_copil_view_query_count_is_constant(client, copil, django_assert_max_num_queries):
    client.force_login(copil)
    referent = zone_referent(copil)
    services.referent_contact_log(
        referent=referent, date=timezone.localdate(), body_kind=BodyKind.CCI, body_name="CCI",
        subject="S", actor=copil,
    )  # fmt: skip
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("commissions:referents_copil"))
    for _ in range(4):
        other = zone_referent(copil)
        services.referent_contact_log(
            referent=other, date=timezone.localdate(), body_kind=BodyKind.CCI, body_name="CCI",
            subject="S", actor=copil,
        )  # fmt: skip
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("commissions:referents_copil"))


@pytest.mark.rule("R2")
def test_r2_the_referent_resigns_from_their_page(client, copil):
    referent = zone_referent(copil)
    client.force_login(referent.representative.user)
    response = client.post(reverse("commissions:referent_resign"))
    assert response.status_code == 302
    referent.refresh_from_db()
    assert referent.end_reason == "resignation"
    assert client.get(reverse("commissions:referent_log")).status_code == 403


@pytest.mark.rule("R1", "R3")
def test_r1_the_contact_log_is_not_for_other_people(client, copil):
    zone_referent(copil)
    client.force_login(UserFactory())
    assert client.get(reverse("commissions:referent_log")).status_code == 403
    assert client.get(reverse("commissions:referents_copil")).status_code == 403
    assert Referent.objects.filter(end_date__isnull=True).count() == 1


@pytest.mark.rule("R4", "S2")
def test_r4_a_referent_whose_organisation_left_is_no_longer_shown(client, copil):
    from tests.governance.commissions.factories import resign

    referent = zone_referent(copil, public_consent=True)
    resign(referent.representative.organisation)
    html = client.get(reverse("commissions:referents")).content.decode()
    assert reverse("commissions:referent_contact", args=[referent.pk]) not in html
    assert (
        client.get(reverse("commissions:referent_contact", args=[referent.pk])).status_code == 404
    )
