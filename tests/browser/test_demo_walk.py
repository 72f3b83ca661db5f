"""The charter walked by clicking, from a fresh ``seed_demo`` (issue 18, "Done when").

Each role signs in from the home page and reaches what it does through the links the
portal shows: a member signs the charter and downloads a certificate that ``pyhanko``
validates against the seal certificate; the organiser creates an activity and checks
people in; the election commission prepares an election (and its plenary), announces
it, a member stands, another gives a proxy, the commission validates it, and on the
plenary day (a frozen clock) the vote is opened, cast, closed, tallied and published;
the COPIL approves the application that meets every condition and reads why the other
is blocked. Every step leaves a screenshot under artifacts/screenshots/demo-walk-*.png.
"""

import datetime
import io
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from freezegun import freeze_time
from playwright.sync_api import expect

from charters.models import Signature
from governance.elections.services import first_allowed_date, in_blackout
from governance.models import Election, ElectionStatus, Proxy
from members.constants import ApplicationState
from members.demo import DEMO_PASSWORD
from members.models import Application
from tests.browser.conftest import DESKTOP, TIMEOUT_MS
from tests.charters.conftest import (  # noqa: F401  (the charters' key and clean-up fixtures)
    _session_signing_key,
    purge_signatures,
    signing_key,
)

pytestmark = pytest.mark.browser

PYHANKO = Path(sys.executable).with_name("pyhanko")
MEMBER = "membre@demo.cos-ge.fr"
ORGANISER = "organisateur@demo.cos-ge.fr"
COPIL = "copil@demo.cos-ge.fr"  # Thomas Schaeffer: COPIL and election commission
CANDIDATE = "chloe.kieffer@sarre-lor-mes-solutions.example"
PROXY_GIVER = "nicolas.henry@mulhouse-industrie-connectee.example"


class Walk:
    """One browser context per person, the steps' screenshots numbered in order."""

    def __init__(self, browser, live_server, folder: Path):
        self.browser, self.live_server, self.folder = browser, live_server, folder
        self.contexts = []
        self.step = 0

    def sign_in(self, email: str):
        context = self.browser.new_context(base_url=self.live_server.url, locale="fr-FR", **DESKTOP)
        context.set_default_timeout(TIMEOUT_MS)
        self.contexts.append(context)
        page = context.new_page()
        page.goto("/")
        page.get_by_role("link", name="Se connecter").click()
        page.locator("#id_login").fill(email)
        page.locator("#id_password").fill(DEMO_PASSWORD)
        page.get_by_role("main").get_by_role("button", name="Connexion").click()
        expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()
        return page

    def shot(self, page, name: str) -> None:
        self.step += 1
        self.folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=self.folder / f"demo-walk-{self.step:02d}-{name}.png", full_page=True)

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def walk(browser, live_server, transactional_db, django_db_serialized_rollback, purge_signatures):  # noqa: F811
    from tests.browser.conftest import SCREENSHOTS

    call_command("seed_demo", stdout=io.StringIO())
    walking = Walk(browser, live_server, SCREENSHOTS)
    yield walking
    walking.close()
    # The demo's applications hold their signatures (PROTECT): let purge_signatures go on.
    Application.objects.all().delete()


