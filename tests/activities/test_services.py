"""Activities and convocations (A1), registration, invitee attendance (M6)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from freezegun import freeze_time

from activities import selectors, services
from activities.constants import (
    ActivityKind,
    Attendance,
    ConvenedScope,
    ConvocationSource,
    Registration,
)
from activities.exceptions import NotAnOrganiser, NotConvened, RegistrationClosed
from activities.models import Activity, AttendanceRatio, Convocation, Participation
from core.models import AuditEntry
from members.constants import Status, StatusReason
from tests.members.factories import (
    EstablishmentFactory,
    OrganisationFactory,
    RepresentativeFactory,
    StatusChangeFactory,
    UserFactory,
    member_organisation,
)

from .factories import ActivityFactory, attend, convene

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 4, 1, 8, 0, tzinfo=datetime.UTC)


def create(**overrides):
    fields = {
        "kind": ActivityKind.ORDINARY_PLENARY,
        "title": "Assemblée plénière de printemps",
        "starts_at": NOW + datetime.timedelta(days=20),
        "ends_at": NOW + datetime.timedelta(days=20, hours=3),
        "place": "Technopôle, 1 rue Marconi",
        "postcode": "57070",
        "city": "Metz",
    }
    fields.update(overrides)
    return services.activity_create(**fields)


@pytest.mark.rule("A1")
@freeze_time(NOW)
def test_all_members_activity_convenes_the_members_at_its_date_and_named_organisations():
    member = member_organisation()
    member_organisation(status=Status.PARTNER)
    invitee = member_organisation(status=Status.INVITEE)
    organiser = UserFactory()

    activity = create(organisers=[organiser], invited_organisations=[invitee])

    convened = dict(activity.convocations.values_list("organisation", "source"))
    assert convened == {
        member.pk: ConvocationSource.ALL_MEMBERS,
        invitee.pk: ConvocationSource.NAMED,
    }
    assert list(activity.organisers.all()) == [organiser]
    assert AuditEntry.objects.filter(action="activities.activity.created").count() == 1


@pytest.mark.rule("A1")
@freeze_time(NOW)
def test_named_scope_convenes_only_the_named():
    member_organisation()
    partner = member_organisation(status=Status.PARTNER)
    expert = UserFactory()

    activity = create(
        kind=ActivityKind.WORKING_GROUP,
        convened_scope=ConvenedScope.NAMED,
        invited_organisations=[partner],
        invited_people=[expert],
    )

    assert list(activity.convocations.values_list("organisation", flat=True)) == [partner.pk]
    assert selectors.is_convened(user=expert, activity=activity) is True


@pytest.mark.rule("A1")
@freeze_time(NOW)
def test_place_outside_the_grand_est_is_refused_online_is_accepted():
    with pytest.raises(ValidationError):
        create(postcode="75001", city="Paris")
    with pytest.raises(ValidationError):
        create(place="", postcode="", online_url="")
    assert Activity.objects.count() == 0

    online = create(place="", postcode="", city="", online_url="https://visio.exemple.fr/cosge")
    assert online.is_online is True


@pytest.mark.rule("A1", "A3")
@freeze_time(NOW)
def test_member_joining_before_an_activity_is_convened_once_it_is_held():
    activity = create()
    newcomer = OrganisationFactory()
    EstablishmentFactory(organisation=newcomer)
    StatusChangeFactory(organisation=newcomer, effective_at=NOW + datetime.timedelta(days=5))
    assert not Convocation.objects.filter(organisation=newcomer).exists()

    with freeze_time(NOW + datetime.timedelta(days=21)):
        services.attendance_ratios_compute()

    assert Convocation.objects.filter(activity=activity, organisation=newcomer).exists()
    ratio = AttendanceRatio.objects.get(organisation=newcomer)
    assert (ratio.attended, ratio.convened) == (0, 1)


@freeze_time(NOW)
def test_convened_representative_registers_and_others_cannot():
    member = member_organisation()
    rep = RepresentativeFactory(organisation=member)
    outsider = RepresentativeFactory()
    activity = create()

    participation = services.participation_register(activity=activity, user=rep.user, coming=True)

    assert (participation.registration, participation.organisation) == (Registration.COMING, member)
    with pytest.raises(NotConvened):
        services.participation_register(activity=activity, user=outsider.user, coming=True)
    assert Participation.objects.count() == 1


@freeze_time(NOW)
def test_registration_closes_when_the_activity_starts():
    member = member_organisation()
    rep = RepresentativeFactory(organisation=member)
    activity = ActivityFactory(starts_at=NOW - datetime.timedelta(minutes=1))
    convene(activity, member)

    with pytest.raises(RegistrationClosed):
        services.participation_register(activity=activity, user=rep.user, coming=True)
    assert Participation.objects.count() == 0


@pytest.mark.rule("M6")
@freeze_time(NOW)
def test_invitee_attendance_is_recorded_for_the_application_review():
    organisation = OrganisationFactory()
    StatusChangeFactory(
        organisation=organisation,
        status=Status.INVITEE,
        reason=StatusReason.INVITED,
        effective_at=NOW - datetime.timedelta(days=100),
    )
    rep = RepresentativeFactory(organisation=organisation)
    as_invitee = ActivityFactory(starts_at=NOW - datetime.timedelta(days=50))
    excused = ActivityFactory(starts_at=NOW - datetime.timedelta(days=40))
    before_invitation = ActivityFactory(starts_at=NOW - datetime.timedelta(days=150))
    for activity in (as_invitee, excused, before_invitation):
        convene(activity, organisation)
    attend(as_invitee, rep)
    attend(excused, rep, Attendance.EXCUSED)
    Participation.objects.create(
        activity=before_invitation,
        user=rep.user,
        organisation=organisation,
        attendance=Attendance.PRESENT,
    )

    assert list(selectors.invitee_attendances(organisation)) == [as_invitee]


def test_attendance_record_by_a_non_organiser_changes_nothing():
    member = member_organisation()
    rep = RepresentativeFactory(organisation=member)
    activity = ActivityFactory(starts_at=timezone.now())
    convene(activity, member)

    with pytest.raises(NotAnOrganiser):
        services.attendance_record(
            activity=activity, user=rep.user, attendance=Attendance.PRESENT, actor=UserFactory()
        )
    assert Participation.objects.count() == 0
