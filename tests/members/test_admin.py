"""The COPIL's admin of the members registry: lists, filters, inlines, status decisions, roles."""

import datetime

import pytest
from django import forms
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from charters.models import CharterVersion
from core.models import AuditEntry
from members import selectors
from members.admin import STATUS_DECISION_MAX, StatusChangeInline
from members.constants import Role, Status, StatusReason
from members.models import Establishment, OfferCategory, Organisation, StatusChange, User

from .factories import (
    EstablishmentFactory,
    OrganisationFactory,
    StatusChangeFactory,
    UserFactory,
    member_organisation,
)

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:members_organisation_changelist"


def staff_in(role: str, **kwargs) -> User:
    user = UserFactory(is_staff=True, **kwargs)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def superuser():
    return UserFactory(is_staff=True, is_superuser=True, email="admin@cos-ge.fr")


@pytest.fixture
def copil():
    return staff_in(Role.COPIL, email="copil@cos-ge.fr")


@pytest.fixture
def team():
    return staff_in(Role.STAFF, email="equipe@cos-ge.fr")


def texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def change_form_data(response) -> dict:
    """The POST data of an admin change page as displayed (main form and inlines)."""
    data = {}

    def add(form):
        for bound in form:
            if isinstance(bound.field, forms.FileField):
                continue
            value = bound.value()
            if value is None:
                continue
            if isinstance(bound.field.widget, forms.MultiWidget):  # date and time
                for index, part in enumerate(bound.field.widget.decompress(value)):
                    data[f"{bound.html_name}_{index}"] = "" if part is None else str(part)
                continue
            if isinstance(value, bool):
                if value:
                    data[bound.html_name] = "on"
                continue
            if isinstance(value, list | tuple):
                data[bound.html_name] = [str(v) for v in value]
                continue
            data[bound.html_name] = str(value)

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for bound in formset.management_form:
            data[bound.html_name] = str(bound.value())
        for form in formset.forms:
            add(form)
    return data


# --- The list of organisations ---------------------------------------------------------


def test_the_changelist_shows_name_kind_current_status_and_departments(client, superuser):
    member = member_organisation(legal_name="Acier Lorrain")
    EstablishmentFactory(organisation=member, postcode="67000", city="Strasbourg")
    EstablishmentFactory(organisation=member, postcode="75001", city="Paris", is_active=False)
    OrganisationFactory(legal_name="Sans Statut")
    client.force_login(superuser)

    response = client.get(reverse(CHANGELIST))

    assert response.status_code == 200
    rows = {row.legal_name: row for row in response.context["cl"].result_list}  # annotated rows
    assert rows["Acier Lorrain"].current_status == Status.MEMBER
    assert rows["Sans Statut"].current_status is None
    content = response.content.decode()
    assert "Membre" in content
    assert "Aucun" in content
    assert "57, 67" in content  # the inactive Paris establishment is not listed


def test_the_changelist_query_count_is_constant(client, superuser, django_assert_max_num_queries):
    client.force_login(superuser)
    client.get(reverse(CHANGELIST))  # warm the session and the content types

    counts = []
    created = 0
    for total in (5, 50):
        while created < total:
            organisation = member_organisation()
            EstablishmentFactory(organisation=organisation, postcode="10000", city="Troyes")
            StatusChangeFactory(
                organisation=organisation, status=Status.NONE, reason=StatusReason.RESIGNED,
                effective_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC),
            )  # fmt: skip
            created += 1
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse(CHANGELIST))
        assert response.status_code == 200
        assert len(response.context["cl"].result_list) == total
        counts.append(len(queries))

    # Session, user with their groups (a superuser is not the COPIL by default: the
    # decision actions ask, G2), counts, the page of rows with their status, their active
    # establishments, and the choices of the department and category filters.
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(8):
        client.get(reverse(CHANGELIST))


