"""The accessibility statement (déclaration d'accessibilité), in the RGAA's form."""

import datetime

from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

# What the statement says was tested and how: keep it true to tests/browser/
# (test_accessibility.py checks the axe-core version shown here against the vendored one).
AXE_CORE_VERSION = "4.14.1"
STATEMENT_DATE = datetime.date(2026, 11, 25)
PUBLIC_PAGES = (
    (_("Accueil"), "home"),
    (_("Annuaire des membres et partenaires (avec et sans filtres)"), "members:directory"),
    (_("La charte en vigueur et ses versions"), "charters:current"),
    (_("Vérification d'une signature de la charte"), "charters:verify"),
    (_("Activités et fiche d'une activité"), "activities:list"),
    (_("Référents de zone et formulaire de contact d'un référent"), "commissions:referents"),
    (_("Connexion, création de compte, mot de passe oublié"), "account_login"),
    (_("Confidentialité et données personnelles"), "privacy:policy"),
    (_("Déclaration d'accessibilité"), "accessibility"),
)
SIGNED_IN_PAGES = (
    _("Mon espace, l'espace de l'entité, ses représentants, sa démission"),
    _("Candidature (avec la signature de la charte), invitation d'un invité"),
    _("Signature de la charte, mes signatures, campagne de signature"),
    _("Pointage des présences, import des présences, comptes rendus, taux de présence"),
    _("Élections du COPIL : candidature, procuration, vote, résultats, dépouillement"),
    _("Commissions, comptes rendus, feuille de route, référents, révision de la charte"),
    _("Mes données : export et effacement du compte"),
)
KEYBOARD_JOURNEYS = (
    _("Signer la charte"),
    _("Pointer les présences à une activité"),
    _("Voter à une élection du COPIL"),
)


@require_GET
def statement(request):
    return render(
        request,
        "accessibility.html",
        {
            "axe_version": AXE_CORE_VERSION,
            "statement_date": STATEMENT_DATE,
            "public_pages": PUBLIC_PAGES,
            "signed_in_pages": SIGNED_IN_PAGES,
            "keyboard_journeys": KEYBOARD_JOURNEYS,
            "copil_email": settings.COPIL_EMAIL,
        },
    )
