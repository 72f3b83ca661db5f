"""CSV import and export of the registry: previewed line by line, all or nothing."""

import csv
import datetime
import io

import pytest
import tablib
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEntry
from members import selectors
from members.admin import IMPORT_MAX_ROWS
from members.constants import Role, Status, StatusReason
from members.models import (
    Establishment,
    OfferCategory,
    Organisation,
    Representative,
    StatusChange,
    User,
)
from members.resources import OrganisationResource, RepresentativeResource

from .factories import (
    EstablishmentFactory,
    OrganisationFactory,
    RepresentativeFactory,
    UserFactory,
    member_organisation,
)

pytestmark = pytest.mark.django_db

ORGANISATION_HEADER = (
    "legal_name,kind,siren,website,description,aif_reference,offer_categories,"
    "establishment_name,siret,address,postcode,city,status"
)
REPRESENTATIVE_HEADER = (
    "email,first_name,last_name,organisation,job_title,start_date,authorised_signatory,"
    "public_consent"
)


@pytest.fixture
def copil():
    user = UserFactory(is_staff=True, email="copil@cos-ge.fr")
    user.groups.add(Group.objects.get(name=Role.COPIL))
    return user


def csv_file(header: str, *lines: str) -> SimpleUploadedFile:
    body = "\n".join((header, *lines)) + "\n"
    return SimpleUploadedFile("registre.csv", body.encode("utf-8"), content_type="text/csv")


def preview(client, model: str, upload):
    return client.post(
        reverse(f"admin:members_{model}_import"),
        {"import_file": upload, "format": "0", "resource": "0"},
    )


def confirm(client, model: str, response):
    form = response.context["confirm_form"]
    return client.post(reverse(f"admin:members_{model}_process_import"), form.initial)


def export(client, model: str, resource) -> list[dict]:
    """Export every column as CSV; the rows read back."""
    data = {"format": "0", "resource": "0"}
    for field in resource().get_export_order():
        data[f"{resource.__name__.lower()}_{field}"] = "on"
    response = client.post(reverse(f"admin:members_{model}_export"), data)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return response.content