def test_the_status_filter_uses_the_current_status(client, superuser):
    member = member_organisation(legal_name="Membre Actuel")
    partner = member_organisation(legal_name="Partenaire", status=Status.PARTNER)
    former = member_organisation(legal_name="Ancien Membre")
    StatusChangeFactory(
        organisation=former, status=Status.NONE, reason=StatusReason.RESIGNED,
        effective_at=timezone.now() - datetime.timedelta(days=1),
    )  # fmt: skip
    never = OrganisationFactory(legal_name="Jamais")
    client.force_login(superuser)

    def listed(status):
        response = client.get(reverse(CHANGELIST), {"statut": status})
        assert response.status_code == 200
        return set(response.context["cl"].result_list)

    assert listed(Status.MEMBER) == {member}
    assert listed(Status.PARTNER) == {partner}
    assert listed(Status.NONE) == {former, never}
    assert listed(Status.INVITEE) == set()


def test_the_department_filter_lists_active_establishments_once(client, superuser):
    two_in_moselle = OrganisationFactory(legal_name="Deux Sites Mosellans")
    EstablishmentFactory(organisation=two_in_moselle, postcode="57000", city="Metz")
    EstablishmentFactory(organisation=two_in_moselle, postcode="57100", city="Thionville")
    closed = OrganisationFactory(legal_name="Site Fermé")
    EstablishmentFactory(
        organisation=closed, postcode="57200", city="Sarreguemines", is_active=False
    )
    EstablishmentFactory(organisation=closed, postcode="88000", city="Épinal")
    client.force_login(superuser)

    response = client.get(reverse(CHANGELIST), {"departement": "57"})

    assert list(response.context["cl"].result_list) == [two_in_moselle]
    choices = [choice["display"] for choice in _filter_choices(response, "département")]
    assert "57 — Moselle" in choices
    assert "88 — Vosges" in choices
    response = client.get(reverse(CHANGELIST), {"departement": "88"})
    assert list(response.context["cl"].result_list) == [closed]


def _filter_choices(response, title):
    for spec in response.context["cl"].filter_specs:
        if str(spec.title) == title:
            return list(spec.choices(response.context["cl"]))
    raise AssertionError(f"no filter {title}")


@pytest.mark.parametrize(
    "query", ["Usinage", "732829320", "73282932000074", "Charleville", "08000"]
)
def test_search_by_name_siren_siret_city_and_postcode(client, superuser, query):
    found = OrganisationFactory(legal_name="Usinage de précision", siren="732829320")
    EstablishmentFactory(
        organisation=found, siret="73282932000074", postcode="08000", city="Charleville-Mézières"
    )
    EstablishmentFactory(organisation=found, postcode="08090", city="Charleville-Mézières")
    other = OrganisationFactory(legal_name="Autre")
    EstablishmentFactory(organisation=other, postcode="51100", city="Reims")
    client.force_login(superuser)

    response = client.get(reverse(CHANGELIST), {"q": query})

    assert list(response.context["cl"].result_list) == [found]


def test_filters_by_kind_and_offer_category(client, superuser):
    association = OrganisationFactory(legal_name="Association", kind="association")
    association.offer_categories.add(*OfferCategory.objects.filter(slug="robotique"))
    OrganisationFactory(legal_name="Entreprise")
    client.force_login(superuser)

    by_kind = client.get(reverse(CHANGELIST), {"kind__exact": "association"})
    category = OfferCategory.objects.get(slug="robotique")
    by_category = client.get(reverse(CHANGELIST), {"offer_categories__id__exact": category.pk})

    assert list(by_kind.context["cl"].result_list) == [association]
    assert list(by_category.context["cl"].result_list) == [association]


# --- The organisation page and its inlines --------------------------------------------


def test_the_change_page_shows_establishments_representatives_and_history(client, superuser):
    organisation = member_organisation(legal_name="Forge de l'Est")
    StatusChange.objects.filter(organisation=organisation).delete()
    copil_member = UserFactory(first_name="Anne", last_name="Décideuse")
    StatusChangeFactory(
        organisation=organisation, status=Status.MEMBER, reason=StatusReason.APPROVED,
        decided_by=copil_member, explanation="Dossier complet", notice_reference="LR-2024-07",
    )  # fmt: skip
    client.force_login(superuser)

    response = client.get(reverse("admin:members_organisation_change", args=[organisation.pk]))

    assert response.status_code == 200
    content = response.content.decode()
    for text in ("Metz", "Candidature validée", "Anne Décideuse", "Dossier complet", "LR-2024-07"):
        assert text in content
    assert "Enregistrer un changement de statut" in content
    assert reverse("admin:members_organisation_status", args=[organisation.pk]) in content


