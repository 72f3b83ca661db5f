"""A member that resigns (the member space) or is excluded (the COPIL's decision in the
admin) leaves the convocations of the activities to come at once, and its
representatives can no longer register (S2, L2, L5); the activities held keep their
convocations and attendance (history, ratios: A3)."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from activities import services
from activities.constants import ConvenedScope, ConvocationSource, Registration
from activities.models import Convocation, Participation
from members import services as member_services
from members.constants import ExclusionGround, Role, Status, StatusReason
from members.models import StatusChange
from tests.members.factories import RepresentativeFactory, UserFactory, member_organisation

from .factories import ActivityFactory, attend, convene

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """A member with a signatory; an activity held (convened, present), an "all members"
    activity to come the signatory registered to, a private one to come naming the member,
    a public one to come, and one to come where the signatory is also invited in person."""
    member = member_organisation(legal_name="Partante SA")
    member.status_changes.update(effective_at=timezone.now() - datetime.timedelta(days=400))
    other = member_organisation(legal_name="Restante SA")
    rep = RepresentativeFactory(organisation=member, is_authorised_signatory=True)
    now = timezone.now()
    held = ActivityFactory(starts_at=now - datetime.timedelta(days=20))
    convene(held, member, other)
    attend(held, rep)
    soon = datetime.timedelta(days=10)
    all_members = services.activity_create(
        kind="workshop", title="Atelier de tous les membres", starts_at=now + soon,
        ends_at=now + soon + datetime.timedelta(hours=2), place="1 rue", postcode="57000",
        city="Metz", is_public=True, convened_scope=ConvenedScope.ALL_MEMBERS,
    )  # fmt: skip
    private = services.activity_create(
        kind="workshop", title="Atelier privé", starts_at=now + soon,
        ends_at=now + soon + datetime.timedelta(hours=2), place="1 rue", postcode="57000",
        city="Metz", is_public=False, convened_scope=ConvenedScope.NAMED,
        invited_organisations=[member, other],
    )  # fmt: skip
    public = ActivityFactory(starts_at=now + soon, is_public=True)
    convene(public, member, other)
    in_person = services.activity_create(
        kind="workshop", title="Atelier avec experts", starts_at=now + soon,
        ends_at=now + soon + datetime.timedelta(hours=2), place="1 rue", postcode="57000",
        city="Metz", is_public=False, convened_scope=ConvenedScope.NAMED,
        invited_organisations=[member], invited_people=[rep.user],
    )  # fmt: skip
    services.participation_register(activity=all_members, user=rep.user, coming=True)
    services.participation_register(activity=in_person, user=rep.user, coming=True)
    return {
        "member": member,
        "other": other,
        "rep": rep,
        "held": held,
        "all_members": all_members,
        "private": private,
        "public": public,
        "in_person": in_person,
    }


def convened(organisation):
    return set(
        Convocation.objects.filter(organisation=organisation).values_list("activity", flat=True)
    )


def assert_left_the_activities_to_come(w):
    member, rep = w["member"], w["rep"]
    # S2, L5: only the activity held keeps its convocation (history, ratio: A3).
    assert convened(member) == {w["held"].pk}
    assert member not in w["private"].invited_organisations.all()
    assert member not in w["in_person"].invited_organisations.all()
    assert not Participation.objects.filter(activity=w["all_members"], user=rep.user).exists()
    held = Participation.objects.get(activity=w["held"], user=rep.user)
    assert held.organisation == member
    # Invited in their own name, the person stays invited, for no organisation.
    in_person = Participation.objects.get(activity=w["in_person"], user=rep.user)
    assert (in_person.organisation, in_person.registration) == (None, Registration.COMING)
    # The other member keeps all of its convocations.
    assert convened(w["other"]) == {
        w["held"].pk, w["all_members"].pk, w["private"].pk, w["public"].pk
    }  # fmt: skip
    # A later synchronisation ("all members" at the activity's date) does not bring it back.
    services.activity_convocations_sync(activity=w["all_members"])
    services.activity_convocations_sync(activity=w["private"])
    assert convened(member) == {w["held"].pk}


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.rule("S2", "L2", "L5")
def test_a_member_that_resigns_online_leaves_the_activities_to_come_at_once(client, world):
    w = world
    client.force_login(w["rep"].user)

    response = client.post(
        reverse("member_space:resign", args=[w["member"].slug]), {"confirm": "on"}
    )

    assert response.status_code == 302
    assert_left_the_activities_to_come(w)


@pytest.mark.rule("S2", "L2")
def test_a_representative_of_a_resigned_member_cannot_register(client, world):
    w = world
    client.force_login(w["rep"].user)
    client.post(reverse("member_space:resign", args=[w["member"].slug]), {"confirm": "on"})
    today = timezone.localdate().strftime("%d/%m/%Y")
    expected = (
        f"Partante SA a quitté la COS-GE le {today} (démission) : ses représentants ne sont "
        "plus convoqués aux activités et ne peuvent plus s'y inscrire."
    )

    public = client.post(reverse("activities:register", args=[w["public"].pk]), {"coming": "yes"})
    private = client.post(reverse("activities:register", args=[w["private"].pk]), {"coming": "yes"})

    assert public.status_code == 302
    assert public["Location"] == w["public"].get_absolute_url()
    assert expected in messages_of(public)
    # The private activity is no longer theirs to see: the same message, not "not found".
    assert private.status_code == 302
    assert private["Location"] == reverse("activities:list")
    assert expected in messages_of(private)
    assert not Participation.objects.filter(
        activity__in=[w["public"], w["private"]], user=w["rep"].user
    ).exists()


@pytest.mark.rule("S2", "L5")
def test_a_member_excluded_in_the_admin_leaves_the_activities_to_come_at_once(client, world):
    w = world
    copil = UserFactory(is_staff=True)
    copil.groups.add(Group.objects.get(name=Role.COPIL))
    procedure = member_services.exclusion_open(
        organisation=w["member"],
        actor=copil,
        ground=ExclusionGround.IMAGE_HARM,
        facts="Propos publics contre la COS-GE.",
        now=timezone.now() - datetime.timedelta(days=40),
    )
    client.force_login(copil)

    response = client.post(
        reverse("admin:members_exclusionprocedure_changelist"),
        {"action": "exclusion_pronounce", "_selected_action": [procedure.pk], "apply": "1",
         "reason": "Atteinte à l'image de la COS-GE."},
    )  # fmt: skip

    assert response.status_code == 302
    assert_left_the_activities_to_come(w)
    client.force_login(w["rep"].user)
    refused = client.post(reverse("activities:register", args=[w["public"].pk]), {"coming": "no"})
    assert any(
        "(exclusion) : ses représentants ne sont plus convoqués" in message
        for message in messages_of(refused)
    )
    assert not Participation.objects.filter(activity=w["public"], user=w["rep"].user).exists()


@pytest.mark.rule("S2")
def test_a_leftover_convocation_of_an_organisation_without_status_gives_no_registration(world):
    """A convocation left from before this rule (the status recorded without the
    service) does not let the person register."""
    from activities.exceptions import OrganisationDeparted  # new with the rule

    w = world
    StatusChange.objects.create(
        organisation=w["member"],
        status=Status.NONE,
        reason=StatusReason.RESIGNED,
        effective_at=timezone.now() - datetime.timedelta(minutes=1),
    )
    assert Convocation.objects.filter(
        activity=w["public"], organisation=w["member"], source=ConvocationSource.NAMED
    ).exists()

    with pytest.raises(OrganisationDeparted):
        services.participation_register(activity=w["public"], user=w["rep"].user, coming=True)

    assert not Participation.objects.filter(activity=w["public"], user=w["rep"].user).exists()