def test_the_demo_community_walked_by_clicking(walk, signing_key, tmp_path):  # noqa: F811
    # 1. The member signs the charter and downloads the sealed certificate.
    member = walk.sign_in(MEMBER)
    member.get_by_role("navigation").get_by_role("link", name="Charte", exact=True).click()
    member.get_by_role("link", name="Signer la charte").click()
    expect(member.get_by_role("heading", level=1)).to_have_text("Signer la charte")
    member.get_by_label("Je soussigné(e)").check()
    member.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    walk.shot(member, "member-signs")
    member.get_by_role("button", name="Je signe").click()
    signature = Signature.objects.get(signer_email=MEMBER)
    expect(
        member.get_by_text(f"Votre code de vérification est {signature.verification_code}")
    ).to_be_visible()
    with member.expect_download() as download:
        member.get_by_role("link", name="Télécharger le certificat (PDF scellé)").click()
    certificate = tmp_path / "certificat.pdf"
    download.value.save_as(certificate)
    walk.shot(member, "member-certificate")
    _key, seal_certificate = signing_key
    checked = subprocess.run(  # noqa: S603 - the venv's pyhanko on the test's own files
        [str(PYHANKO), "sign", "validate", "--pretty-print", "--trust", str(seal_certificate),
         "--trust-replace", str(certificate)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "The signer's certificate is trusted." in checked.stdout
    assert "The signature is cryptographically sound." in checked.stdout

    # 2. The organiser creates a workshop this afternoon and checks a member in.
    organiser = walk.sign_in(ORGANISER)
    organiser.get_by_role("button", name="Créer").click()
    organiser.get_by_role("link", name="Une activité").click()
    expect(organiser.get_by_role("heading", level=1)).to_have_text("Nouvelle activité")
    start = timezone.localtime() + datetime.timedelta(hours=1)
    organiser.get_by_label("Type d'activité").select_option(label="Atelier")
    organiser.get_by_label("Intitulé").fill("Atelier jumeau numérique de la démonstration")
    organiser.get_by_label("Début").fill(start.strftime("%Y-%m-%dT%H:%M"))
    organiser.get_by_label("Fin").fill(
        (start + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    )
    organiser.get_by_label("Lieu").fill("2 rue de la Forge")
    organiser.get_by_label("Code postal").fill("57000")
    organiser.get_by_label("Ville").fill("Metz")
    walk.shot(organiser, "organiser-creates-activity")
    organiser.get_by_role("button", name="Créer l'activité").click()
    expect(organiser.get_by_role("heading", level=1)).to_have_text(
        "Atelier jumeau numérique de la démonstration"
    )
    organiser.get_by_role("link", name="Pointer les présences").click()
    expect(organiser.get_by_role("heading", level=1)).to_have_text("Pointage des présences")
    organiser.get_by_label("Rechercher une personne ou une entité").fill("Lefèvre")
    row = organiser.locator(".roster-row", has_text="Camille Lefèvre")
    row.get_by_role("button", name="Présent").click()
    expect(
        organiser.locator(".roster-row", has_text="Camille Lefèvre").get_by_role(
            "button", name="Présent"
        )
    ).to_have_attribute("aria-pressed", "true")
    expect(organiser.locator("#checkin-pending")).to_have_text("0 action en attente d'envoi.")
    walk.shot(organiser, "organiser-checks-in")

    # 3. The election commission prepares an election: first its plenary, after the one
    # of the election already announced, where candidacies will close (V9, V10, V11).
    announced = Election.objects.get(status=ElectionStatus.ANNOUNCED)
    today = timezone.localdate()
    day = max(
        first_allowed_date(announced_on=today),
        announced.election_date + datetime.timedelta(days=14),
    )
    while in_blackout(day):
        day += datetime.timedelta(days=1)
    commission = walk.sign_in(COPIL)
    commission.get_by_role("link", name="Élections", exact=True).click()
    commission.get_by_role("link", name="Préparer une élection").click()
    walk.shot(commission, "commission-prerequisites")
    commission.get_by_role("link", name="Créer l'activité plénière ordinaire").click()
    commission.get_by_label("Intitulé").fill("Assemblée plénière : élection de la démonstration")
    commission.get_by_label("Début").fill(f"{day.isoformat()}T14:00")
    commission.get_by_label("Fin").fill(f"{day.isoformat()}T17:00")
    commission.get_by_label("Lieu").fill("Technopôle, 4 rue Marconi")
    commission.get_by_label("Code postal").fill("57070")
    commission.get_by_label("Ville").fill("Metz")
    commission.get_by_role("button", name="Créer l'activité").click()
    expect(commission.get_by_role("heading", level=1)).to_have_text(
        "Assemblée plénière : élection de la démonstration"
    )
    commission.get_by_role("link", name="Élections", exact=True).click()
    commission.get_by_role("link", name="Préparer une élection").click()
    plenary = commission.get_by_label("Réunion plénière ordinaire de l'élection")
    option = plenary.locator("option", has_text="élection de la démonstration")
    plenary.select_option(value=option.get_attribute("value"))
    commission.get_by_label("Intitulé").fill("Élection de la démonstration")
    walk.shot(commission, "commission-creates-election")
    commission.get_by_role("button", name="Créer l'élection").click()
    expect(commission.get_by_role("heading", level=1)).to_have_text("Élection de la démonstration")
    commission.get_by_role("button", name="Publier l'annonce").click()
    expect(commission.get_by_text("Élection annoncée")).to_be_visible()
    walk.shot(commission, "commission-announces")
    election = Election.objects.get(title="Élection de la démonstration")
    assert election.status == ElectionStatus.ANNOUNCED

    # 4. A member stands; another member's signatory gives a proxy; the commission validates.
    member.get_by_role("link", name="Élections", exact=True).click()
    member.get_by_role("link", name="Élection de la démonstration").click()
    member.get_by_role("link", name="Se porter candidat").click()
    member.get_by_label("Profession de foi").fill(
        "Je porterai la voix des intégrateurs de vision industrielle au COPIL."
    )
    member.get_by_role("button", name="Déposer ma candidature").click()
    expect(member.get_by_text("Votre candidature est enregistrée.")).to_be_visible()
    walk.shot(member, "member-stands")

    giver = walk.sign_in(PROXY_GIVER)
    giver.get_by_role("link", name="Élections", exact=True).click()
    giver.get_by_role("link", name="Élection de la démonstration").click()
    giver.get_by_role("link", name="Donner procuration").click()
    # The holder is searched by name (never listed whole), then confirmed with the password.
    giver.get_by_label("Entité membre qui votera pour elle").fill("Vision Robotique")
    giver.locator("#id_consent").check()
    giver.get_by_role("button", name="Je signe la procuration").click()
    expect(giver.get_by_label("Moselle Vision Robotique")).to_be_checked()
    giver.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    walk.shot(giver, "member-gives-proxy")
    giver.get_by_role("button", name="Je signe la procuration").click()
    proxy = Proxy.objects.get(election=election)
    commission.reload()
    commission.locator(f"#approve-{proxy.pk}").check()
    commission.get_by_role("button", name="Enregistrer").click()
    proxy.refresh_from_db()
    assert proxy.status == "validated"
    walk.shot(commission, "commission-validates-proxy")

    # 5. The plenary day, on a frozen clock: the commission opens the vote, the member votes
    # for her organisation and for the one whose proxy she holds, the commission closes,
    # tallies and publishes (V5, V6, V7, V12).
    opening = timezone.make_aware(datetime.datetime.combine(day, datetime.time(14, 30)))
    with freeze_time(opening, tick=True, ignore=["playwright", "greenlet", "asyncio"]):
        commission = walk.sign_in(COPIL)
        commission.get_by_role("link", name="Élections", exact=True).click()
        commission.get_by_role("link", name="Élection de la démonstration").click()
        commission.get_by_role("button", name="Ouvrir le vote").click()
        expect(commission.get_by_text("Le vote est ouvert.")).to_be_visible()
        walk.shot(commission, "commission-opens-the-vote")

        voter = walk.sign_in(MEMBER)
        voter.get_by_role("link", name="Élections", exact=True).click()
        voter.get_by_role("link", name="Élection de la démonstration").click()
        voter.get_by_role("link", name="Voter", exact=True).click()
        for organisation in (
            "Moselle Vision Robotique",
            "Mulhouse Industrie Connectée (procuration)",
        ):
            expect(voter.get_by_role("heading", level=1)).to_have_text("Voter")
            voter.get_by_label(organisation, exact=True).check()
            voter.get_by_label("Camille Lefèvre").check()
            voter.get_by_role("button", name="Vérifier mon bulletin").click()
            expect(voter.get_by_role("heading", level=1)).to_have_text("Confirmer mon bulletin")
            voter.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
            walk.shot(voter, f"member-votes-{organisation.split()[0].lower()}")
            voter.get_by_role("button", name="Déposer mon bulletin").click()
            expect(voter.get_by_role("heading", level=1)).to_have_text("Bulletin déposé")
            if organisation.startswith("Moselle"):
                voter.get_by_role("link", name="Voter pour une autre entité (procuration)").click()

        commission.reload()
        expect(commission.get_by_text("2 entités ont voté.")).to_be_visible()
        commission.once("dialog", lambda dialog: dialog.accept())
        commission.get_by_role("button", name="Clore le vote").click()
        expect(commission.get_by_text("Le vote est clos.")).to_be_visible()
        commission.get_by_role("button", name="Dépouiller").click()
        expect(commission.get_by_text("Dépouillement effectué.")).to_be_visible()
        commission.get_by_role("button", name="Publier les résultats").click()
        expect(commission.get_by_text("Résultats publiés ; les élus siègent.")).to_be_visible()
        commission.get_by_role("link", name="Résultats", exact=True).click()
        elected = commission.locator("tr", has_text="Camille Lefèvre")
        expect(elected).to_contain_text("Élu")
        walk.shot(commission, "results-published")
    election.refresh_from_db()
    assert election.status == ElectionStatus.PUBLISHED

    # 6. The COPIL, from its cockpit, approves the application that meets every condition
    # of art. 3.1, then, from the administration's index, reads why the other is blocked.
    copil = walk.sign_in(COPIL)
    copil.get_by_role("link", name="Pilotage du COPIL").click()
    walk.shot(copil, "copil-cockpit")
    copil.get_by_role("link", name="Argonne Automatismes").click()
    expect(
        copil.get_by_text("Toutes les conditions de l'article 3.1 sont remplies")
    ).to_be_visible()
    copil.get_by_role("button", name="Valider la candidature").click()
    expect(copil.get_by_text("Candidature validée : l'entité est membre.")).to_be_visible()
    walk.shot(copil, "copil-approves")
    approved = Application.objects.get(organisation__legal_name="Argonne Automatismes")
    assert approved.state == ApplicationState.APPROVED
    copil.get_by_role("link", name="Voir le site").click()
    copil.get_by_role("link", name="Administration du COPIL").click()
    copil.get_by_role("link", name="Marne Supervision Industrielle").click()
    expect(copil.get_by_text("La validation est bloquée")).to_be_visible()
    expect(copil.locator(".application-blocking")).to_contain_text("✘")
    walk.shot(copil, "copil-sees-the-blocked-application")
    blocked = Application.objects.get(organisation__legal_name="Marne Supervision Industrielle")
    assert blocked.state == ApplicationState.SUBMITTED