def test_the_status_history_inline_is_read_only(rf, superuser):
    inline = StatusChangeInline(Organisation, admin.site)
    request = rf.get("/")
    request.user = superuser

    assert inline.has_add_permission(request) is False
    assert inline.has_change_permission(request) is False
    assert inline.has_delete_permission(request) is False
    assert inline.has_view_permission(request) is True


def test_an_invalid_siret_in_the_establishment_inline_is_refused(client, superuser):
    organisation = OrganisationFactory(legal_name="Chaudronnerie")
    establishment = EstablishmentFactory(organisation=organisation, siret="73282932000074")
    client.force_login(superuser)
    url = reverse("admin:members_organisation_change", args=[organisation.pk])
    data = change_form_data(client.get(url))
    data["establishments-0-siret"] = "73282932000075"
    data["establishments-0-postcode"] = "5700"

    response = client.post(url, data)

    assert response.status_code == 200
    content = response.content.decode()
    assert "Ce numéro SIRET n&#x27;est pas valide (sa clé de contrôle est fausse)." in content
    assert "Un code postal français comporte exactement 5 chiffres." in content
    establishment.refresh_from_db()
    assert establishment.siret == "73282932000074"
    assert establishment.postcode == "57000"


def test_the_establishment_inline_saves_a_valid_change(client, superuser):
    organisation = OrganisationFactory(legal_name="Chaudronnerie")
    establishment = EstablishmentFactory(organisation=organisation)
    client.force_login(superuser)
    url = reverse("admin:members_organisation_change", args=[organisation.pk])
    data = change_form_data(client.get(url))
    data["establishments-0-postcode"] = "54000"
    data["establishments-0-city"] = "Nancy"

    response = client.post(url, data)

    assert response.status_code == 302, response.context and response.context["errors"]
    establishment.refresh_from_db()
    assert (establishment.postcode, establishment.city, establishment.department) == (
        "54000",
        "Nancy",
        "54",
    )


@pytest.mark.rule("M2")
def test_a_member_cannot_lose_its_last_grand_est_establishment_in_the_admin(client, superuser):
    organisation = member_organisation(legal_name="Membre Lorrain")
    establishment = organisation.establishments.get()
    client.force_login(superuser)
    url = reverse("admin:members_organisation_change", args=[organisation.pk])
    data = change_form_data(client.get(url))
    data.pop("establishments-0-is_active")

    response = client.post(url, data)

    assert response.status_code == 200
    assert "au moins un établissement actif en région Grand Est" in response.content.decode()
    establishment.refresh_from_db()
    assert establishment.is_active is True


def test_adding_an_organisation_goes_through_the_service(client, superuser):
    client.force_login(superuser)
    url = reverse("admin:members_organisation_add")
    data = change_form_data(client.get(url))
    data.update(
        {
            "legal_name": "Nouvelle Fonderie",
            "kind": "company",
            "establishments-TOTAL_FORMS": "1",
            "establishments-0-address": "3 rue des Forges",
            "establishments-0-postcode": "52000",
            "establishments-0-city": "Chaumont",
            "establishments-0-is_active": "on",
        }
    )

    response = client.post(url, data)

    assert response.status_code == 302
    organisation = Organisation.objects.get(legal_name="Nouvelle Fonderie")
    assert organisation.slug == "nouvelle-fonderie"
    assert organisation.establishments.get().department == "52"
    entry = AuditEntry.objects.get(action="members.organisation.created")
    assert entry.actor == superuser
    assert entry.object_id == str(organisation.pk)


# --- Status decisions: through the service only ----------------------------------------


