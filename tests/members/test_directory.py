"""The public directory and the organisation pages (S2), with their logos."""

import io
import re

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from core.public_cache import public_pages_changed
from members.constants import OrganisationKind, Status, StatusReason
from members.models import OfferCategory
from members.services import organisation_status_change

from .factories import (
    EstablishmentFactory,
    OrganisationFactory,
    RepresentativeFactory,
    StatusChangeFactory,
    UserFactory,
    member_organisation,
)

pytestmark = pytest.mark.django_db

DIRECTORY = reverse("members:directory")
CARD = '<article class="card org-card">'


def listed_names(response) -> list[str]:
    html = response.content.decode()
    return re.findall(r'<h2 class="h5"><a href="[^"]+">([^<]+)</a></h2>', html)


def png_bytes(size=(8, 8)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (11, 61, 107)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def private_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path},
        },
    }
    return tmp_path


def organisation_with_status(status, **kwargs):
    organisation = OrganisationFactory(**kwargs)
    EstablishmentFactory(organisation=organisation)
    StatusChangeFactory(organisation=organisation, status=status)
    return organisation


# --- S2: who is listed -------------------------------------------------------------


@pytest.mark.rule("S2")
def test_directory_lists_current_members_and_partners_only(client):
    member_organisation(legal_name="Alpha Robotique")
    member_organisation(legal_name="Bêta Conseil", status=Status.PARTNER)
    organisation_with_status(Status.APPLICANT, legal_name="Candidat SA")
    organisation_with_status(Status.INVITEE, legal_name="Invité SARL")
    organisation_with_status(Status.NONE, legal_name="Ancien membre")
    OrganisationFactory(legal_name="Sans statut")

    response = client.get(DIRECTORY)

    assert response.status_code == 200
    assert listed_names(response) == ["Alpha Robotique", "Bêta Conseil"]
    assert "2 entités trouvées" in response.content.decode()


@pytest.mark.rule("S2", "L2", "L5")
def test_an_organisation_that_resigns_leaves_the_directory_the_same_day(client):
    organisation = member_organisation(legal_name="Démission SAS")
    page = reverse("members:organisation", kwargs={"slug": organisation.slug})
    assert listed_names(client.get(DIRECTORY)) == ["Démission SAS"]
    assert client.get(page).status_code == 200

    organisation_status_change(
        organisation=organisation, status=Status.NONE, reason=StatusReason.RESIGNED
    )

    assert listed_names(client.get(DIRECTORY)) == []
    assert client.get(page).status_code == 404


@pytest.mark.rule("S2", "L3", "L5")
def test_an_excluded_organisation_leaves_the_directory_at_once(client):
    organisation = member_organisation(legal_name="Exclue SA")
    kept = member_organisation(legal_name="Restée SA")

    organisation_status_change(
        organisation=organisation,
        status=Status.NONE,
        reason=StatusReason.EXCLUDED,
        actor=UserFactory(),
        explanation="Atteinte à l'image de la COS-GE.",  # L3: a stated ground
    )

    assert listed_names(client.get(DIRECTORY)) == [kept.legal_name]
    assert client.get(organisation.get_absolute_url()).status_code == 404


@pytest.mark.rule("S2")
def test_a_partnership_that_ends_leaves_the_directory(client):
    organisation = member_organisation(legal_name="Partenaire SA", status=Status.PARTNER)

    organisation_status_change(
        organisation=organisation, status=Status.NONE, reason=StatusReason.PARTNERSHIP_ENDED
    )

    assert listed_names(client.get(DIRECTORY)) == []


# --- The cards, the form and the search ---------------------------------------------


def test_each_card_shows_status_kind_places_categories_and_links_to_the_page(client):
    organisation = member_organisation(legal_name="Gamma Industrie", postcode="67000")
    EstablishmentFactory(organisation=organisation, postcode="54000", city="Nancy")
    EstablishmentFactory(organisation=organisation, postcode="51100", city="Reims", is_active=False)
    organisation.offer_categories.add(OfferCategory.objects.get(slug="robotique"))
    partner = member_organisation(
        legal_name="Delta Asso", status=Status.PARTNER, kind=OrganisationKind.ASSOCIATION
    )

    html = client.get(DIRECTORY).content.decode()

    assert html.count(CARD) == 2
    url = reverse("members:organisation", kwargs={"slug": organisation.slug})
    assert f'<h2 class="h5"><a href="{url}">Gamma Industrie</a></h2>' in html
    delta = html[html.index("Delta Asso") : html.index("Gamma Industrie")]
    gamma = html[html.index("Gamma Industrie") :]
    assert '<span class="badge text-bg-primary">Membre</span>' in gamma
    assert "Entreprise" in gamma
    assert "Nancy (54), Metz (67)" in gamma
    assert "Reims" not in html
    assert "Robotique et cobotique" in gamma
    assert '<span class="badge text-bg-success">Partenaire</span>' in delta
    assert "Association" in delta
    assert partner.get_absolute_url() in html


