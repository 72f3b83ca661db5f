"""The charter pages: public text and history, signing in the browser, certificates,
public verification, the COPIL's campaign."""

import datetime
import html as html_module

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from charters import services
from charters.constants import SignatureCapacity
from charters.models import Signature
from charters.views import CAMPAIGN_PAGE_SIZE
from members.constants import Status
from tests.charters.factories import PASSWORD, CharterVersionFactory, signatory
from tests.charters.test_signatures import sign
from tests.members.factories import RepresentativeFactory, UserFactory, member_organisation

SIGN_URL = reverse("charters:sign")
VERIFY_URL = reverse("charters:verify")


def text(response) -> str:
    return html_module.unescape(response.content.decode())


def post_signature(client, rep, version, **overrides):
    data = {
        "version": version.pk,
        "organisation": rep.organisation.slug,
        "capacity": SignatureCapacity.SIGNATORY,
        "consent": "on",
        "password": PASSWORD,
    }
    data.update(overrides)
    data = {k: v for k, v in data.items() if v is not None}
    return client.post(SIGN_URL, data, HTTP_USER_AGENT="Mozilla/5.0 Test", REMOTE_ADDR="192.0.2.10")


# --- Public pages ---------------------------------------------------------------------------


@pytest.mark.rule("W1")
def test_charter_page_has_a_table_of_contents_and_the_history(client, version):
    older = CharterVersionFactory(
        label="V0 R000",
        effective_date=datetime.date(2020, 1, 1),
        end_date=datetime.date(2021, 12, 1),
        change_note="Version de travail.",
    )
    response = client.get(reverse("charters:current"))
    assert response.status_code == 200
    html = text(response)
    assert '<a href="#article-3-3">3.3 Éthique et confidentialité</a>' in html
    assert '<h3 id="article-3-3">3.3 Éthique et confidentialité</h3>' in html
    assert '<h2 id="article-12">Article 12 – Droit applicable</h2>' in html
    assert (
        '<p id="les-referents-de-zone" class="h6 fw-bold" role="heading" aria-level="4">'
        "Les référents de zone</p>"
    ) in html
    # The document's printed table of contents (with page numbers) is not repeated.
    assert "Commissions\t9" not in html
    assert version.text_sha256 in html
    assert 'href="/charte/versions/v0-r000/"' in html
    assert "Version de travail." in html
    assert older.label in html


@pytest.mark.rule("W1")
def test_past_version_page(client, version):
    older = CharterVersionFactory(
        label="V0 R000",
        body="Article 1 – Objet\n\nTexte ancien.",
        effective_date=datetime.date(2020, 1, 1),
        end_date=datetime.date(2021, 12, 1),
    )
    response = client.get(reverse("charters:version", kwargs={"slug": "v0-r000"}))
    assert response.status_code == 200
    html = text(response)
    assert "Texte ancien." in html
    assert (
        "Cette version n'est pas en vigueur. La version en vigueur est la "
        '<a href="/charte/versions/v1-r001/">V1 R001</a>.'
    ) in html
    assert older.text_sha256 in html
    assert client.get(reverse("charters:version", kwargs={"slug": "v9"})).status_code == 404


def test_draft_versions_are_not_public(client, version):
    CharterVersionFactory(label="V2 brouillon", published_at=None, body="Secret de brouillon")
    assert (
        client.get(reverse("charters:version", kwargs={"slug": "v2-brouillon"})).status_code == 404
    )
    assert "Secret de brouillon" not in text(client.get(reverse("charters:current")))


# --- Signing ---------------------------------------------------------------------------------


def test_signing_page_requires_login(client, version):
    response = client.get(SIGN_URL)
    assert response.status_code == 302
    assert "/comptes/login/" in response["Location"]


