"""The representatives' space: dashboard, public consent, organisation profile edit (M2)."""

import datetime
import io
import random
import re

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from PIL import Image

from core.models import AuditEntry
from members.constants import OrganisationKind, Status
from members.exceptions import MembersError, NotInGrandEst
from members.models import Establishment, OfferCategory, Organisation, Representative
from members.services import organisation_profile_update, representative_consent_set

from .factories import (
    EstablishmentFactory,
    OrganisationFactory,
    RepresentativeFactory,
    StatusChangeFactory,
    UserFactory,
    member_organisation,
)

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("space:dashboard")
PROFILE_ACTION = "members.organisation.profile_updated"

M2_MESSAGE = escape(str(NotInGrandEst.default_message))
SIRET_MESSAGE = escape("Ce numéro SIRET n'est pas valide (sa clé de contrôle est fausse).")
POSTCODE_MESSAGE = escape("Un code postal français comporte exactement 5 chiffres.")
VALID_SIRET = "73282932000074"
VALID_SIREN = "732829320"


def image_bytes(image_format="PNG", size=(8, 8), noise=False) -> bytes:
    image = Image.new("RGB", size, (11, 61, 107))
    if noise:
        # Incompressible pixels, so that the file is as large as the image.
        image = Image.frombytes("RGB", size, random.Random(0).randbytes(size[0] * size[1] * 3))
    buffer = io.BytesIO()
    image.save(buffer, image_format)
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


@pytest.fixture
def member():
    """A member in Moselle, with one active representative (its user is ``member.user``)."""
    organisation = member_organisation(legal_name="Atelier Lorrain", description="Avant.")
    organisation.user = RepresentativeFactory(
        organisation=organisation, user__first_name="Léa", user__last_name="Schmitt"
    ).user
    return organisation


def edit_url(organisation) -> str:
    return reverse("space:organisation_edit", kwargs={"slug": organisation.slug})


def edit_data(organisation, *, establishments=None, new=None, **fields) -> dict:
    """The POST of the edit form: the profile, the existing establishments, one new one."""
    data = {
        "kind": organisation.kind,
        "description": organisation.description,
        "website": organisation.website,
        "siren": organisation.siren,
        "offer_categories": [c.pk for c in organisation.offer_categories.all()],
    }
    data.update(fields)
    rows = list(organisation.establishments.order_by("postcode", "pk"))
    changes = establishments or {}
    prefix = "establishments"
    new_rows = [new] if new else []
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": str(len(rows) + max(len(new_rows), 1)),
            f"{prefix}-INITIAL_FORMS": str(len(rows)),
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        }
    )
    for index, row in enumerate(rows):
        values = {
            "id": row.pk,
            "organisation": organisation.pk,
            "name": row.name,
            "siret": row.siret,
            "address": row.address,
            "postcode": row.postcode,
            "city": row.city,
            "is_active": "on" if row.is_active else "",
        }
        values.update(changes.get(index, {}))
        for key, value in values.items():
            if key == "is_active" and not value:
                continue
            data[f"{prefix}-{index}-{key}"] = value
    if not new_rows:
        # The empty row as a browser sends it: only its checked "Actif" box.
        data[f"{prefix}-{len(rows)}-is_active"] = "on"
    for offset, values in enumerate(new_rows):
        index = len(rows) + offset
        data[f"{prefix}-{index}-organisation"] = organisation.pk
        for key, value in values.items():
            data[f"{prefix}-{index}-{key}"] = value
    return data


def snapshot(organisation) -> tuple:
    organisation = Organisation.objects.get(pk=organisation.pk)
    return (
        organisation.description,
        organisation.website,
        organisation.kind,
        organisation.siren,
        organisation.logo.name,
        sorted(organisation.offer_categories.values_list("slug", flat=True)),
        list(
            organisation.establishments.order_by("pk").values_list(
                "name", "siret", "address", "postcode", "city", "department", "is_active"
            )
        ),
        AuditEntry.objects.filter(action=PROFILE_ACTION).count(),
    )


# --- Dashboard and consent -----------------------------------------------------------


def test_dashboard_requires_login(client):
    response = client.get(DASHBOARD)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={DASHBOARD}"


