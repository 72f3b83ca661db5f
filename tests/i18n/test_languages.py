"""French by default, English on request: the language switch, Accept-Language, the
English catalogue (complete, compiled, placeholders kept).

French is the source language of every msgid; locale/en/LC_MESSAGES/django.po holds the
English translation and django.mo its compiled form, both committed (`make messages`).
"""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import pgettext

from tests.charters.factories import CharterVersionFactory
from tests.members.factories import RepresentativeFactory, member_organisation

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
PO_FILE = LOCALE_DIR / "en" / "LC_MESSAGES" / "django.po"
MO_FILE = LOCALE_DIR / "en" / "LC_MESSAGES" / "django.mo"

SET_LANGUAGE = reverse("set_language")
HOME = reverse("home")
DIRECTORY = reverse("members:directory")
CHARTER = reverse("charters:current")

FR_SIRET = "Ce numéro SIRET n'est pas valide (sa clé de contrôle est fausse)."
EN_SIRET = "This SIRET number is not valid (its check digit is wrong)."
# The main navigation, as an anonymous visitor sees it.
FR_NAV = ["Annuaire", "Charte", "Activités", "Se connecter", "Créer un compte"]
EN_NAV = ["Directory", "Charter", "Activities", "Sign in", "Create an account"]


def nav_labels(html: str) -> list[str]:
    nav = re.search(r'<div class="collapse navbar-collapse" id="nav-main">(.*?)</div>', html, re.S)
    return re.findall(r'class="nav-link[^"]*" href="[^"]*">([^<]+)</a>', nav.group(1))


def html_lang(response) -> str:
    return re.search(r'<html lang="([^"]*)">', response.content.decode()).group(1)


# --- French by default, English on request ------------------------------------------------


@pytest.fixture
def charter(db):
    return CharterVersionFactory(label="V1 R001")


@pytest.mark.django_db
@pytest.mark.parametrize("url", [HOME, DIRECTORY, CHARTER])
def test_pages_are_in_french_by_default(client, charter, url):
    response = client.get(url)

    assert response.status_code == 200
    assert html_lang(response) == "fr"
    assert response["Content-Language"] == "fr"
    assert nav_labels(response.content.decode()) == FR_NAV


@pytest.mark.django_db
@pytest.mark.parametrize("url", [HOME, DIRECTORY, CHARTER])
def test_a_browser_asking_for_english_gets_english(client, charter, url):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")

    assert response.status_code == 200
    assert html_lang(response) == "en"
    assert response["Content-Language"] == "en"
    assert nav_labels(response.content.decode()) == EN_NAV