def test_filter_form_keeps_the_contract_of_the_browser_journey(client):
    html = client.get(DIRECTORY).content.decode()

    form = html[
        html.index('<form id="filtres"') : html.index("</form>", html.index('id="filtres"'))
    ]
    assert 'method="get"' in form
    for name in ("q", "department", "status", "category"):
        assert f'name="{name}"' in form
        assert re.search(rf'<label\s+for="id_{name}"', form)
    assert '<button type="submit" class="btn btn-primary">Rechercher</button>' in form
    assert '<option value="57">57 — Moselle</option>' in form
    assert '<option value="08">08 — Ardennes</option>' in form
    assert form.count("<option value=") == 3 + 10 + 2 + OfferCategory.objects.count()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("robot", ["Alpha"]),  # legal name, case-insensitive
        ("SOUDURE", ["Bêta"]),  # description
        ("cybersécurité", ["Gamma"]),  # offer category name
        ("strasbourg", ["Alpha", "Gamma"]),  # city of an active establishment
        ("reims", []),  # city of an inactive establishment only
        ("alpha strasbourg", ["Alpha"]),  # every word must match
        ("", ["Alpha", "Bêta", "Gamma"]),
    ],
)
def test_search_matches_name_description_category_and_city(client, query, expected):
    alpha = member_organisation(legal_name="Alpha Robotique", postcode="67000")
    alpha.establishments.update(city="Strasbourg")
    member_organisation(legal_name="Bêta", description="Soudure laser et découpe.")
    gamma = member_organisation(legal_name="Gamma", postcode="67100")
    gamma.establishments.update(city="Strasbourg")
    gamma.offer_categories.add(OfferCategory.objects.get(slug="cybersecurite"))
    EstablishmentFactory(organisation=gamma, postcode="51100", city="Reims", is_active=False)

    response = client.get(DIRECTORY, {"q": query})

    assert [name.split()[0] for name in listed_names(response)] == expected


def test_search_never_repeats_an_organisation(client):
    organisation = member_organisation(legal_name="Multi Sites", postcode="57000")
    for postcode in ("57050", "57070", "57100"):
        EstablishmentFactory(organisation=organisation, postcode=postcode, city="Metz")
    organisation.offer_categories.add(*OfferCategory.objects.filter(name__icontains="e"))

    for params in (
        {"q": "metz"},
        {"q": "e"},
        {"department": "57"},
        {"category": "robotique"},
        {"q": "metz e", "department": "57", "category": "robotique", "status": "member"},
    ):
        response = client.get(DIRECTORY, params)
        assert listed_names(response) == ["Multi Sites"], params
        assert "1 entité trouvée" in response.content.decode()


def test_filter_by_department_status_and_category(client):
    moselle = member_organisation(legal_name="Moselle Tech", postcode="57000")
    moselle.offer_categories.add(OfferCategory.objects.get(slug="robotique"))
    member_organisation(legal_name="Vosges Bois", postcode="88000")
    alsace = member_organisation(
        legal_name="Alsace Partenaire", status=Status.PARTNER, postcode="67000"
    )
    alsace.offer_categories.add(OfferCategory.objects.get(slug="robotique"))
    # An inactive establishment does not count for the department filter.
    EstablishmentFactory(organisation=alsace, postcode="88100", is_active=False)

    def names(**params):
        return listed_names(client.get(DIRECTORY, params))

    assert names(department="88") == ["Vosges Bois"]
    assert names(department="57") == ["Moselle Tech"]
    assert names(status="partner") == ["Alsace Partenaire"]
    assert names(status="member") == ["Moselle Tech", "Vosges Bois"]
    assert names(category="robotique") == ["Alsace Partenaire", "Moselle Tech"]
    assert names(category="robotique", status="member") == ["Moselle Tech"]
    assert names(category="cybersecurite") == []