def test_dashboard_lists_the_persons_active_representations_with_status(client, member):
    partner = member_organisation(legal_name="Partenaire Bleu", status=Status.PARTNER)
    RepresentativeFactory(organisation=partner, user=member.user, job_title="Gérante")
    former = member_organisation(legal_name="Ancienne Maison")
    RepresentativeFactory(organisation=former, user=member.user, end_date=datetime.date(2023, 1, 1))
    other = member_organisation(legal_name="Pas la mienne")
    client.force_login(member.user)

    html = client.get(DASHBOARD).content.decode()

    assert re.search(r"<title>Mon espace\b[^<]*</title>", html)  # plain text, no markup
    assert "Atelier Lorrain" in html
    assert "Partenaire Bleu" in html
    assert "Gérante" in html
    assert "Ancienne Maison" not in html
    assert other.legal_name not in html
    assert html.count('<dd class="col-sm-8">Membre</dd>') == 1
    assert html.count('<dd class="col-sm-8">Partenaire</dd>') == 1
    assert f'href="{edit_url(member)}"' in html
    assert "Apparaître dans l&#x27;annuaire public" in html


def test_a_representative_gives_then_withdraws_public_consent(client, member):
    representative = Representative.objects.get(user=member.user)
    url = reverse("space:consent", args=[representative.pk])
    client.force_login(member.user)

    response = client.post(url, {"public_consent": "on"})
    assert response.status_code == 302
    assert response["Location"] == DASHBOARD
    representative.refresh_from_db()
    assert representative.public_consent is True
    public = Client()  # the public page as an anonymous visitor sees it
    assert (
        "<li>Léa Schmitt — Directeur</li>" in public.get(member.get_absolute_url()).content.decode()
    )

    client.post(url, {})
    representative.refresh_from_db()
    assert representative.public_consent is False
    assert "Schmitt" not in public.get(member.get_absolute_url()).content.decode()
    assert list(
        AuditEntry.objects.filter(object_id=str(representative.pk))
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["members.representative.consent_given", "members.representative.consent_withdrawn"]


def test_nobody_sets_the_consent_of_someone_else(client, member):
    representative = Representative.objects.get(user=member.user)
    intruder = UserFactory()
    client.force_login(intruder)

    response = client.post(
        reverse("space:consent", args=[representative.pk]), {"public_consent": "on"}
    )

    assert response.status_code == 404
    representative.refresh_from_db()
    assert representative.public_consent is False
    with pytest.raises(MembersError):
        representative_consent_set(
            representative=representative, public_consent=True, actor=intruder
        )
    representative.refresh_from_db()
    assert representative.public_consent is False
    assert not AuditEntry.objects.filter(action__startswith="members.representative.").exists()


def test_consent_is_changed_by_post_only(client, member):
    representative = Representative.objects.get(user=member.user)
    client.force_login(member.user)

    response = client.get(reverse("space:consent", args=[representative.pk]))

    assert response.status_code == 405


# --- Access to the edit form -------------------------------------------------------------


def test_edit_requires_login(client, member):
    url = edit_url(member)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={url}"


def test_a_non_representative_cannot_edit(client, member):
    before = snapshot(member)
    client.force_login(UserFactory())

    assert client.get(edit_url(member)).status_code == 403
    response = client.post(edit_url(member), edit_data(member, description="Piraté"))

    assert response.status_code == 403
    assert snapshot(member) == before


def test_a_former_representative_cannot_edit(client, member):
    former = RepresentativeFactory(organisation=member, end_date=datetime.date(2023, 6, 30))
    before = snapshot(member)
    client.force_login(former.user)

    response = client.post(edit_url(member), edit_data(member, description="Plus mon rôle"))

    assert response.status_code == 403
    assert snapshot(member) == before


def test_a_representative_of_another_organisation_cannot_edit(client, member):
    other = member_organisation(legal_name="Voisin")
    client.force_login(member.user)

    assert client.get(edit_url(other)).status_code == 403
    assert client.get(reverse("space:organisation_edit", args=["inconnue"])).status_code == 404


def test_edit_form_shows_the_current_profile(client, member):
    client.force_login(member.user)

    html = client.get(edit_url(member)).content.decode()

    assert "<h1>Fiche de Atelier Lorrain</h1>" in html
    assert 'enctype="multipart/form-data"' in html
    assert 'name="establishments-0-postcode" value="57000"' in html
    assert 'name="establishments-1-postcode"' in html  # an empty row to add one
    assert "Image PNG, JPEG ou WebP de 1,0\xa0Mio au plus." in html


# --- A successful edit -----------------------------------------------------------------


def test_a_representative_updates_the_profile_and_adds_an_establishment(client, member):
    robotics = OfferCategory.objects.get(slug="robotique")
    client.force_login(member.user)

    response = client.post(
        edit_url(member),
        edit_data(
            member,
            description="Intégrateur robotique.",
            website="https://atelier-lorrain.example.fr",
            siren="732 829 320",
            kind=OrganisationKind.ASSOCIATION,
            offer_categories=[robotics.pk],
            new={
                "name": "Agence de Strasbourg",
                "siret": VALID_SIRET,
                "address": "5 quai Kléber",
                "postcode": "67000",
                "city": "Strasbourg",
                "is_active": "on",
            },
        ),  # fmt: skip
    )

    assert response.status_code == 302
    assert response["Location"] == edit_url(member)
    member.refresh_from_db()
    assert member.description == "Intégrateur robotique."
    assert member.website == "https://atelier-lorrain.example.fr"
    assert member.siren == VALID_SIREN
    assert member.kind == OrganisationKind.ASSOCIATION
    assert list(member.offer_categories.all()) == [robotics]
    added = member.establishments.get(city="Strasbourg")
    assert (added.siret, added.department, added.is_active) == (VALID_SIRET, "67", True)
    entry = AuditEntry.objects.get(action=PROFILE_ACTION)
    assert entry.actor == member.user
    assert entry.object_id == str(member.pk)
    assert entry.data["fields"] == ["description", "kind", "siren", "website"]
    assert entry.data["establishments_created"] == [added.pk]
    followed = client.get(response["Location"])
    assert "Fiche mise à jour." in followed.content.decode()


@pytest.mark.rule("M2")
def test_a_member_may_move_while_keeping_one_establishment_in_grand_est(client, member):
    client.force_login(member.user)

    response = client.post(
        edit_url(member),
        edit_data(
            member,
            establishments={0: {"is_active": ""}},
            new={
                "address": "2 place Stanislas",
                "postcode": "54000",
                "city": "Nancy",
                "is_active": "on",
            },
        ),  # fmt: skip
    )

    assert response.status_code == 302
    assert list(member.establishments.filter(is_active=True).values_list("city", flat=True)) == [
        "Nancy"
    ]


# --- Refused edits: nothing saved, everything typed kept ---------------------------------


@pytest.mark.rule("M2")
def test_an_invalid_siret_is_refused_and_the_typed_values_are_kept(client, member):
    before = snapshot(member)
    client.force_login(member.user)

    response = client.post(
        edit_url(member),
        edit_data(
            member,
            description="Description tapée à garder",
            website="https://garde.example.fr",
            new={
                "name": "Site de Thionville",
                "siret": "73282932000075",
                "address": "8 rue de la Gare",
                "postcode": "57100",
                "city": "Thionville",
                "is_active": "on",
            },
        ),  # fmt: skip
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert SIRET_MESSAGE in html
    assert "Description tapée à garder</textarea>" in html
    assert 'value="https://garde.example.fr"' in html
    assert 'value="Site de Thionville"' in html
    assert 'value="73282932000075"' in html
    assert 'value="8 rue de la Gare"' in html
    assert 'value="Thionville"' in html
    assert snapshot(member) == before


def test_a_postcode_that_is_not_five_digits_is_refused(client, member):
    before = snapshot(member)
    client.force_login(member.user)

    response = client.post(
        edit_url(member), edit_data(member, establishments={0: {"postcode": "5700"}})
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert POSTCODE_MESSAGE in html
    assert 'value="5700"' in html
    assert snapshot(member) == before


@pytest.mark.rule("M2")
@pytest.mark.parametrize("status", [Status.MEMBER, Status.APPLICANT])
def test_leaving_the_grand_est_is_refused_and_nothing_is_saved(client, status):
    organisation = OrganisationFactory(legal_name="Quitte le Grand Est", description="Avant.")
    EstablishmentFactory(organisation=organisation, postcode="57000")
    StatusChangeFactory(organisation=organisation, status=status)
    user = RepresentativeFactory(organisation=organisation).user
    before = snapshot(organisation)
    client.force_login(user)

    response = client.post(
        edit_url(organisation),
        edit_data(
            organisation,
            description="Nous partons à Paris",
            offer_categories=[OfferCategory.objects.get(slug="robotique").pk],
            establishments={0: {"is_active": ""}},
            new={
                "address": "1 rue de Rivoli",
                "postcode": "75001",
                "city": "Paris",
                "is_active": "on",
            },
        ),  # fmt: skip
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert M2_MESSAGE in html
    assert 'role="alert"' in html
    assert "Nous partons à Paris</textarea>" in html
    assert 'value="1 rue de Rivoli"' in html
    assert snapshot(organisation) == before


@pytest.mark.rule("M2")
def test_a_partner_may_have_its_establishments_outside_grand_est(client):
    partner = member_organisation(legal_name="Partenaire National", status=Status.PARTNER)
    user = RepresentativeFactory(organisation=partner).user
    client.force_login(user)

    response = client.post(
        edit_url(partner),
        edit_data(
            partner,
            establishments={0: {"is_active": ""}},
            new={
                "address": "1 rue de Rivoli",
                "postcode": "75001",
                "city": "Paris",
                "is_active": "on",
            },
        ),  # fmt: skip
    )

    assert response.status_code == 302
    assert list(
        partner.establishments.filter(is_active=True).values_list("department", flat=True)
    ) == ["75"]


@pytest.mark.rule("M2")
def test_the_service_rolls_back_everything_when_m2_fails(member):
    establishment = member.establishments.get()
    establishment.is_active = False
    paris = Establishment(
        organisation=member, address="1 rue de Rivoli", postcode="75001", city="Paris"
    )
    before = snapshot(member)

    with pytest.raises(NotInGrandEst):
        organisation_profile_update(
            organisation=member,
            data={"description": "Changé"},
            offer_categories=list(OfferCategory.objects.all()[:2]),
            establishments=[establishment, paris],
            actor=member.user,
            now=timezone.now(),
        )

    assert snapshot(member) == before


# --- Logo upload -----------------------------------------------------------------------


def upload(name, content, content_type="image/png"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_a_png_logo_is_stored_privately_and_served(client, member, private_storage):
    content = image_bytes("PNG")
    client.force_login(member.user)

    response = client.post(
        edit_url(member), {**edit_data(member), "logo": upload("mon logo.png", content)}
    )

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.logo.name.startswith(f"logos/{member.slug}")
    assert member.logo.name.endswith(".png")
    assert (private_storage / member.logo.name).read_bytes() == content
    served = client.get(reverse("members:organisation_logo", args=[member.slug]))
    assert served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content) == content
    served.close()


def test_a_jpeg_logo_replaces_the_old_one_which_is_deleted(
    client, member, private_storage, django_capture_on_commit_callbacks
):
    member.logo.save("ancien.png", ContentFile(image_bytes("PNG")))
    old_name = member.logo.name
    client.force_login(member.user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            edit_url(member),
            {**edit_data(member), "logo": upload("photo.jpeg", image_bytes("JPEG"), "image/jpeg")},
        )

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.logo.name.endswith(".jpg")
    assert not (private_storage / old_name).exists()
    served = client.get(reverse("members:organisation_logo", args=[member.slug]))
    assert served["Content-Type"] == "image/jpeg"
    served.close()


def test_the_logo_can_be_removed(
    client, member, private_storage, django_capture_on_commit_callbacks
):
    member.logo.save("ancien.png", ContentFile(image_bytes("PNG")))
    old_name = member.logo.name
    client.force_login(member.user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(edit_url(member), {**edit_data(member), "remove_logo": "on"})

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.logo.name == ""
    assert not (private_storage / old_name).exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("logo.png", b"ceci n'est pas une image", "Ce fichier n'est pas une image valide."),
        (
            "logo.gif",
            image_bytes("GIF"),
            "Le logo doit être une image au format PNG, JPEG ou WebP.",
        ),
        ("logo.png", image_bytes("PNG")[:40], "Ce fichier n'est pas une image valide."),
    ],
)
def test_a_file_that_is_not_an_accepted_image_is_refused(
    client, member, private_storage, name, content, message
):
    before = snapshot(member)
    client.force_login(member.user)

    response = client.post(
        edit_url(member),
        {**edit_data(member, description="Gardée"), "logo": upload(name, content)},
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert escape(message) in html
    assert "Gardée</textarea>" in html
    assert snapshot(member) == before
    assert list(private_storage.rglob("*.*")) == []


def test_a_logo_over_the_size_limit_is_refused(client, member, private_storage, settings):
    settings.LOGO_MAX_BYTES = 2_000
    content = image_bytes("PNG", size=(64, 64), noise=True)
    assert len(content) > 2_000
    before = snapshot(member)
    client.force_login(member.user)

    response = client.post(
        edit_url(member), {**edit_data(member), "logo": upload("gros.png", content)}
    )

    assert response.status_code == 200
    assert escape("Le logo ne doit pas dépasser 2,0\xa0Kio.") in response.content.decode()
    assert snapshot(member) == before
    assert list(private_storage.rglob("*.*")) == []


@pytest.mark.rule("M2")
def test_no_logo_file_is_left_when_m2_refuses_the_edit(client, member, private_storage):
    client.force_login(member.user)

    response = client.post(
        edit_url(member),
        {
            **edit_data(
                member,
                establishments={0: {"is_active": ""}},
                new={
                    "address": "1 rue de Rivoli",
                    "postcode": "75001",
                    "city": "Paris",
                    "is_active": "on",
                },
            ),  # fmt: skip
            "logo": upload("logo.png", image_bytes("PNG")),
        },
    )

    assert response.status_code == 200
    assert M2_MESSAGE in response.content.decode()
    member.refresh_from_db()
    assert member.logo.name == ""
    assert list(private_storage.rglob("*.*")) == []