@pytest.mark.rule("M4", "E1")
def test_a_signatory_signs_in_the_browser(client, version):
    rep = signatory(job_title="Gérant")
    client.force_login(rep.user)
    page = client.get(SIGN_URL)
    assert page.status_code == 200
    consent = services.consent_sentence(
        version=version, organisation=rep.organisation, signer=rep.user,
        scope="full", capacity=SignatureCapacity.SIGNATORY,
    )  # fmt: skip
    html = text(page)
    assert rep.organisation.legal_name in html
    assert "V1 R001" in html
    assert 'autocomplete="current-password"' in html

    response = post_signature(client, rep, version)
    signature = Signature.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "charters:signature", kwargs={"code": signature.verification_code}
    )
    assert signature.consent_text == consent
    assert signature.ip_address == "192.0.2.10"
    assert signature.user_agent == "Mozilla/5.0 Test"
    assert signature.signer_role == "Gérant"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"consent": None}, "Cochez la phrase de consentement"),
        ({"password": "mauvais-mot-de-passe"}, "Mot de passe incorrect"),
        ({"password": ""}, "Mot de passe incorrect"),
    ],
)
def test_bad_input_gets_a_french_message_and_records_nothing(client, version, overrides, message):
    rep = signatory()
    client.force_login(rep.user)
    response = post_signature(client, rep, version, **overrides)
    assert response.status_code == 400
    assert message in text(response)
    assert Signature.objects.count() == 0


def test_not_a_signatory_gets_a_french_message_and_records_nothing(client, version):
    rep = RepresentativeFactory(organisation=member_organisation(), is_authorised_signatory=False)
    client.force_login(rep.user)
    page = client.get(SIGN_URL)
    assert "Vous n'êtes signataire habilité d'aucune entité." in text(page)
    response = post_signature(client, rep, version)
    assert response.status_code == 400
    assert "signataire habilité" in text(response)
    assert Signature.objects.count() == 0


def test_version_no_longer_in_force_is_refused(client, version):
    old = CharterVersionFactory(
        label="V0", effective_date=datetime.date(2020, 1, 1), end_date=datetime.date(2021, 12, 1)
    )
    rep = signatory()
    client.force_login(rep.user)
    response = post_signature(client, rep, old)
    assert response.status_code == 400
    assert "pas (ou plus) en vigueur" in text(response)
    assert Signature.objects.count() == 0


def test_double_submit_gets_a_french_message_and_records_once(client, version):
    rep = signatory()
    client.force_login(rep.user)
    assert post_signature(client, rep, version).status_code == 302
    response = post_signature(client, rep, version)
    assert response.status_code == 400
    assert "déjà été signée" in text(response)
    assert Signature.objects.count() == 1


def test_password_attempts_are_limited(client, version):
    rep = signatory()
    client.force_login(rep.user)
    for _ in range(5):
        post_signature(client, rep, version, password="faux-mot-de-passe")
    response = post_signature(client, rep, version)  # even the right password now waits
    assert "Trop de tentatives" in text(response)
    assert Signature.objects.count() == 0


def test_a_person_with_several_organisations_chooses(client, version):
    rep = signatory()
    other = signatory(user=rep.user)
    client.force_login(rep.user)
    html = text(client.get(SIGN_URL))
    assert f"?entite={rep.organisation.slug}" in html
    assert f"?entite={other.organisation.slug}" in html
    page = client.get(SIGN_URL, {"entite": other.organisation.slug})
    assert other.organisation.legal_name in text(page)


@pytest.mark.rule("E1")
def test_an_invitee_reads_and_signs_article_3_3(client, version):
    rep = signatory(member_organisation(status=Status.INVITEE))
    client.force_login(rep.user)
    html = text(client.get(SIGN_URL))
    assert "3.3 Éthique et confidentialité" in html
    assert "Article 12 – Droit applicable" not in html
    post_signature(client, rep, version)
    assert Signature.objects.get().scope == "ethics"


@pytest.mark.rule("W2")
def test_head_signs_second_in_the_browser(client, db):
    version = CharterVersionFactory(label="V2", requires_head_signature=True)
    participant = signatory()
    head = signatory(participant.organisation)
    client.force_login(participant.user)
    post_signature(client, participant, version)
    client.force_login(head.user)
    html = text(client.get(SIGN_URL))
    assert "deux signatures" in html
    response = post_signature(client, head, version, capacity=SignatureCapacity.HEAD)
    assert response.status_code == 302
    assert sorted(Signature.objects.values_list("capacity", flat=True)) == ["head", "signatory"]


# --- Certificates and verification ------------------------------------------------------------