def test_the_status_action_shows_an_intermediate_form(client, copil):
    first = OrganisationFactory(legal_name="Alpha")
    second = OrganisationFactory(legal_name="Bêta")
    client.force_login(copil)

    response = client.post(
        reverse(CHANGELIST),
        {"action": "record_status_change", "_selected_action": [first.pk, second.pk]},
    )

    assert response.status_code == 200
    assert response.templates[0].name == "admin/members/organisation/status_change.html"
    content = response.content.decode()
    assert "Alpha" in content and "Bêta" in content
    assert 'name="apply"' in content
    assert StatusChange.objects.count() == 0


def test_the_status_action_takes_a_bounded_number_of_organisations(client, copil):
    """Every organisation of a decision is listed on its form, then decided by its own
    service call in the request: beyond STATUS_DECISION_MAX, the list says to choose fewer
    (« Sélectionner les 20 000 » would time out half applied)."""
    OrganisationFactory.create_batch(STATUS_DECISION_MAX + 1)
    one = Organisation.objects.first()
    client.force_login(copil)

    response = client.post(
        reverse(CHANGELIST),
        {"action": "record_status_change", "_selected_action": [one.pk], "select_across": "1"},
    )

    assert response.status_code == 302
    assert texts(response) == [
        f"{STATUS_DECISION_MAX + 1} entités sont choisies : une décision de statut en prend "
        f"au plus {STATUS_DECISION_MAX} à la fois. Filtrez la liste ou cochez-en moins."
    ]
    assert StatusChange.objects.count() == 0


@pytest.mark.rule("S1", "P1", "G2")
def test_the_status_action_records_each_decision_and_reports_refusals(client, copil):
    metz = OrganisationFactory(legal_name="Metz Robotique")
    EstablishmentFactory(organisation=metz, postcode="57000")
    partner = member_organisation(legal_name="Déjà Partenaire", status=Status.PARTNER)
    already = member_organisation(legal_name="Déjà Membre")
    before = set(StatusChange.objects.values_list("pk", flat=True))
    client.force_login(copil)

    response = client.post(
        reverse(CHANGELIST),
        {
            "action": "record_status_change",
            "_selected_action": [metz.pk, partner.pk, already.pk],
            "apply": "1",
            "status": Status.PARTNER,
            "reason": StatusReason.GRANTED,
            "explanation": "Décision de la réunion du COPIL",
            "notice_reference": "COPIL-2024-12",
        },
    )

    assert response.status_code == 302
    new = StatusChange.objects.exclude(pk__in=before)
    assert new.count() == 1
    change = new.get()
    assert change.organisation == metz
    assert change.status == Status.PARTNER
    assert change.decided_by == copil
    assert change.notice_reference == "COPIL-2024-12"
    assert change.explanation == "Décision de la réunion du COPIL"
    messages = texts(response)
    assert "Statut « Partenaire » enregistré pour 1 entité : Metz Robotique." in messages
    assert (
        "Déjà Partenaire : La charte ne permet pas de passer du statut « Partenaire » au statut "
        "« Partenaire »."
    ) in messages
    assert (
        "Déjà Membre : La charte ne permet pas de passer du statut « Membre » au statut "
        "« Partenaire »."
    ) in messages
    assert selectors.organisation_status(organisation=already) == Status.MEMBER
    assert AuditEntry.objects.filter(action="members.status.partner").count() == 1


def test_a_reason_that_does_not_fit_the_status_is_refused(client, copil):
    organisation = member_organisation()
    before = StatusChange.objects.count()
    client.force_login(copil)

    response = client.post(
        reverse(CHANGELIST),
        {
            "action": "record_status_change",
            "_selected_action": [organisation.pk],
            "apply": "1",
            "status": Status.NONE,
            "reason": StatusReason.APPROVED,
        },
    )

    assert response.status_code == 200
    assert (
        "Le motif « Candidature validée » ne correspond pas au statut « Aucun »."
        in response.content.decode()
    )
    assert StatusChange.objects.count() == before