def test_an_unknown_filter_value_is_reported_not_a_server_error(client):
    member_organisation(legal_name="Alpha")

    response = client.get(DIRECTORY, {"department": "75", "status": "applicant", "page": "x"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Sélectionnez un choix valide" in html
    # The invalid filters are ignored, never widened to non-listed organisations (S2).
    assert listed_names(response) == ["Alpha"]


def test_pagination_shows_twenty_per_page_and_keeps_the_filters(client):
    for number in range(25):
        member_organisation(legal_name=f"Robot {number:02d}")
    member_organisation(legal_name="Autre chose")

    first = client.get(DIRECTORY, {"q": "robot", "department": "57"})
    second = client.get(DIRECTORY, {"q": "robot", "department": "57", "page": 2})

    assert listed_names(first) == [f"Robot {n:02d}" for n in range(20)]
    assert listed_names(second) == [f"Robot {n:02d}" for n in range(20, 25)]
    assert "25 entités trouvées" in first.content.decode()
    assert 'href="?q=robot&amp;department=57&amp;page=2"' in first.content.decode()
    assert 'href="?q=robot&amp;department=57&amp;page=1"' in second.content.decode()


def make_listed(count: int, start: int = 0) -> None:
    categories = list(OfferCategory.objects.all()[:3])
    for number in range(start, start + count):
        organisation = member_organisation(
            legal_name=f"Entité {number:03d}",
            status=Status.PARTNER if number % 3 == 0 else Status.MEMBER,
        )
        EstablishmentFactory(organisation=organisation, postcode="67000", city="Strasbourg")
        organisation.offer_categories.add(*categories)
        RepresentativeFactory(organisation=organisation, public_consent=True)


def count_queries(client, url, params=None) -> tuple[int, object]:
    # The rendering's queries, not the cache's (tests/members/test_public_pages.py).
    public_pages_changed()
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(context.captured_queries), response


def test_directory_query_count_does_not_grow_with_the_organisations(client):
    filtered = {"q": "entité", "department": "67", "category": OfferCategory.objects.first().slug}
    make_listed(5)
    few, few_page = count_queries(client, DIRECTORY)
    few_filtered, _ = count_queries(client, DIRECTORY, filtered)

    make_listed(195, start=5)
    many, many_page = count_queries(client, DIRECTORY)
    many_filtered, many_filtered_page = count_queries(client, DIRECTORY, filtered)

    assert len(listed_names(few_page)) == 5
    assert len(listed_names(many_page)) == 20
    assert len(listed_names(many_filtered_page)) == 20
    assert "200 entités trouvées" in many_page.content.decode()
    assert many == few
    assert many_filtered == few_filtered


# --- The organisation page -----------------------------------------------------------


def test_organisation_page_shows_the_public_fields(client):
    organisation = member_organisation(
        legal_name="Epsilon Automatisme",
        description="Machines spéciales pour l'automobile.",
        website="https://epsilon.example.fr",
        aif_reference="https://annuaire.industrie-dufutur.org/epsilon",
    )
    organisation.offer_categories.add(OfferCategory.objects.get(slug="automatisme"))
    EstablishmentFactory(
        organisation=organisation, name="Usine de Sarreguemines", address="3 rue des Forges",
        postcode="57200", city="Sarreguemines",
    )  # fmt: skip
    EstablishmentFactory(organisation=organisation, address="9 rue Fermée", is_active=False)

    response = client.get(organisation.get_absolute_url())

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Epsilon Automatisme</h1>" in html
    assert "Machines spéciales pour l&#x27;automobile." in html
    assert 'href="https://epsilon.example.fr"' in html
    assert 'href="https://annuaire.industrie-dufutur.org/epsilon"' in html
    assert "Automatisme et machines spéciales" in html
    assert "Entreprise" in html
    assert '<span class="badge text-bg-primary">Membre</span>' in html
    # A company's address is not personal data.
    assert (
        "Usine de Sarreguemines</strong> — 3 rue des Forges, 57200 Sarreguemines (57 — Moselle)"
        in html
    )
    assert "1 rue de l&#x27;Industrie, 57000 Metz (57 — Moselle)" in html
    assert "9 rue Fermée" not in html


def test_an_independent_persons_address_is_never_published(client):
    organisation = member_organisation(
        legal_name="Jeanne Martin Conseil", kind=OrganisationKind.INDEPENDENT, postcode="54000"
    )
    organisation.establishments.update(address="12 allée des Lilas", city="Nancy")

    html = client.get(organisation.get_absolute_url()).content.decode()

    assert "Nancy (54 — Meurthe-et-Moselle)" in html
    assert "Lilas" not in html
    assert "54000" not in html


def test_only_active_consenting_representatives_are_shown_without_email(client):
    organisation = member_organisation(legal_name="Zêta")
    shown = RepresentativeFactory(
        organisation=organisation, public_consent=True, job_title="Directrice technique",
        user=UserFactory(first_name="Claire", last_name="Dubois", email="claire@zeta.fr"),
    )  # fmt: skip
    hidden = RepresentativeFactory(
        organisation=organisation, public_consent=False,
        user=UserFactory(first_name="Paul", last_name="Secret", email="paul@zeta.fr"),
    )  # fmt: skip
    former = RepresentativeFactory(
        organisation=organisation, public_consent=True, end_date=shown.start_date,
        user=UserFactory(first_name="Ancien", last_name="Parti", email="ancien@zeta.fr"),
    )  # fmt: skip

    html = client.get(organisation.get_absolute_url()).content.decode()

    assert "<li>Claire Dubois — Directrice technique</li>" in html
    for person in (hidden, former):
        assert person.user.last_name not in html
    for person in (shown, hidden, former):
        assert person.user.email not in html
    # No e-mail address at all (the page's JSON-LD holds "@context", not an address).
    assert not re.search(r"[\w.+-]+@[\w-]+\.", html)


@pytest.mark.rule("S2")
@pytest.mark.parametrize("status", [Status.APPLICANT, Status.INVITEE, Status.NONE])
def test_organisation_page_is_404_unless_member_or_partner(client, status):
    organisation = organisation_with_status(status)

    assert client.get(organisation.get_absolute_url()).status_code == 404


def test_organisation_page_is_404_for_an_unknown_slug_or_no_status(client):
    organisation = OrganisationFactory()

    assert client.get(organisation.get_absolute_url()).status_code == 404
    assert client.get(reverse("members:organisation", args=["inconnue"])).status_code == 404


def test_organisation_page_query_count_does_not_grow(client):
    organisation = member_organisation()
    RepresentativeFactory(organisation=organisation, public_consent=True)
    few, _ = count_queries(client, organisation.get_absolute_url())

    for _number in range(10):
        EstablishmentFactory(organisation=organisation)
        RepresentativeFactory(organisation=organisation, public_consent=True)
    organisation.offer_categories.add(*OfferCategory.objects.all())
    many, response = count_queries(client, organisation.get_absolute_url())

    assert many == few
    assert response.content.decode().count("— Directeur</li>") == 11


# --- Logos -------------------------------------------------------------------------


def test_the_logo_of_a_listed_organisation_is_served(client, private_storage):
    organisation = member_organisation(legal_name="Logo SA")
    content = png_bytes()
    organisation.logo.save("logo-sa.png", ContentFile(content))

    page = client.get(organisation.get_absolute_url()).content.decode()
    response = client.get(reverse("members:organisation_logo", args=[organisation.slug]))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == content
    response.close()
    logo_url = reverse("members:organisation_logo", args=[organisation.slug])
    assert f'src="{logo_url}" alt="Logo de Logo SA"' in page


@pytest.mark.rule("S2")
def test_the_logo_is_not_served_once_the_organisation_is_not_listed(client, private_storage):
    organisation = member_organisation(legal_name="Ex SA")
    organisation.logo.save("ex.png", ContentFile(png_bytes()))
    url = reverse("members:organisation_logo", args=[organisation.slug])
    applicant = organisation_with_status(Status.APPLICANT)
    applicant.logo.save("candidat.png", ContentFile(png_bytes()))

    organisation_status_change(
        organisation=organisation, status=Status.NONE, reason=StatusReason.RESIGNED
    )

    assert client.get(url).status_code == 404
    assert (
        client.get(reverse("members:organisation_logo", args=[applicant.slug])).status_code == 404
    )


def test_no_logo_no_file_or_another_type_is_404(client, private_storage):
    without = member_organisation(legal_name="Sans logo")
    missing = member_organisation(legal_name="Fichier perdu", logo="logos/perdu.png")
    other = member_organisation(legal_name="Autre type")
    other.logo.save("autre.svg", ContentFile(b"<svg xmlns='http://www.w3.org/2000/svg'/>"))

    for organisation in (without, missing, other):
        url = reverse("members:organisation_logo", args=[organisation.slug])
        assert client.get(url).status_code == 404, organisation.legal_name