def test_signatory_downloads_the_certificate_and_the_verification_page_confirms_it(
    client, version, signing_key
):
    rep = signatory()
    client.force_login(rep.user)
    post_signature(client, rep, version)
    signature = Signature.objects.get()
    response = client.get(
        reverse("charters:certificate", kwargs={"code": signature.verification_code})
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = response.content

    client.logout()  # the verification page is public
    by_code = client.post(VERIFY_URL, {"code": signature.verification_code.lower()})
    assert "Certificat valide." in text(by_code)
    upload = SimpleUploadedFile("certificat.pdf", pdf, content_type="application/pdf")
    by_file = client.post(VERIFY_URL, {"certificate": upload})
    html = text(by_file)
    assert "Certificat valide." in html
    assert signature.organisation_name in html
    assert "Sceau du fichier : intact" in html

    tampered = bytearray(pdf)
    tampered[len(pdf) // 3] ^= 0x01
    upload = SimpleUploadedFile("certificat.pdf", bytes(tampered), content_type="application/pdf")
    html = text(client.post(VERIFY_URL, {"certificate": upload}))
    assert "Ce certificat n'est pas valide." in html
    assert "Certificat valide." not in html


def test_verification_fails_when_the_stored_text_changed(client, version):
    from tests.charters.test_signatures import _without_triggers

    signature = sign(signatory(), version)
    _without_triggers(
        "UPDATE charters_charterversion SET body = body || 'x' WHERE id = %s", [version.pk]
    )
    html = text(client.post(VERIFY_URL, {"code": signature.verification_code}))
    assert "Certificat valide." not in html
    assert "ne correspond plus à l'empreinte signée" in html


def test_verification_rejects_unknown_codes_and_bad_files(client, version, signing_key):
    html = text(client.post(VERIFY_URL, {"code": "COSGE-ZZZZ-ZZZZ-ZZZZ"}))
    assert "Aucune signature enregistrée ne correspond à ce code." in html
    not_pdf = SimpleUploadedFile("certificat.pdf", b"GIF89a...", content_type="application/pdf")
    response = client.post(VERIFY_URL, {"certificate": not_pdf})
    assert response.status_code == 400
    assert "Le fichier n'est pas un PDF." in text(response)
    empty = client.post(VERIFY_URL, {})
    assert empty.status_code == 400
    assert "Saisissez un code de vérification ou joignez un certificat PDF." in text(empty)


def test_oversized_upload_is_refused(client, signing_key):
    big = SimpleUploadedFile(
        "c.pdf", b"%PDF-" + b"0" * (5 * 1024 * 1024), content_type="application/pdf"
    )
    response = client.post(VERIFY_URL, {"certificate": big})
    assert response.status_code == 400
    assert "dépasse 5 Mo" in text(response)


def test_certificate_access_is_limited_to_the_organisation_and_the_copil(
    client, version, signing_key
):
    rep = signatory()
    signature = sign(rep, version)
    url = reverse("charters:certificate", kwargs={"code": signature.verification_code})
    colleague = RepresentativeFactory(organisation=rep.organisation, is_authorised_signatory=False)
    stranger = signatory()
    copil = UserFactory()
    copil.groups.add(Group.objects.get(name="COPIL"))

    client.force_login(stranger.user)
    assert client.get(url).status_code == 403
    for user in (colleague.user, copil):
        client.force_login(user)
        assert client.get(url).status_code == 200
    client.logout()
    assert client.get(url).status_code == 302


# --- Campaign (X4) -----------------------------------------------------------------------


@pytest.mark.rule("X4")
def test_copil_sees_who_signed_and_who_did_not(client, version, django_assert_max_num_queries):
    signed = signatory()
    sign(signed, version)
    pending = [member_organisation() for _ in range(3)]
    member_organisation(status=Status.NONE)  # owes nothing
    copil = UserFactory()
    copil.groups.add(Group.objects.get(name="COPIL"))
    client.force_login(copil)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("charters:campaign"))
    html = text(response)
    assert "1 entité a signé" in html
    assert "3 entités n'ont pas encore signé" in html
    for organisation in pending:
        assert organisation.legal_name in html
    assert str(signed.user) in html  # who can sign, per organisation
    assert "Aucun signataire habilité" in html
    for _ in range(5):
        member_organisation()
    with django_assert_max_num_queries(12):
        client.get(reverse("charters:campaign"))


def test_campaign_is_for_the_copil_only(client, version):
    client.force_login(signatory().user)
    assert client.get(reverse("charters:campaign")).status_code == 403


def test_public_verification_is_rate_limited(client, version):
    from charters.views import MAX_VERIFICATIONS

    for _ in range(MAX_VERIFICATIONS):
        assert client.post(VERIFY_URL, {"code": "COSGE-ZZZZ-ZZZZ-ZZZZ"}).status_code == 200
    response = client.post(VERIFY_URL, {"code": "COSGE-ZZZZ-ZZZZ-ZZZZ"})
    assert response.status_code == 429
    assert "Trop de vérifications" in text(response)


def test_typed_code_must_match_the_uploaded_certificate(client, version, signing_key):
    from charters.certificates import certificate_pdf

    first = sign(signatory(), version)
    second = sign(signatory(), version)
    upload = SimpleUploadedFile("c.pdf", certificate_pdf(first), content_type="application/pdf")
    html = text(client.post(VERIFY_URL, {"code": second.verification_code, "certificate": upload}))
    assert "Le code saisi ne correspond pas au code du fichier." in html
    assert "Certificat valide." not in html


def test_representatives_list_their_organisations_signatures(client, version):
    rep = signatory()
    mine = sign(rep, version)
    other = sign(signatory(), version)
    client.force_login(rep.user)
    html = text(client.get(reverse("charters:my_signatures")))
    assert mine.verification_code in html
    assert other.verification_code not in html
    detail = client.get(reverse("charters:signature", kwargs={"code": mine.verification_code}))
    assert detail.status_code == 200
    assert mine.consent_text in text(detail)


def test_campaign_link_is_shown_to_the_copil_only(client, version):
    campaign_url = reverse("charters:campaign")
    client.force_login(signatory().user)
    assert campaign_url not in text(client.get(reverse("charters:current")))
    copil = UserFactory()
    copil.groups.add(Group.objects.get(name="COPIL"))
    client.force_login(copil)
    assert campaign_url in text(client.get(reverse("charters:current")))


def test_signing_page_says_when_the_commitment_is_complete(client, version):
    rep = signatory()
    sign(rep, version)
    client.force_login(rep.user)
    html = text(client.get(SIGN_URL))
    assert f"{rep.organisation.legal_name} a déjà signé la version V1 R001" in html
    assert 'name="password"' not in html


@pytest.mark.rule("X4")
def test_campaign_pages_its_rows_filters_them_by_state_and_keeps_its_size(client, version):
    """Thousands of entities owe a signature: the page lists 50 of them, counts them all,
    filters those who signed or not, and keeps its size and its queries as they grow."""
    copil = UserFactory()
    copil.groups.add(Group.objects.get(name="COPIL"))
    done = signatory()
    sign(done, version)
    for _ in range(CAMPAIGN_PAGE_SIZE + 5):
        member_organisation()
    client.force_login(copil)
    url = reverse("charters:campaign")
    client.get(url)  # the session, the groups: as on any page

    with CaptureQueriesContext(connection) as before:
        first = client.get(url)
    pending = client.get(url, {"etat": "non-signees", "page": "2"})
    signed_only = client.get(url, {"etat": "signees"})
    for _ in range(20):
        member_organisation()
    with CaptureQueriesContext(connection) as after:
        grown = client.get(url)

    assert len(first.context["rows"]) == CAMPAIGN_PAGE_SIZE
    html = text(first)
    assert "1 entité a signé" in html
    assert f"{CAMPAIGN_PAGE_SIZE + 5} entités n'ont pas encore signé" in html
    assert len(pending.context["rows"]) == 5
    assert not any(row.complete for row in pending.context["rows"])
    assert "?etat=non-signees&amp;page=1" in pending.content.decode()
    assert [row.organisation for row in signed_only.context["rows"]] == [done.organisation]
    assert str(done.user) in text(signed_only)  # its authorised signatory, named
    assert len(after) == len(before)
    assert abs(len(grown.content) - len(first.content)) < 300