@pytest.mark.rule("L4")
def test_an_exclusion_goes_through_its_procedure_even_without_a_ground(client, copil):
    organisation = member_organisation()
    before = StatusChange.objects.count()
    client.force_login(copil)

    response = client.post(
        reverse("admin:members_organisation_status", args=[organisation.pk]),
        {"apply": "1", "status": Status.NONE, "reason": StatusReason.EXCLUDED},
    )

    assert response.status_code == 200
    assert "ouvrez une procédure dans « Procédures d&#x27;exclusion »" in (
        response.content.decode()
    )
    assert StatusChange.objects.count() == before


@pytest.mark.rule("S1", "S2", "P5")
def test_the_status_form_of_one_organisation(client, copil):
    organisation = member_organisation(legal_name="Partenaire Sortant", status=Status.PARTNER)
    url = reverse("admin:members_organisation_status", args=[organisation.pk])
    client.force_login(copil)

    page = client.get(url)
    response = client.post(
        url,
        {
            "apply": "1",
            "status": Status.NONE,
            "reason": StatusReason.PARTNERSHIP_ENDED,
            "explanation": "Courriel du 3 mars",
        },
    )

    assert page.status_code == 200
    assert "Partenaire Sortant" in page.content.decode()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "admin:members_organisation_change", args=[organisation.pk]
    )
    latest = organisation.status_changes.latest()
    assert (latest.status, latest.reason, latest.decided_by) == (
        Status.NONE,
        StatusReason.PARTNERSHIP_ENDED,
        copil,
    )
    assert organisation not in selectors.directory_list()


def test_an_end_date_is_only_for_partners_and_invitees(client, copil):
    organisation = OrganisationFactory()
    EstablishmentFactory(organisation=organisation, postcode="75001")
    client.force_login(copil)
    url = reverse("admin:members_organisation_status", args=[organisation.pk])
    next_year = datetime.date.today() + datetime.timedelta(days=365)

    refused = client.post(
        url,
        {"apply": "1", "status": Status.NONE, "reason": StatusReason.INVITATION_EXPIRED,
         "ends_on": next_year.isoformat()},
    )  # fmt: skip
    granted = client.post(
        url,
        {"apply": "1", "status": Status.PARTNER, "reason": StatusReason.GRANTED,
         "ends_on": next_year.isoformat()},
    )  # fmt: skip

    assert refused.status_code == 200
    assert "Seuls un partenariat ou une invitation peuvent avoir une date de fin." in (
        refused.content.decode()
    )
    assert granted.status_code == 302
    change = organisation.status_changes.get()
    assert (change.status, change.ends_on) == (Status.PARTNER, next_year)


def test_the_status_change_admin_is_read_only(client, superuser):
    change = StatusChangeFactory()
    client.force_login(superuser)

    listing = client.get(reverse("admin:members_statuschange_changelist"), {"status": "member"})
    add = client.get(reverse("admin:members_statuschange_add"))
    view = client.get(reverse("admin:members_statuschange_change", args=[change.pk]))
    edit = client.post(
        reverse("admin:members_statuschange_change", args=[change.pk]), {"status": "none"}
    )
    delete = client.post(
        reverse("admin:members_statuschange_delete", args=[change.pk]), {"post": "yes"}
    )

    assert listing.status_code == 200
    assert list(listing.context["cl"].result_list) == [change]
    assert add.status_code == 403
    assert view.status_code == 200
    assert edit.status_code == 403
    assert delete.status_code == 403
    change.refresh_from_db()
    assert change.status == Status.MEMBER


# --- The audit trail and the charter versions ------------------------------------------


