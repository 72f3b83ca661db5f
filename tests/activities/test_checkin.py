"""Check-in by organisers (A2): roster, one-tap marking over htmx, walk-ins, permissions."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.constants import Attendance, Registration
from activities.models import Participation
from core.models import AuditEntry
from members.constants import Role
from members.models import Organisation, Representative, User
from tests.members.factories import RepresentativeFactory, UserFactory, member_organisation

from .factories import ActivityFactory, attend, convene, user_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser(client):
    user = user_in(Role.ORGANISERS)
    client.force_login(user)
    return user


def mark(client, activity, person, attendance, htmx=True):
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(
        reverse("activities:checkin_mark", args=[activity.pk, person.pk]),
        {"attendance": attendance},
        headers=headers,
    )


def build_roster(activity, people: int):
    """``people`` representatives over people/3 convened organisations, in bulk."""
    organisations = Organisation.objects.bulk_create(
        [Organisation(legal_name=f"Org {i}", slug=f"org-{i}") for i in range(people // 3)]
    )
    convene(activity, *organisations)
    users = User.objects.bulk_create(
        [
            User(email=f"p{i}@exemple.fr", first_name="P", last_name=f"N{i:04d}")
            for i in range(people)
        ]
    )
    Representative.objects.bulk_create(
        [
            Representative(
                user=u,
                organisation=organisations[i % len(organisations)],
                start_date=datetime.date(2020, 1, 1),
            )
            for i, u in enumerate(users)
        ]
    )
    return users


@pytest.mark.rule("A2")
def test_roster_lists_convened_people_expected_first_with_their_organisation(client, organiser):
    activity = ActivityFactory(starts_at=timezone.now() + datetime.timedelta(hours=1))
    member = member_organisation(legal_name="Usinage Lorrain")
    zoe = RepresentativeFactory(organisation=member, user__last_name="Zoé")
    RepresentativeFactory(organisation=member, user__last_name="Adam")
    RepresentativeFactory()  # not convened
    convene(activity, member)
    Participation.objects.create(
        activity=activity, user=zoe.user, organisation=member, registration=Registration.COMING
    )

    response = client.get(reverse("activities:checkin", args=[activity.pk]))

    assert response.status_code == 200
    names = [row.user.last_name for row in response.context["roster"]]
    assert names == ["Zoé", "Adam"]
    assert [row.organisation for row in response.context["roster"]] == [member, member]
    assert response.context["counts"]["expected"] == 1
    assert 'id="roster-search"' in response.content.decode()


@pytest.mark.rule("A2")
def test_checkin_page_for_300_people_issues_constant_queries(
    client, organiser, django_assert_max_num_queries
):
    activity = ActivityFactory()
    users = build_roster(activity, 300)
    Participation.objects.bulk_create(
        [
            Participation(activity=activity, user=u, attendance=Attendance.PRESENT)
            for u in users[:100]
        ]
    )
    with django_assert_max_num_queries(12):
        response = client.get(reverse("activities:checkin", args=[activity.pk]))
    assert len(response.context["roster"]) == 300
    assert response.context["counts"]["present"] == 100


@pytest.mark.rule("A2")
def test_one_tap_returns_the_updated_row_fragment(client, organiser, django_assert_max_num_queries):
    activity = ActivityFactory()
    member = member_organisation()
    rep = RepresentativeFactory(organisation=member)
    convene(activity, member)

    with django_assert_max_num_queries(14):
        response = mark(client, activity, rep.user, Attendance.PRESENT)

    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith("<li")
    assert "<html" not in html
    assert f'id="personne-{rep.user.pk}"' in html
    assert 'data-attendance="present"' in html
    assert 'value="present" aria-pressed="true"' in html
    participation = Participation.objects.get(activity=activity, user=rep.user)
    assert (participation.attendance, participation.organisation, participation.recorded_by) == (
        Attendance.PRESENT,
        member,
        organiser,
    )

    mark(client, activity, rep.user, Attendance.EXCUSED)
    assert (
        Participation.objects.get(activity=activity, user=rep.user).attendance == Attendance.EXCUSED
    )
    assert Participation.objects.count() == 1


def test_marking_without_javascript_redirects_to_the_roster(client, organiser):
    activity = ActivityFactory()
    member = member_organisation()
    rep = RepresentativeFactory(organisation=member)
    convene(activity, member)

    response = mark(client, activity, rep.user, Attendance.ABSENT, htmx=False)

    assert response.status_code == 302
    assert response["Location"].endswith(f"/pointage/#personne-{rep.user.pk}")
    assert Participation.objects.get().attendance == Attendance.ABSENT


@pytest.mark.rule("A2")
def test_activity_organiser_may_check_in_but_others_may_not(client):
    activity = ActivityFactory()
    member = member_organisation()
    rep = RepresentativeFactory(organisation=member)
    convene(activity, member)
    stranger = UserFactory()
    client.force_login(stranger)

    assert client.get(reverse("activities:checkin", args=[activity.pk])).status_code == 403
    assert mark(client, activity, rep.user, Attendance.PRESENT).status_code == 403
    assert Participation.objects.count() == 0

    activity.organisers.add(stranger)
    assert mark(client, activity, rep.user, Attendance.PRESENT).status_code == 200
    assert Participation.objects.get().attendance == Attendance.PRESENT


def test_copil_may_check_in(client):
    client.force_login(user_in(Role.COPIL))
    activity = ActivityFactory()
    assert client.get(reverse("activities:checkin", args=[activity.pk])).status_code == 200


def test_marking_a_person_not_convened_is_refused_in_the_row(client, organiser):
    activity = ActivityFactory()
    outsider = RepresentativeFactory()

    response = mark(client, activity, outsider.user, Attendance.PRESENT)

    assert response.status_code == 200
    assert "ajoutez-la comme participant sans convocation" in response.content.decode()
    assert Participation.objects.count() == 0


def test_unknown_attendance_value_changes_nothing(client, organiser):
    activity = ActivityFactory()
    member = member_organisation()
    rep = RepresentativeFactory(organisation=member)
    convene(activity, member)
    attend(activity, rep, Attendance.ABSENT)

    response = mark(client, activity, rep.user, "maybe")

    assert "Statut de présence inconnu" in response.content.decode()
    assert Participation.objects.get().attendance == Attendance.ABSENT


@pytest.mark.rule("A2")
def test_walk_in_is_added_present_and_counts_for_the_chosen_organisation(client, organiser):
    activity = ActivityFactory()
    member = member_organisation()
    convene(activity, member)

    response = client.post(
        reverse("activities:checkin_walk_in", args=[activity.pk]),
        {
            "email": "Nouvelle@Exemple.fr",
            "first_name": "Léa",
            "last_name": "Martin",
            "organisation": member.pk,
        },
    )

    assert response.status_code == 302
    participation = Participation.objects.get()
    assert participation.user.email == "Nouvelle@exemple.fr"
    assert participation.user.has_usable_password() is False
    assert (participation.attendance, participation.is_walk_in, participation.organisation) == (
        Attendance.PRESENT,
        True,
        member,
    )


def test_walk_in_form_errors_keep_what_was_typed(client, organiser):
    activity = ActivityFactory()

    response = client.post(
        reverse("activities:checkin_walk_in", args=[activity.pk]),
        {"email": "pas-une-adresse", "first_name": "Léa"},
    )

    assert response.status_code == 400
    assert 'value="Léa"' in response.content.decode()
    assert Participation.objects.count() == 0


# --- The check-in in the audit trail --------------------------------------------------


@pytest.mark.rule("A2")
def test_each_tap_writes_an_audit_entry_with_ids_only(client, organiser):
    activity = ActivityFactory()
    member = member_organisation()
    rep = RepresentativeFactory(
        organisation=member, user__email="lea.martin@exemple.fr", user__last_name="Martin"
    )
    convene(activity, member)

    mark(client, activity, rep.user, Attendance.PRESENT)
    mark(client, activity, rep.user, Attendance.EXCUSED, htmx=False)

    participation = Participation.objects.get()
    entries = list(AuditEntry.objects.order_by("created_at", "pk"))
    assert [entry.action for entry in entries] == [
        "activities.participation.checked_in",
        "activities.participation.checked_in",
    ]
    first, second = entries
    assert (first.actor, first.object_type, first.object_id) == (
        organiser,
        "activities.participation",
        str(participation.pk),
    )
    assert first.data == {
        "activity": activity.pk,
        "user": rep.user.pk,
        "organisation": member.pk,
        "attendance": "present",
    }
    assert second.data["attendance"] == "excused"
    written = " ".join(str(entry.data) for entry in entries)
    assert "Martin" not in written and "exemple.fr" not in written


def test_a_refused_tap_writes_no_audit_entry(client, organiser):
    activity = ActivityFactory()
    outsider = RepresentativeFactory()

    mark(client, activity, outsider.user, Attendance.PRESENT)
    mark(client, activity, outsider.user, "maybe")

    assert not AuditEntry.objects.exists()


@pytest.mark.rule("A2")
def test_a_walk_in_writes_an_audit_entry(client, organiser):
    activity = ActivityFactory()
    member = member_organisation()
    convene(activity, member)

    client.post(
        reverse("activities:checkin_walk_in", args=[activity.pk]),
        {
            "email": "nouvelle@exemple.fr",
            "first_name": "Léa",
            "last_name": "Martin",
            "organisation": member.pk,
        },
    )

    participation = Participation.objects.get()
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.object_id) == (
        "activities.participation.walk_in_added",
        organiser,
        str(participation.pk),
    )
    assert entry.data == {
        "activity": activity.pk,
        "user": participation.user_id,
        "organisation": member.pk,
        "attendance": "present",
    }
