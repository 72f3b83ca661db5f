"""Journey: a signatory signs the charter in Chromium, downloads the sealed certificate,
and the public verification page confirms it (issue 4, "Done when")."""

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import expect

from charters.models import Signature
from tests.charters.conftest import (  # noqa: F401  (the charters' key and clean-up fixtures)
    _session_signing_key,
    purge_signatures,
    signing_key,  # noqa: F811
)
from tests.charters.factories import PASSWORD, CharterVersionFactory, signatory

pytestmark = pytest.mark.browser


@pytest.mark.rule("M4", "E1")
def test_signatory_signs_downloads_and_verifies(
    page,
    screenshot,
    signing_key,  # noqa: F811
    tmp_path,
    purge_signatures,  # noqa: F811
):
    CharterVersionFactory(label="V1 R001")
    rep = signatory(job_title="Présidente")
    rep.organisation.legal_name = "Atelier Numérique Lorrain"
    rep.organisation.save()
    EmailAddress.objects.create(user=rep.user, email=rep.user.email, verified=True, primary=True)

    page.goto("/charte/")
    page.get_by_role("link", name="3.3 Éthique et confidentialité").click()
    expect(page.locator("#article-3-3")).to_be_in_viewport()
    screenshot(page, "charter-text")

    page.goto("/comptes/login/?next=/charte/signer/")
    page.locator("#id_login").fill(rep.user.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Signer la charte")
    expect(page.get_by_text("3.3 Éthique et confidentialité").first).to_be_visible()
    page.get_by_label("Je soussigné(e)").check()
    page.get_by_label("Mot de passe").fill(PASSWORD)
    screenshot(page, "charter-sign-form")
    page.get_by_role("button", name="Je signe").click()

    signature = Signature.objects.get()
    expect(
        page.get_by_text(f"Votre code de vérification est {signature.verification_code}")
    ).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger le certificat (PDF scellé)").click()
    certificate = tmp_path / "certificat.pdf"
    download_info.value.save_as(certificate)
    assert certificate.read_bytes().startswith(b"%PDF-")

    page.goto("/charte/verifier/")
    page.get_by_label("Ou le certificat PDF").set_input_files(certificate)
    page.get_by_role("button", name="Vérifier").click()
    expect(page.get_by_text("Certificat valide.")).to_be_visible()
    expect(page.get_by_text("Sceau du fichier : intact")).to_be_visible()
    assert page.console_errors == []
    screenshot(page, "charter-signature")

    # One changed byte: the same page now refuses the file.
    tampered = bytearray(certificate.read_bytes())
    tampered[len(tampered) // 3] ^= 0x01
    (tmp_path / "modifie.pdf").write_bytes(bytes(tampered))
    page.get_by_label("Ou le certificat PDF").set_input_files(tmp_path / "modifie.pdf")
    page.get_by_role("button", name="Vérifier").click()
    expect(page.get_by_text("Ce certificat n'est pas valide.")).to_be_visible()