def test_the_audit_trail_is_read_only_and_searchable(client, superuser):
    organisation = OrganisationFactory()
    EstablishmentFactory(organisation=organisation)
    from members import services

    services.organisation_status_change(
        organisation=organisation, status=Status.MEMBER, reason=StatusReason.APPROVED,
        actor=superuser,
    )  # fmt: skip
    entry = AuditEntry.objects.get()
    client.force_login(superuser)

    listing = client.get(reverse("admin:cos_portal_auditentry_changelist"), {"q": organisation.pk})
    by_action = client.get(
        reverse("admin:cos_portal_auditentry_changelist"), {"action": "members.status.member"}
    )
    view = client.get(reverse("admin:cos_portal_auditentry_change", args=[entry.pk]))
    add = client.get(reverse("admin:cos_portal_auditentry_add"))
    edit = client.post(
        reverse("admin:cos_portal_auditentry_change", args=[entry.pk]), {"action": "x"}
    )
    delete = client.post(
        reverse("admin:cos_portal_auditentry_delete", args=[entry.pk]), {"post": "yes"}
    )

    assert list(listing.context["cl"].result_list) == [entry]
    assert list(by_action.context["cl"].result_list) == [entry]
    assert view.status_code == 200
    assert "&quot;to&quot;: &quot;member&quot;" in view.content.decode()
    assert (add.status_code, edit.status_code, delete.status_code) == (403, 403, 403)
    entry.refresh_from_db()
    assert entry.action == "members.status.member"


@pytest.mark.rule("W1")
def test_the_charter_version_admin_shows_the_fingerprint_read_only(client, superuser):
    version = CharterVersion.objects.create(
        label="V1R001",
        title="Charte de la COS-GE",
        body="Article 1\n",
        effective_date=datetime.date(2021, 12, 2),
    )
    client.force_login(superuser)

    listing = client.get(reverse("admin:charters_charterversion_changelist"), {"q": "V1R001"})
    page = client.get(reverse("admin:charters_charterversion_change", args=[version.pk]))

    assert list(listing.context["cl"].result_list) == [version]
    assert "text_sha256" not in page.context["adminform"].form.fields
    assert version.text_sha256 in page.content.decode()


# --- People -----------------------------------------------------------------------------


def test_the_user_admin_lists_and_searches_by_email_and_name(client, superuser, copil):
    UserFactory(email="marie.curie@exemple.fr", first_name="Marie", last_name="Curie")
    client.force_login(superuser)

    listing = client.get(reverse("admin:members_user_changelist"))
    by_name = client.get(reverse("admin:members_user_changelist"), {"q": "Curie"})
    by_email = client.get(reverse("admin:members_user_changelist"), {"q": "copil@cos-ge"})

    assert listing.status_code == 200
    assert "COPIL" in listing.content.decode()  # the groups column
    assert [u.email for u in by_name.context["cl"].result_list] == ["marie.curie@exemple.fr"]
    assert [u.email for u in by_email.context["cl"].result_list] == ["copil@cos-ge.fr"]


def test_a_person_is_added_by_email_without_a_password(client, superuser):
    client.force_login(superuser)

    response = client.post(
        reverse("admin:members_user_add"),
        {"email": "Nouvelle.Personne@Exemple.fr", "usable_password": "false"},
    )
    duplicate = client.post(
        reverse("admin:members_user_add"),
        {"email": "nouvelle.personne@exemple.fr", "usable_password": "false"},
    )

    assert response.status_code == 302
    user = User.objects.get(email__iexact="nouvelle.personne@exemple.fr")
    assert not user.has_usable_password()
    assert duplicate.status_code == 200
    assert "Une personne a déjà cette adresse e-mail." in duplicate.content.decode()
    assert User.objects.filter(email__iexact="nouvelle.personne@exemple.fr").count() == 1


# --- Roles --------------------------------------------------------------------------


@pytest.mark.rule("G2")
def test_a_copil_member_lists_decides_and_imports(client, copil):
    organisation = OrganisationFactory(legal_name="Partenaire Messin")
    EstablishmentFactory(organisation=organisation, postcode="57000")
    client.force_login(copil)

    listing = client.get(reverse(CHANGELIST))
    action_names = [
        name for name, _label in listing.context["action_form"].fields["action"].choices
    ]
    decision = client.post(
        reverse(CHANGELIST),
        {
            "action": "record_status_change",
            "_selected_action": [organisation.pk],
            "apply": "1",
            "status": Status.PARTNER,
            "reason": StatusReason.GRANTED,
        },
    )
    import_page = client.get(reverse("admin:members_organisation_import"))
    representatives_import = client.get(reverse("admin:members_representative_import"))
    change_page = client.get(reverse("admin:members_organisation_change", args=[organisation.pk]))

    assert listing.status_code == 200
    assert "record_status_change" in action_names
    assert decision.status_code == 302
    assert selectors.organisation_status(organisation=organisation) == Status.PARTNER
    assert organisation.status_changes.get().decided_by == copil
    assert import_page.status_code == 200
    assert representatives_import.status_code == 200
    assert change_page.status_code == 200
    assert "Enregistrer un changement de statut" in change_page.content.decode()