@pytest.mark.django_db
def test_page_content_is_translated(client, charter):
    home = client.get(HOME, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    directory = client.get(DIRECTORY, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    page = client.get(CHARTER, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert ">Browse the directory</a>" in home
    assert "Parcourir l'annuaire" not in home
    assert "<h1>Directory of members and partners</h1>" in directory
    assert ">Sign the charter</a>" in page
    assert "Version V1 R001, in force since 2 December 2021" in page
    assert "Signer la charte" not in page


@pytest.mark.django_db
def test_the_french_charter_text_is_marked_as_french_on_english_pages(client, charter):
    note = "The charter text exists in French only: it is the only authentic version."

    english = client.get(CHARTER, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    french = client.get(CHARTER).content.decode()

    assert note in english
    assert '<ol class="list-unstyled small" lang="fr">' in english
    assert re.search(r'<div lang="fr">\s*<div class="charter-front', english)
    assert note not in french
    assert "n'existe qu'en français" not in french


@pytest.mark.django_db
def test_a_language_nobody_offers_falls_back_to_french(client):
    response = client.get(HOME, HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9")

    assert html_lang(response) == "fr"


# --- The language switch (base.html, POST to set_language) ----------------------------------


@pytest.mark.django_db
def test_the_switch_is_a_post_form_with_csrf_and_the_current_page(client):
    html = client.get(DIRECTORY + "?q=robot").content.decode()

    posts = dict(re.findall(r'<form method="post" action="([^"]+)"[^>]*>(.*?)</form>', html, re.S))
    form = posts[SET_LANGUAGE]
    assert 'name="csrfmiddlewaretoken"' in form
    assert f'<input type="hidden" name="next" value="{DIRECTORY}?q=robot">' in form
    # Only the other language is offered, named in its own language.
    buttons = re.findall(r'name="language" value="(\w+)" lang="(\w+)">(\w+)</button>', form)
    assert buttons == [("en", "en", "English")]


@pytest.mark.django_db
def test_switching_to_english_then_back_to_french(client, charter):
    response = client.post(SET_LANGUAGE, {"language": "en", "next": DIRECTORY})

    assert response.status_code == 302
    assert response["Location"] == DIRECTORY
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    for url in (HOME, DIRECTORY, CHARTER):
        page = client.get(url)
        assert html_lang(page) == "en"
        assert nav_labels(page.content.decode()) == EN_NAV
    html = client.get(DIRECTORY).content.decode()
    assert re.findall(r'name="language" value="(\w+)" lang="(\w+)">(\w+)</button>', html) == [
        ("fr", "fr", "Français")
    ]

    client.post(SET_LANGUAGE, {"language": "fr", "next": DIRECTORY})

    assert html_lang(client.get(DIRECTORY)) == "fr"


@pytest.mark.django_db
def test_the_chosen_language_wins_over_the_browser(client):
    client.post(SET_LANGUAGE, {"language": "fr", "next": HOME})

    assert html_lang(client.get(HOME, HTTP_ACCEPT_LANGUAGE="en")) == "fr"


@pytest.mark.django_db
def test_the_switch_ignores_an_unknown_language_and_a_foreign_next(client):
    unknown = client.post(SET_LANGUAGE, {"language": "de", "next": DIRECTORY})

    assert unknown["Location"] == DIRECTORY
    assert html_lang(client.get(DIRECTORY, HTTP_ACCEPT_LANGUAGE="de")) == "fr"

    foreign = client.post(SET_LANGUAGE, {"language": "en", "next": "https://evil.example/"})

    assert foreign["Location"] == "/"
    assert html_lang(client.get(DIRECTORY)) == "en"


@pytest.mark.django_db
def test_the_switch_records_the_choice_of_the_signed_in_person(client):
    user = RepresentativeFactory(organisation=member_organisation()).user
    assert user.language == "fr"
    client.force_login(user)

    client.post(SET_LANGUAGE, {"language": "en", "next": HOME})
    user.refresh_from_db()
    assert user.language == "en"

    client.post(SET_LANGUAGE, {"language": "de", "next": HOME})
    user.refresh_from_db()
    assert user.language == "en"

    client.post(SET_LANGUAGE, {"language": "fr", "next": HOME})
    user.refresh_from_db()
    assert user.language == "fr"


@pytest.mark.django_db
def test_an_anonymous_switch_changes_only_the_cookie(client):
    user = RepresentativeFactory(organisation=member_organisation()).user

    response = client.post(SET_LANGUAGE, {"language": "en", "next": HOME})

    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    user.refresh_from_db()
    assert user.language == "fr"


@pytest.mark.django_db
def test_an_email_sent_later_follows_the_language_chosen_in_the_switch(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    import datetime

    from governance.copil import services as copil_services
    from governance.elections import services as election_services
    from governance.models import CopilMeeting
    from tests.governance.elections.factories import member_rep, seat_holder

    copil_member = seat_holder(1, start=datetime.date(2026, 1, 1)).holder
    election_services.copil_roles_sync(now=datetime.datetime(2026, 6, 10, 12, tzinfo=datetime.UTC))
    meeting = CopilMeeting.objects.create(title="COPIL de juin", held_on=datetime.date(2026, 6, 10))
    requester = member_rep().user
    client.force_login(requester)
    client.post(SET_LANGUAGE, {"language": "en", "next": HOME})
    translation.activate("fr")  # the COPIL decides later, from a French page
    request = copil_services.minutes_request_create(
        meeting=meeting, requester=requester, reason="Curiosité"
    )

    with django_capture_on_commit_callbacks(execute=True):
        copil_services.minutes_request_decide(
            request=request, actor=copil_member, grant=False, reason="Données de tiers."
        )

    assert [message.subject for message in mailoutbox] == [
        "[COS-GE] Your request for COPIL minutes"
    ]
    assert mailoutbox[0].body.startswith("The COPIL has refused your request for the minutes")


@pytest.mark.django_db
def test_the_switch_refuses_a_post_without_csrf_token():
    client = Client(enforce_csrf_checks=True)
    response = client.post(SET_LANGUAGE, {"language": "en", "next": HOME})

    assert response.status_code == 403
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


# --- Form errors, Django's and allauth's own strings ----------------------------------------


@pytest.fixture
def representative(db):
    organisation = member_organisation(legal_name="Atelier Lorrain")
    return RepresentativeFactory(organisation=organisation)


def post_invalid_siret(client, representative):
    from tests.members.test_profile import edit_data, edit_url

    organisation = representative.organisation
    client.force_login(representative.user)
    new = {
        "name": "Site de Thionville",
        "siret": "73282932000075",
        "address": "8 rue de la Gare",
        "postcode": "57100",
        "city": "Thionville",
        "is_active": "on",
    }
    return client.post(edit_url(organisation), edit_data(organisation, new=new))


def test_a_form_error_is_shown_in_english(client, representative):
    client.post(SET_LANGUAGE, {"language": "en", "next": HOME})

    response = post_invalid_siret(client, representative)

    assert response.status_code == 200
    html = response.content.decode()
    assert escape(EN_SIRET) in html
    assert escape(FR_SIRET) not in html
    assert "The profile has not been saved: correct the errors shown." in html
    assert representative.organisation.establishments.filter(siret="73282932000075").count() == 0


def test_the_same_form_error_is_in_french_by_default(client, representative):
    response = post_invalid_siret(client, representative)

    html = response.content.decode()
    assert escape(FR_SIRET) in html
    assert escape(EN_SIRET) not in html


def h1(html: str) -> str:
    return " ".join(re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S).group(1).split())


@pytest.mark.django_db
def test_django_and_allauth_strings_follow_the_language(client):
    login = reverse("account_login")
    french = client.post(login, {"login": "", "password": ""}).content.decode()
    english = client.post(login, {"login": "", "password": ""}, HTTP_ACCEPT_LANGUAGE="en")

    assert h1(french) == "Connexion"
    assert "Ce champ est obligatoire." in french
    assert h1(english.content.decode()) == "Sign In"
    assert "This field is required." in english.content.decode()
    assert "Ce champ est obligatoire." not in english.content.decode()


def test_one_french_word_with_two_english_meanings_uses_a_context():
    """« Candidat » is an applicant for membership, or a candidate in a COPIL election."""
    from governance.elections.models import BallotChoice
    from members.constants import Status

    with translation.override("en"):
        assert str(Status.APPLICANT.label) == "Applicant"
        assert pgettext("élection", "Candidat") == "Candidate"
        assert str(BallotChoice._meta.get_field("candidacy").verbose_name) == "candidacy"
    with translation.override("fr"):
        assert str(Status.APPLICANT.label) == "Candidat"
        assert pgettext("élection", "Candidat") == "Candidat"


# --- The English catalogue ---------------------------------------------------------------


def parse_po(path: Path) -> list[dict]:
    """The entries of a .po file: msgctxt, msgid, msgid_plural, msgstr / msgstr[n], flags.

    A small parser (the PO format of GNU gettext), so that the test needs no extra package.
    """
    entries, entry, key = [], None, None
    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line:
            if entry is not None:
                entries.append(entry)
            entry, key = None, None
            continue
        if line.startswith("#~"):
            entry = entry or {"flags": set(), "obsolete": True}
            entry["obsolete"] = True
            continue
        if entry is None:
            entry = {"flags": set(), "obsolete": False}
        if line.startswith("#,"):
            entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[key] += ast.literal_eval(line)
        else:
            key, value = line.split(" ", 1)
            entry[key] = ast.literal_eval(value)
    return entries


@pytest.fixture(scope="module")
def catalogue() -> list[dict]:
    entries = parse_po(PO_FILE)
    header = [entry for entry in entries if entry.get("msgid") == ""]
    assert len(header) == 1, "the catalogue has exactly one header"
    assert "Language: en\n" in header[0]["msgstr"]
    return [entry for entry in entries if entry.get("msgid")]


def translations(entry: dict) -> list[str]:
    if "msgid_plural" in entry:
        return [value for key, value in entry.items() if key.startswith("msgstr[")]
    return [entry["msgstr"]]


def test_the_catalogue_holds_the_portal_strings(catalogue):
    msgids = {entry["msgid"] for entry in catalogue}

    assert len(catalogue) > 1000
    assert {"Annuaire", FR_SIRET, "Signer la charte", "Procuration", "Activités"} <= msgids
    assert not [entry["msgid"] for entry in catalogue if entry["obsolete"]]


def test_every_entry_is_translated_and_none_is_fuzzy(catalogue):
    untranslated = [e["msgid"] for e in catalogue if not all(translations(e))]
    fuzzy = [e["msgid"] for e in catalogue if "fuzzy" in e["flags"]]
    plurals_incomplete = [
        e["msgid"] for e in catalogue if "msgid_plural" in e and len(translations(e)) != 2
    ]

    assert untranslated == []
    assert fuzzy == []
    assert plurals_incomplete == []


PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|%%|\{\w*\}|<[^>]+>")


def test_translations_keep_the_placeholders_and_markup(catalogue):
    broken = []
    for entry in catalogue:
        sources = [entry["msgid"], entry.get("msgid_plural", entry["msgid"])]
        for index, translated in enumerate(translations(entry)):
            source = sources[min(index, 1)]
            if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(translated)):
                broken.append((source, translated))

    assert broken == []


def test_the_compiled_catalogue_matches_the_po_file(catalogue):
    """django.mo is compiled from the current django.po: same msgids, same translations.

    (File dates cannot be trusted after a git clone, so the contents are compared.)
    """
    with MO_FILE.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)

    expected_keys = set()
    mismatches = []
    for entry in catalogue:
        context = entry.get("msgctxt")
        prefix = f"{context}\x04" if context is not None else ""
        if "msgid_plural" in entry:
            forms = translations(entry)
            expected_keys |= {(prefix + entry["msgid"], n) for n in range(len(forms))}
            got = [compiled.ngettext(entry["msgid"], entry["msgid_plural"], n) for n in (1, 2)]
            if context is not None:
                got = [compiled.npgettext(context, entry["msgid"], entry["msgid_plural"], n) for n in (1, 2)]  # fmt: skip
            if got != forms:
                mismatches.append((entry["msgid"], got, forms))
        else:
            expected_keys.add(prefix + entry["msgid"])
            got = (
                compiled.pgettext(context, entry["msgid"])
                if context is not None
                else compiled.gettext(entry["msgid"])
            )
            if got != entry["msgstr"]:
                mismatches.append((entry["msgid"], got, entry["msgstr"]))
    compiled_keys = set(compiled._catalog) - {""}

    assert mismatches == []
    assert compiled_keys == expected_keys
    assert compiled.info()["language"] == "en"


def test_the_locale_path_is_the_project_catalogue():
    assert settings.LOCALE_PATHS == [LOCALE_DIR]
    assert settings.LANGUAGE_CODE == "fr"
    assert [code for code, _name in settings.LANGUAGES] == ["fr", "en"]
    assert "django.middleware.locale.LocaleMiddleware" in settings.MIDDLEWARE
    # French is the source language: its catalogue holds only the French of third-party
    # strings (libraries without a French catalogue), never a portal string.
    assert sorted(path.name for path in LOCALE_DIR.iterdir() if path.is_dir()) == ["en", "fr"]
    french = (LOCALE_DIR / "fr" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    assert "#:" not in french  # not extracted from the portal's sources
