"""The status lifecycle of an organisation: S1 (history), S2 (benefits), M2 (Grand Est)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from freezegun import freeze_time

from core.models import AuditEntry
from members import selectors, services
from members.constants import Status, StatusReason
from members.exceptions import NotInGrandEst, TransitionNotAllowed
from members.models import Organisation, StatusChange, User

from .factories import (
    EstablishmentFactory,
    OrganisationFactory,
    StatusChangeFactory,
    UserFactory,
    member_organisation,
)

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
JAN_10 = datetime.datetime(2024, 1, 10, 9, 30, tzinfo=PARIS)
MAR_01 = datetime.datetime(2024, 3, 1, 14, 0, tzinfo=PARIS)


def in_grand_est(**kwargs):
    organisation = OrganisationFactory(**kwargs)
    EstablishmentFactory(organisation=organisation, postcode="57000", city="Metz")
    return organisation


# --- S1: every change is a dated, attributed record; the status derives from it ----------


@pytest.mark.rule("S1")
def test_a_status_change_is_a_dated_attributed_record():
    organisation = in_grand_est()
    copil = UserFactory()

    change = services.organisation_status_change(
        organisation=organisation,
        status=Status.MEMBER,
        reason=StatusReason.APPROVED,
        actor=copil,
        explanation="Dossier complet, visite de l'atelier faite.",
        notice_reference="COPIL-2024-003",
        now=JAN_10,
    )

    change.refresh_from_db()
    assert change.organisation == organisation
    assert change.status == Status.MEMBER
    assert change.reason == StatusReason.APPROVED
    assert change.effective_at == JAN_10
    assert change.recorded_at == JAN_10
    assert change.decided_by == copil
    assert change.explanation == "Dossier complet, visite de l'atelier faite."
    assert change.notice_reference == "COPIL-2024-003"
    assert change.ends_on is None


@pytest.mark.rule("S1")
def test_the_status_at_a_date_is_derived_from_the_history():
    organisation = in_grand_est()
    copil = UserFactory()
    services.organisation_status_change(
        organisation=organisation, status=Status.MEMBER, reason=StatusReason.APPROVED,
        actor=copil, now=JAN_10,
    )  # fmt: skip
    services.organisation_status_change(
        organisation=organisation, status=Status.NONE, reason=StatusReason.RESIGNED,
        actor=copil, now=MAR_01,
    )  # fmt: skip

    def status_at(moment):
        return selectors.organisation_status(organisation=organisation, at=moment)

    assert status_at(JAN_10 - datetime.timedelta(seconds=1)) == Status.NONE
    assert status_at(JAN_10) == Status.MEMBER
    assert status_at(datetime.datetime(2024, 2, 15, tzinfo=PARIS)) == Status.MEMBER
    assert status_at(MAR_01) == Status.NONE
    # Both changes stay in the history: nothing was overwritten.
    assert list(
        organisation.status_changes.order_by("effective_at").values_list("status", flat=True)
    ) == [Status.MEMBER, Status.NONE]
    # The annotated list agrees with the history at both dates.
    at_feb = selectors.organisation_list_with_status(
        at=datetime.datetime(2024, 2, 15, tzinfo=PARIS)
    )
    assert at_feb.get(pk=organisation.pk).current_status == Status.MEMBER
    at_apr = selectors.organisation_list_with_status(at=datetime.datetime(2024, 4, 1, tzinfo=PARIS))
    assert at_apr.get(pk=organisation.pk).current_status == Status.NONE


@pytest.mark.rule("S1")
def test_the_current_status_follows_the_clock():
    organisation = in_grand_est()
    with freeze_time(JAN_10):
        services.organisation_status_change(
            organisation=organisation, status=Status.MEMBER, reason=StatusReason.APPROVED
        )
    with freeze_time(MAR_01):
        services.organisation_status_change(
            organisation=organisation,
            status=Status.NONE,
            reason=StatusReason.EXCLUDED,
            explanation="Manquement à l'article 3.3.",  # L3: a stated ground
        )
    with freeze_time(datetime.datetime(2024, 2, 1, tzinfo=PARIS)):
        assert selectors.organisation_status(organisation=organisation) == Status.MEMBER
    with freeze_time(datetime.datetime(2024, 3, 2, tzinfo=PARIS)):
        assert selectors.organisation_status(organisation=organisation) == Status.NONE


@pytest.mark.rule("S1")
def test_a_status_change_is_never_edited():
    change = StatusChangeFactory(status=Status.MEMBER, reason=StatusReason.APPROVED)

    change.status = Status.NONE
    with pytest.raises(ValueError, match="never edited"):
        change.save()

    change.refresh_from_db()
    assert change.status == Status.MEMBER
    assert StatusChange.objects.count() == 1


@pytest.mark.rule("S1")
@pytest.mark.parametrize(
    ("current", "wanted"),
    [
        (Status.MEMBER, Status.APPLICANT),
        (Status.MEMBER, Status.PARTNER),
        (Status.MEMBER, Status.INVITEE),
        (Status.PARTNER, Status.MEMBER),
        (Status.APPLICANT, Status.PARTNER),
    ],
)
def test_a_forbidden_transition_raises_and_records_nothing(current, wanted):
    organisation = member_organisation(status=current)
    changes_before = list(StatusChange.objects.values_list("pk", flat=True))
    audit_before = AuditEntry.objects.count()

    with pytest.raises(TransitionNotAllowed) as excinfo:
        services.organisation_status_change(
            organisation=organisation,
            status=wanted,
            reason=StatusReason.GRANTED,
            actor=UserFactory(),
        )

    assert str(excinfo.value.message) == (
        f"La charte ne permet pas de passer du statut « {Status(current).label} » "
        f"au statut « {Status(wanted).label} »."
    )
    assert list(StatusChange.objects.values_list("pk", flat=True)) == changes_before
    assert AuditEntry.objects.count() == audit_before
    assert selectors.organisation_status(organisation=organisation) == current


@pytest.mark.rule("S1")
def test_a_status_change_writes_an_audit_entry():
    organisation = in_grand_est()
    copil = UserFactory()

    services.organisation_status_change(
        organisation=organisation,
        status=Status.MEMBER,
        reason=StatusReason.APPROVED,
        actor=copil,
        notice_reference="COPIL-2024-003",
        now=JAN_10,
    )

    entry = AuditEntry.objects.get(action="members.status.member")
    assert entry.actor == copil
    assert entry.created_at == JAN_10
    assert entry.object_type == "members.organisation"
    assert entry.object_id == str(organisation.pk)
    assert entry.data == {
        "from": Status.NONE,
        "to": Status.MEMBER,
        "reason": StatusReason.APPROVED,
        "notice": "COPIL-2024-003",
    }


# --- S2: losing the status removes the benefits the same day -----------------------------


@pytest.mark.rule("S2", "L5")
@pytest.mark.parametrize("reason", [StatusReason.RESIGNED, StatusReason.EXCLUDED])
def test_a_resigned_or_excluded_member_leaves_the_directory_the_same_day(reason):
    day = datetime.datetime(2024, 6, 12, 10, 0, tzinfo=PARIS)

    with freeze_time(day):
        organisation = member_organisation()  # members since a month ago
        other = member_organisation()
        assert set(selectors.directory_list()) == {organisation, other}
        services.organisation_status_change(
            organisation=organisation,
            status=Status.NONE,
            reason=reason,
            actor=UserFactory(),
            explanation="Motif indiqué.",  # L3: an exclusion states its ground
        )
        assert list(selectors.directory_list()) == [other]
    # Later the same day, too.
    with freeze_time(day.replace(hour=23, minute=59)):
        assert list(selectors.directory_list()) == [other]


@pytest.mark.rule("S2", "P5")
def test_a_partner_whose_partnership_ended_leaves_the_directory_at_once():
    partner = member_organisation(status=Status.PARTNER, postcode="75001")
    now = timezone.now()

    services.organisation_status_change(
        organisation=partner, status=Status.NONE, reason=StatusReason.PARTNERSHIP_ENDED, now=now
    )

    assert list(selectors.directory_list(at=now)) == []
    assert list(selectors.directory_list(at=now - datetime.timedelta(minutes=1))) == [partner]


# --- M2: an active establishment in the Grand Est to become a member --------------------


@pytest.mark.rule("M2")
def test_becoming_member_without_a_grand_est_establishment_is_refused():
    organisation = OrganisationFactory()
    EstablishmentFactory(organisation=organisation, postcode="75001", city="Paris")
    audit_before = AuditEntry.objects.count()

    with pytest.raises(NotInGrandEst) as excinfo:
        services.organisation_status_change(
            organisation=organisation,
            status=Status.MEMBER,
            reason=StatusReason.APPROVED,
            actor=UserFactory(),
        )

    assert "au moins un établissement actif en région Grand Est" in str(excinfo.value.message)
    assert not StatusChange.objects.filter(organisation=organisation).exists()
    assert AuditEntry.objects.count() == audit_before
    assert selectors.organisation_status(organisation=organisation) == Status.NONE


@pytest.mark.rule("M2")
def test_an_organisation_without_any_establishment_cannot_become_member():
    organisation = OrganisationFactory()

    with pytest.raises(NotInGrandEst):
        services.organisation_status_change(
            organisation=organisation, status=Status.MEMBER, reason=StatusReason.APPROVED
        )

    assert not StatusChange.objects.filter(organisation=organisation).exists()


@pytest.mark.rule("M2")
def test_an_inactive_grand_est_establishment_does_not_count():
    organisation = OrganisationFactory()
    EstablishmentFactory(
        organisation=organisation, postcode="67000", city="Strasbourg", is_active=False
    )
    EstablishmentFactory(organisation=organisation, postcode="69001", city="Lyon")

    with pytest.raises(NotInGrandEst):
        services.organisation_status_change(
            organisation=organisation, status=Status.MEMBER, reason=StatusReason.APPROVED
        )

    assert not StatusChange.objects.filter(organisation=organisation).exists()


@pytest.mark.rule("M2")
def test_one_paris_and_one_metz_establishment_is_enough():
    organisation = OrganisationFactory()
    EstablishmentFactory(organisation=organisation, postcode="75008", city="Paris")
    EstablishmentFactory(organisation=organisation, postcode="57000", city="Metz")

    change = services.organisation_status_change(
        organisation=organisation, status=Status.MEMBER, reason=StatusReason.APPROVED, now=JAN_10
    )

    assert change.status == Status.MEMBER
    assert selectors.organisation_status(organisation=organisation, at=JAN_10) == Status.MEMBER


@pytest.mark.rule("M2")
def test_a_partner_may_be_outside_the_grand_est():
    organisation = OrganisationFactory()
    EstablishmentFactory(organisation=organisation, postcode="75008", city="Paris")

    change = services.organisation_status_change(
        organisation=organisation, status=Status.PARTNER, reason=StatusReason.GRANTED
    )

    assert change.status == Status.PARTNER


# --- Helpers of the admin and the import ---------------------------------------------


@pytest.mark.rule("S1")
def test_organisation_import_status_records_an_imported_change_once():
    organisation = in_grand_est()
    copil = UserFactory()

    first = services.organisation_import_status(
        organisation=organisation, status=Status.MEMBER, actor=copil
    )
    second = services.organisation_import_status(
        organisation=organisation, status=Status.MEMBER, actor=copil
    )

    assert first.reason == StatusReason.IMPORTED
    assert first.decided_by == copil
    assert second is None
    assert organisation.status_changes.count() == 1


def test_organisation_create_from_saves_through_the_service():
    copil = UserFactory()
    draft = Organisation(legal_name="  Atelier Lorrain  ", kind="association")

    organisation = services.organisation_create_from(organisation=draft, actor=copil)

    assert organisation is draft
    assert organisation.pk is not None
    assert organisation.legal_name == "Atelier Lorrain"
    assert organisation.slug == "atelier-lorrain"
    assert not organisation._state.adding
    entry = AuditEntry.objects.get(action="members.organisation.created")
    assert entry.actor == copil
    assert entry.object_id == str(organisation.pk)


def test_user_get_or_create_creates_a_person_without_a_usable_password():
    user, created = services.user_get_or_create(
        email="Claire.Martin@Exemple.FR", first_name="Claire", last_name="Martin"
    )

    assert created is True
    assert user.email == "Claire.Martin@exemple.fr"
    assert not user.has_usable_password()
    assert AuditEntry.objects.filter(action="members.user.created", object_id=str(user.pk)).exists()

    again, created_again = services.user_get_or_create(
        email="claire.martin@exemple.fr", first_name="Autre", last_name="Nom"
    )
    assert created_again is False
    assert again == user
    again.refresh_from_db()
    assert (again.first_name, again.last_name) == ("Claire", "Martin")
    assert User.objects.count() == 1