def test_the_team_views_but_does_not_change(client, team):
    organisation = member_organisation(legal_name="Vue Seule")
    establishment = organisation.establishments.get()
    change_url = reverse("admin:members_organisation_change", args=[organisation.pk])
    client.force_login(team)

    listing = client.get(reverse(CHANGELIST))
    page = client.get(change_url)
    edit = client.post(
        change_url,
        {"legal_name": "Renommée", "kind": "company", "establishments-TOTAL_FORMS": "0"},
    )
    decision = client.post(
        reverse(CHANGELIST),
        {
            "action": "record_status_change",
            "_selected_action": [organisation.pk],
            "apply": "1",
            "status": Status.NONE,
            "reason": StatusReason.EXCLUDED,
            "explanation": "Essai",
        },
    )
    single = client.post(
        reverse("admin:members_organisation_status", args=[organisation.pk]),
        {"apply": "1", "status": Status.NONE, "reason": StatusReason.RESIGNED},
    )
    import_page = client.get(reverse("admin:members_organisation_import"))
    statuses = client.get(reverse("admin:members_statuschange_changelist"))

    assert listing.status_code == 200
    assert page.status_code == 200
    assert "Vue Seule" in page.content.decode()
    assert "Enregistrer un changement de statut" not in page.content.decode()
    assert listing.context["action_form"] is None  # no action at all for the team
    assert edit.status_code == 403
    assert decision.status_code == 200  # the list again: the action is not offered
    assert single.status_code == 403
    assert import_page.status_code == 403
    assert statuses.status_code == 200
    organisation.refresh_from_db()
    establishment.refresh_from_db()
    assert organisation.legal_name == "Vue Seule"
    assert establishment.is_active is True
    assert selectors.organisation_status(organisation=organisation) == Status.MEMBER
    assert organisation.status_changes.count() == 1


def test_a_person_without_staff_status_cannot_open_the_admin(client):
    user = UserFactory()
    user.groups.add(Group.objects.get(name=Role.COPIL))
    client.force_login(user)

    response = client.get(reverse(CHANGELIST))

    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]
    assert Establishment.objects.count() == 0


def test_a_person_is_edited_in_the_admin(client, superuser):
    person = UserFactory(email="lea@exemple.fr", first_name="Léa")
    client.force_login(superuser)
    url = reverse("admin:members_user_change", args=[person.pk])
    page = client.get(url)
    data = change_form_data(page)
    data["last_name"] = "Petit"
    data["groups"] = [str(Group.objects.get(name=Role.ORGANISERS).pk)]

    response = client.post(url, data)

    assert page.status_code == 200
    assert "username" not in page.context["adminform"].form.fields
    assert response.status_code == 302, response.context["adminform"].form.errors
    person.refresh_from_db()
    assert (person.first_name, person.last_name) == ("Léa", "Petit")
    assert list(person.groups.values_list("name", flat=True)) == [Role.ORGANISERS]


def test_an_email_address_taken_in_another_case_is_refused_on_edit(client, superuser):
    UserFactory(email="anne@exemple.fr")
    person = UserFactory(email="lea@exemple.fr")
    client.force_login(superuser)
    url = reverse("admin:members_user_change", args=[person.pk])
    data = change_form_data(client.get(url))
    data["email"] = "Anne@Exemple.fr"

    response = client.post(url, data)

    assert response.status_code == 200
    assert "Une personne a déjà cette adresse e-mail." in response.content.decode()
    person.refresh_from_db()
    assert person.email == "lea@exemple.fr"