def read_csv(content: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def registry_snapshot():
    return (
        Organisation.objects.count(),
        Establishment.objects.count(),
        StatusChange.objects.count(),
        Representative.objects.count(),
        User.objects.count(),
        AuditEntry.objects.count(),
    )


# --- Organisations ------------------------------------------------------------------


@pytest.mark.rule("M2", "S1")
def test_the_preview_shows_each_invalid_line_in_french_and_saves_nothing(client, copil):
    client.force_login(copil)
    before = registry_snapshot()
    upload = csv_file(
        ORGANISATION_HEADER,
        "Valide SAS,company,,,,,robotique,Siège,73282932000074,1 rue A,57000,Metz,member",
        "Siret Faux,company,,,,,,Usine,73282932000075,2 rue B,67000,Strasbourg,member",
        "Parisienne,company,,,,,,Siège,,3 rue C,75008,Paris,member",
        "Catégorie Inconnue,company,,,,,robotique;teleportation,,,4 rue D,51100,Reims,",
        "Type Inconnu,coopérative,,,,,,,,5 rue E,10000,Troyes,",
        "Statut Inconnu,company,,,,,,,,6 rue F,88000,Épinal,adhérent",
        "Sans Adresse,company,,,,,,,,,8800,Épinal,",
    )

    response = preview(client, "organisation", upload)

    assert response.status_code == 200
    result = response.context["result"]
    assert response.context.get("confirm_form") is None
    assert [row.number for row in result.invalid_rows] == [2, 3, 4, 5, 6, 7]
    errors = {row.number: row.error_dict for row in result.invalid_rows}
    assert errors[2] == {
        "siret": ["Ce numéro SIRET n'est pas valide (sa clé de contrôle est fausse)."]
    }
    assert errors[3] == {
        "status": [
            "L'entité doit avoir au moins un établissement actif en région Grand Est. "
            "Départements : 08, 10, 51, 52, 54, 55, 57, 67, 68, 88."
        ]
    }
    assert errors[4] == {"offer_categories": ["Catégorie(s) d'offre inconnue(s) : teleportation."]}
    assert list(errors[5]) == ["kind"]
    assert errors[5]["kind"][0].startswith("Valeur « coopérative » inconnue ; valeurs possibles :")
    assert list(errors[6]) == ["status"]
    assert set(errors[7]) == {"address", "postcode"}
    assert errors[7]["postcode"] == ["Un code postal français comporte exactement 5 chiffres."]
    content = response.content.decode()
    assert "Ce numéro SIRET n&#x27;est pas valide (sa clé de contrôle est fausse)." in content
    assert "au moins un établissement actif en région Grand Est" in content
    assert "Siret Faux" in content  # the line itself is shown next to its errors
    assert registry_snapshot() == before


@pytest.mark.rule("S1", "M2")
def test_a_valid_file_is_previewed_then_saved_through_the_services(client, copil):
    client.force_login(copil)
    upload = csv_file(
        ORGANISATION_HEADER,
        "Robotique de Lorraine,Entreprise,732829320,https://robotique.example,Cobots,"
        "AIF-123,robotique;automatisme,Siège,73282932000074,1 rue A,57000,Metz,Membre",
        "Robotique de Lorraine,company,732829320,https://robotique.example,Cobots,"
        "AIF-123,robotique;automatisme,Atelier,,8 quai B,75008,Paris,member",
        "Conseil Parisien,association,,,,,conseil-strategie,,,3 rue C,75008,Paris,partner",
        "Sans Statut,,,,,,,,,,,,",
    )

    response = preview(client, "organisation", upload)

    assert response.status_code == 200
    assert response.context["confirm_form"] is not None
    assert not response.context["result"].has_validation_errors()
    # The preview saved nothing.
    assert Organisation.objects.count() == 0
    assert StatusChange.objects.count() == 0

    done = confirm(client, "organisation", response)

    assert done.status_code == 302
    robotics = Organisation.objects.get(legal_name="Robotique de Lorraine")
    assert robotics.slug == "robotique-de-lorraine"
    assert robotics.kind == "company"
    assert robotics.siren == "732829320"
    assert robotics.aif_reference == "AIF-123"
    assert sorted(robotics.offer_categories.values_list("slug", flat=True)) == [
        "automatisme",
        "robotique",
    ]
    assert sorted(robotics.establishments.values_list("city", "department", "siret")) == [
        ("Metz", "57", "73282932000074"),
        ("Paris", "75", ""),
    ]
    change = robotics.status_changes.get()
    assert (change.status, change.reason, change.decided_by) == (
        Status.MEMBER,
        StatusReason.IMPORTED,
        copil,
    )
    partner = Organisation.objects.get(legal_name="Conseil Parisien")
    assert selectors.organisation_status(organisation=partner) == Status.PARTNER
    no_status = Organisation.objects.get(legal_name="Sans Statut")
    assert no_status.kind == "company"
    assert not no_status.status_changes.exists()
    assert not no_status.establishments.exists()
    created = AuditEntry.objects.filter(action="members.organisation.created", actor=copil)
    assert created.count() == 3
    assert [str(m) for m in get_messages(done.wsgi_request)] == [
        "Import terminé : 3 ligne(s) créée(s), 1 mise(s) à jour, 0 ignorée(s)."
    ]
    assert set(selectors.directory_list()) == {robotics, partner}


def test_importing_the_same_file_twice_changes_nothing_the_second_time(client, copil):
    client.force_login(copil)
    lines = (
        "Forge,company,,,,,,Siège,73282932000074,1 rue A,57000,Metz,member",
        "Forge,company,,,,,,Dépôt,,2 rue B,57100,Thionville,member",
    )
    confirm(
        client,
        "organisation",
        preview(client, "organisation", csv_file(ORGANISATION_HEADER, *lines)),
    )
    before = registry_snapshot()

    again = preview(client, "organisation", csv_file(ORGANISATION_HEADER, *lines))
    confirm(client, "organisation", again)

    assert [row.import_type for row in again.context["result"].rows] == ["update", "update"]
    forge = Organisation.objects.get(legal_name="Forge")
    assert forge.establishments.count() == 2
    assert forge.status_changes.count() == 1
    assert registry_snapshot()[:5] == before[:5]


@pytest.mark.rule("S1")
def test_an_imported_status_the_charter_forbids_is_a_line_error(client, copil):
    member = member_organisation(legal_name="Membre Existant")
    client.force_login(copil)
    before = registry_snapshot()

    response = preview(
        client,
        "organisation",
        csv_file(ORGANISATION_HEADER, "membre existant,company,,,,,,,,,,,partner"),
    )

    assert response.context["result"].invalid_rows[0].error_dict == {
        "status": [
            "La charte ne permet pas de passer du statut « Membre » au statut « Partenaire »."
        ]
    }
    assert registry_snapshot() == before
    assert selectors.organisation_status(organisation=member) == Status.MEMBER


def test_a_siret_of_another_organisation_is_a_line_error(client, copil):
    other = OrganisationFactory(legal_name="Titulaire")
    EstablishmentFactory(organisation=other, siret="73282932000074")
    client.force_login(copil)

    response = preview(
        client,
        "organisation",
        csv_file(ORGANISATION_HEADER, "Intrus,company,,,,,,,73282932000074,1 rue A,57000,Metz,"),
    )

    assert response.context["result"].invalid_rows[0].error_dict == {
        "siret": ["Ce SIRET est déjà celui d'un établissement de « Titulaire »."]
    }
    assert not Organisation.objects.filter(legal_name="Intrus").exists()


def test_a_line_that_became_invalid_after_the_preview_rolls_the_whole_file_back(client, copil):
    client.force_login(copil)
    response = preview(
        client,
        "organisation",
        csv_file(
            ORGANISATION_HEADER,
            "Première,company,,,,,,,,1 rue A,57000,Metz,member",
            "Seconde,company,,,,,,,73282932000074,2 rue B,67000,Strasbourg,member",
        ),
    )
    assert response.context["confirm_form"] is not None
    # Between the preview and the confirmation, someone records that SIRET elsewhere.
    EstablishmentFactory(
        organisation=OrganisationFactory(legal_name="Rapide"), siret="73282932000074"
    )
    before = registry_snapshot()

    done = confirm(client, "organisation", response)

    assert done.status_code == 302
    assert done["Location"] == reverse("admin:members_organisation_import")
    assert registry_snapshot() == before
    assert not Organisation.objects.filter(legal_name__in=["Première", "Seconde"]).exists()
    assert [str(m) for m in get_messages(done.wsgi_request)] == [
        "L'import a été annulé : au moins une ligne n'est pas valide. Rien n'a été "
        "enregistré ; relancez l'import pour voir les erreurs."
    ]


def test_the_resource_import_is_atomic_on_sqlite():
    """django-import-export's transactions work on the test database: nothing is kept."""
    dataset = tablib.Dataset(
        (["Bonne", "company", "", "", "", "", "", "", "", "1 rue A", "57000", "Metz", "member"]),
        (
            [
                "Mauvaise",
                "company",
                "",
                "",
                "",
                "",
                "",
                "",
                "123",
                "2 rue B",
                "57000",
                "Metz",
                "member",
            ]
        ),
        headers=ORGANISATION_HEADER.split(","),
    )

    result = OrganisationResource().import_data(
        dataset, dry_run=False, use_transactions=True, rollback_on_validation_errors=True
    )

    assert result.has_validation_errors()
    assert result.invalid_rows[0].error_dict == {
        "siret": ["Un numéro SIRET comporte exactement 14 chiffres."]
    }
    assert Organisation.objects.count() == 0
    assert StatusChange.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_the_organisations_export_has_one_line_per_active_establishment(client, copil):
    robotics = member_organisation(legal_name="Robotique", siren="732829320")
    robotics.establishments.update(siret="73282932000074", name="Siège")
    EstablishmentFactory(organisation=robotics, postcode="75008", city="Paris", address="8 quai B")
    EstablishmentFactory(
        organisation=robotics, postcode="67000", city="Strasbourg", is_active=False
    )

    robotics.offer_categories.add(*OfferCategory.objects.filter(slug__in=["robotique", "mes-erp"]))
    OrganisationFactory(legal_name="Nouvelle", kind="association")
    client.force_login(copil)

    rows = read_csv(export(client, "organisation", OrganisationResource))

    assert [
        (r["legal_name"], r["city"], r["siret"], r["status"], r["offer_categories"]) for r in rows
    ] == [
        ("Nouvelle", "", "", "none", ""),
        ("Robotique", "Metz", "73282932000074", "member", "mes-erp;robotique"),
        ("Robotique", "Paris", "", "member", "mes-erp;robotique"),
    ]
    assert rows[0]["kind"] == "association"
    assert rows[1]["establishment_name"] == "Siège"
    assert list(rows[0]) == ORGANISATION_HEADER.split(",")


def test_an_exported_file_imports_back_unchanged(client, copil):
    robotics = member_organisation(legal_name="Robotique")
    EstablishmentFactory(organisation=robotics, postcode="75008", city="Paris", address="8 quai B")
    client.force_login(copil)
    exported = export(client, "organisation", OrganisationResource)
    before = registry_snapshot()

    response = preview(
        client, "organisation", SimpleUploadedFile("export.csv", exported, content_type="text/csv")
    )
    confirm(client, "organisation", response)

    assert not response.context["result"].has_validation_errors()
    assert registry_snapshot()[:5] == before[:5]


# --- Representatives --------------------------------------------------------------------


def test_representative_lines_with_errors_are_shown_and_nothing_is_saved(client, copil):
    OrganisationFactory(legal_name="Forge de l'Est")
    client.force_login(copil)
    before = registry_snapshot()

    response = preview(
        client,
        "representative",
        csv_file(
            REPRESENTATIVE_HEADER,
            "anne@forge.fr,Anne,Martin,Forge de l'Est,Directrice,2023-01-15,oui,oui",
            "paul@ailleurs.fr,Paul,Durand,Entité Inconnue,Gérant,,non,non",
            "pas-une-adresse,Léa,Petit,Forge de l'Est,,,,",
            "marc@forge.fr,Marc,Roux,Forge de l'Est,,31/02/2023,peut-être,",
        ),
    )

    assert response.status_code == 200
    assert response.context.get("confirm_form") is None
    errors = {row.number: row.error_dict for row in response.context["result"].invalid_rows}
    assert errors[2] == {
        "organisation": ["Aucune entité ne porte la raison sociale « Entité Inconnue »."]
    }
    assert errors[3] == {"email": ["Saisissez une adresse de courriel valide."]}
    assert errors[4] == {
        "start_date": ["Date « 31/02/2023 » non reconnue : écrivez AAAA-MM-JJ ou JJ/MM/AAAA."],
        "authorised_signatory": ["Écrivez « oui » ou « non » (valeur lue : « peut-être »)."],
    }
    assert 1 not in errors
    assert "Aucune entité ne porte la raison sociale « Entité Inconnue »." in (
        response.content.decode()
    )
    assert registry_snapshot() == before


def test_representatives_are_imported_and_new_people_created_without_password(client, copil):
    forge = OrganisationFactory(legal_name="Forge de l'Est")
    known = UserFactory(email="paul.durand@forge.fr", first_name="Paul", last_name="Durand")
    client.force_login(copil)

    response = preview(
        client,
        "representative",
        csv_file(
            REPRESENTATIVE_HEADER,
            "Anne.Martin@Forge.fr,Anne,Martin,forge de l'est,Directrice,15/01/2023,oui,oui",
            "PAUL.DURAND@forge.fr,Autre,Nom,Forge de l'Est,Ingénieur,2022-09-01,non,",
        ),
    )
    assert response.context["confirm_form"] is not None
    assert not User.objects.filter(email__iexact="anne.martin@forge.fr").exists()
    done = confirm(client, "representative", response)

    assert done.status_code == 302
    anne = User.objects.get(email__iexact="anne.martin@forge.fr")
    assert (anne.first_name, anne.last_name) == ("Anne", "Martin")
    assert not anne.has_usable_password()
    assert AuditEntry.objects.filter(action="members.user.created", object_id=str(anne.pk)).exists()
    first = Representative.objects.get(user=anne)
    assert first.organisation == forge
    assert first.job_title == "Directrice"
    assert first.start_date == datetime.date(2023, 1, 15)
    assert first.is_authorised_signatory is True
    assert first.public_consent is True
    second = Representative.objects.get(user=known)
    assert (second.start_date, second.is_authorised_signatory, second.public_consent) == (
        datetime.date(2022, 9, 1),
        False,
        False,
    )
    known.refresh_from_db()
    assert (known.first_name, known.last_name) == ("Paul", "Durand")
    assert User.objects.filter(email__iexact="paul.durand@forge.fr").count() == 1


def test_a_representative_line_for_a_current_representative_updates_it(client, copil):
    representative = RepresentativeFactory(
        organisation=OrganisationFactory(legal_name="Forge"),
        user=UserFactory(email="anne@forge.fr"),
        job_title="Ingénieure",
    )
    client.force_login(copil)

    response = preview(
        client,
        "representative",
        csv_file(REPRESENTATIVE_HEADER, "anne@forge.fr,,,Forge,Directrice,,,"),
    )
    confirm(client, "representative", response)

    representative.refresh_from_db()
    assert Representative.objects.count() == 1
    assert representative.job_title == "Directrice"
    assert representative.start_date == datetime.date(2022, 1, 1)  # blank keeps it


def test_a_new_representative_without_start_date_starts_today(client, copil):
    OrganisationFactory(legal_name="Forge")
    client.force_login(copil)

    confirm(
        client,
        "representative",
        preview(
            client, "representative", csv_file(REPRESENTATIVE_HEADER, "lea@forge.fr,Léa,,Forge,,,,")
        ),
    )

    assert Representative.objects.get().start_date == timezone.localdate()


def test_the_representatives_export(client, copil):
    RepresentativeFactory(
        organisation=OrganisationFactory(legal_name="Forge"),
        user=UserFactory(email="anne@forge.fr", first_name="Anne", last_name="Martin"),
        job_title="Directrice",
        is_authorised_signatory=True,
        public_consent=False,
    )
    client.force_login(copil)

    rows = read_csv(export(client, "representative", RepresentativeResource))

    assert rows == [
        {
            "email": "anne@forge.fr",
            "first_name": "Anne",
            "last_name": "Martin",
            "organisation": "Forge",
            "job_title": "Directrice",
            "start_date": "2022-01-01",
            "end_date": "",
            "authorised_signatory": "oui",
            "public_consent": "non",
        }
    ]


def test_the_representative_resource_reports_an_end_before_the_start():
    OrganisationFactory(legal_name="Forge")
    dataset = tablib.Dataset(
        ["anne@forge.fr", "Anne", "Martin", "Forge", "", "2023-05-01", "2023-04-01", "", ""],
        headers=[
            *REPRESENTATIVE_HEADER.split(",")[:6],
            "end_date",
            "authorised_signatory",
            "public_consent",
        ],
    )

    result = RepresentativeResource().import_data(dataset, dry_run=True)

    assert result.invalid_rows[0].error_dict == {
        "end_date": ["La date de fin précède la date de début."]
    }
    assert User.objects.filter(email="anne@forge.fr").count() == 0


def test_the_import_page_explains_the_file_format_in_french(client, copil):
    client.force_login(copil)

    organisations = client.get(reverse("admin:members_organisation_import"))
    representatives = client.get(reverse("admin:members_representative_import"))

    assert "Une ligne par établissement" in organisations.content.decode()
    assert "Une ligne par représentant" in representatives.content.decode()


def test_the_organisations_export_reads_them_in_a_few_pages(
    client, copil, django_assert_max_num_queries
):
    """The export pages a queryset that prefetches, one query per page and per prefetch:
    pages of 2,000 rows, so that 130 organisations (or 20,000) are not 2 (or 200) pages."""
    OrganisationFactory.create_batch(20)
    client.force_login(copil)
    with django_assert_max_num_queries(100) as few:
        export(client, "organisation", OrganisationResource)
    OrganisationFactory.create_batch(110)
    with django_assert_max_num_queries(len(few.captured_queries)):
        rows = read_csv(export(client, "organisation", OrganisationResource))
    assert len(rows) == 130


def test_a_file_of_more_lines_than_one_import_takes_is_refused_before_any_line_is_read(
    client, copil
):
    """Each line is checked by the services as it is previewed, then again as it is saved:
    a file stays within what a page does in its time (IMPORT_MAX_ROWS lines), and a
    longer one is refused at once, in French, with how to go on."""
    lines = [f"Entité {n:04d},company,,,,,,,,,,," for n in range(IMPORT_MAX_ROWS + 1)]
    before = registry_snapshot()
    client.force_login(copil)

    with CaptureQueriesContext(connection) as context:
        response = preview(client, "organisation", csv_file(ORGANISATION_HEADER, *lines))

    assert response.status_code == 200
    assert response.context["form"].errors["import_file"] == [
        f"Le fichier compte {IMPORT_MAX_ROWS + 1} lignes : importez-en au plus "
        f"{IMPORT_MAX_ROWS} à la fois, en le découpant en plusieurs fichiers."
    ]
    assert "result" not in response.context
    assert f"Un fichier compte au plus {IMPORT_MAX_ROWS} lignes" in response.content.decode()
    assert len(context.captured_queries) < 20  # no line was read against the registry
    assert registry_snapshot() == before

    # A shorter file is previewed.
    accepted = preview(client, "organisation", csv_file(ORGANISATION_HEADER, *lines[:3]))
    assert not accepted.context["result"].has_errors()
