"""An invitation the COPIL validates convenes the invitee to the activities it names
(charter art. 5, I1): the organisation (or the person invited in their own name) is
convened to those still to come in the invitation's period, and may register, without
the organiser naming it again in the activity's admin."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from activities import services
from activities.audit_actions import ActivitiesAudit
from activities.constants import ConvenedScope, ConvocationSource, Registration
from activities.models import Convocation, Participation
from core.models import AuditEntry
from members import services as member_services
from members.constants import InvitationState, Role, Status, StatusReason
from tests.members.factories import RepresentativeFactory, UserFactory, member_organisation

from .factories import ActivityFactory, user_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def copil(db):
    """A COPIL member: staff, in the COPIL group (the admin's permissions come from it)."""
    return user_in(Role.COPIL, is_staff=True)


def private_activity(*, in_days: float, title="Atelier cobotique"):
    starts_at = timezone.now() + datetime.timedelta(days=in_days)
    return services.activity_create(
        kind="workshop", title=title, starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=2), place="1 rue", postcode="57000",
        city="Metz", is_public=False, convened_scope=ConvenedScope.NAMED,
    )  # fmt: skip


def invite(*, guest_organisation_name="", guest_email="paul@invitee.fr", activities, days=30):
    host = RepresentativeFactory(organisation=member_organisation(legal_name="Hôte SA"))
    return member_services.invitation_propose(
        proposed_by=host.user,
        proposing_organisation=host.organisation,
        guest_organisation_name=guest_organisation_name,
        guest_name="Paul Invité",
        guest_email=guest_email,
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + datetime.timedelta(days=days),
        activities=activities,
    )


def validate_in_admin(client, copil, invitation):
    client.force_login(copil)
    response = client.post(
        reverse("admin:members_invitation_changelist"),
        {"action": "validate", "_selected_action": [invitation.pk]},
    )
    assert response.status_code == 302
    client.logout()


@pytest.fixture
def guest():
    """An organisation without a status (a rejected applicant, I3) and its representative."""
    organisation = member_organisation(legal_name="Invitée SARL", status=Status.NONE)
    organisation.status_changes.update(reason=StatusReason.REJECTED)
    return RepresentativeFactory(organisation=organisation)


@pytest.mark.rule("I1")
def test_the_copil_validates_an_invitation_and_the_organisation_is_convened(client, copil, guest):
    activity = private_activity(in_days=10)
    invitation = invite(guest_organisation_name="Invitée SARL", activities=[activity])

    validate_in_admin(client, copil, invitation)

    organisation = guest.organisation
    assert list(activity.invited_organisations.all()) == [organisation]
    convocation = Convocation.objects.get(activity=activity)
    assert (convocation.organisation, convocation.source) == (
        organisation,
        ConvocationSource.NAMED,
    )
    entry = AuditEntry.objects.get(action=ActivitiesAudit.INVITEE_CONVENED)
    assert entry.data["activities"] == [activity.pk]
    # Its representative sees the activity and registers from its page.
    client.force_login(guest.user)
    assert client.get(activity.get_absolute_url()).status_code == 200
    client.post(reverse("activities:register", args=[activity.pk]), {"coming": "yes"})
    participation = Participation.objects.get(activity=activity, user=guest.user)
    assert (participation.organisation, participation.registration) == (
        organisation,
        Registration.COMING,
    )


@pytest.mark.rule("I1")
def test_only_the_named_activities_to_come_in_the_period_are_convened(client, copil, guest):
    to_come = private_activity(in_days=10, title="À venir")
    held = ActivityFactory(title="Tenue", is_public=False)
    after_the_period = private_activity(in_days=60, title="Après la période")
    not_named = private_activity(in_days=10, title="Non nommée")
    invitation = invite(
        guest_organisation_name="Invitée SARL", activities=[to_come, held, after_the_period]
    )

    validate_in_admin(client, copil, invitation)

    convened = set(
        Convocation.objects.filter(organisation=guest.organisation).values_list(
            "activity__title", flat=True
        )
    )
    assert convened == {"À venir"}
    for activity in (held, after_the_period, not_named):
        assert not activity.invited_organisations.exists()


@pytest.mark.rule("I1")
def test_a_person_invited_in_their_own_name_with_an_account_is_convened(client, copil):
    person = UserFactory(email="expert@exemple.fr")
    activity = private_activity(in_days=10)
    invitation = invite(guest_email="Expert@Exemple.fr", activities=[activity])

    validate_in_admin(client, copil, invitation)

    assert list(activity.invited_people.all()) == [person]
    assert not Convocation.objects.filter(activity=activity).exists()
    participation = services.participation_register(activity=activity, user=person, coming=True)
    assert participation.organisation is None


@pytest.mark.rule("I1")
def test_a_person_without_an_account_is_validated_and_nobody_is_convened(client, copil):
    activity = private_activity(in_days=10)
    invitation = invite(guest_email="personne@exemple.fr", activities=[activity])

    validate_in_admin(client, copil, invitation)

    invitation.refresh_from_db()
    assert invitation.state == InvitationState.VALIDATED
    assert not activity.invited_people.exists()
    assert not AuditEntry.objects.filter(action=ActivitiesAudit.INVITEE_CONVENED).exists()


@pytest.mark.rule("I1", "L5")
def test_an_invitee_that_loses_its_status_leaves_the_activity_it_was_invited_to(
    client, copil, guest
):
    activity = private_activity(in_days=10)
    invitation = invite(guest_organisation_name="Invitée SARL", activities=[activity])
    validate_in_admin(client, copil, invitation)

    member_services.organisation_status_change(
        organisation=guest.organisation,
        status=Status.NONE,
        reason=StatusReason.INVITATION_EXPIRED,
        actor=copil,
    )

    assert not activity.invited_organisations.exists()
    assert not Convocation.objects.filter(activity=activity).exists()
