"""Moving the plenary of an election (V9, V10, V11): the activity's admin form and the
activity service re-check the calendar; an accepted move re-plans the election (its
date is always its plenary's) and, once announced, announces it again."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from activities import services as activity_services
from activities.constants import ActivityKind
from activities.exceptions import ActivitiesError
from activities.models import Activity
from core.models import AuditEntry
from governance.elections import services
from governance.models import ElectionStatus
from members.constants import Role
from tests.governance.elections.factories import at, election_world, plenary
from tests.members.factories import UserFactory

pytestmark = pytest.mark.django_db
D = datetime.date


def copil_staff():
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get_or_create(name=Role.COPIL)[0])
    return user


def change_data(activity: Activity, starts_at: datetime.datetime, **overrides) -> dict:
    """The activity's admin form as sent with a new start (and end three hours later)."""
    start = timezone.localtime(starts_at)
    end = start + datetime.timedelta(hours=3)
    data = {
        "kind": activity.kind,
        "title": activity.title,
        "description": activity.description,
        "is_public": "on" if activity.is_public else "",
        "starts_at_0": start.strftime("%d/%m/%Y"),
        "starts_at_1": start.strftime("%H:%M:%S"),
        "ends_at_0": end.strftime("%d/%m/%Y"),
        "ends_at_1": end.strftime("%H:%M:%S"),
        "place": activity.place,
        "postcode": activity.postcode,
        "city": activity.city,
        "online_url": activity.online_url,
        "convened_scope": activity.convened_scope,
        "convocations-TOTAL_FORMS": "0",
        "convocations-INITIAL_FORMS": "0",
        "convocations-MIN_NUM_FORMS": "0",
        "convocations-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


@pytest.fixture
def announced_world(django_capture_on_commit_callbacks, mailoutbox):
    """Frozen at 2027-03-01: the election of 20 May 2027 is announced (e-mail sent)."""
    with freeze_time(at(2027, 3, 1)):
        commission, previous, election = election_world(seats_up=2)
        with django_capture_on_commit_callbacks(execute=True):
            services.election_announce(election=election, actor=commission)
    election.refresh_from_db()
    assert len(mailoutbox) == 5 and election.announcement_sent_at is not None
    mailoutbox.clear()
    return commission, previous, election


def post_move(client, activity, when, now, **overrides):
    with freeze_time(now):
        client.force_login(copil_staff())
        return client.post(
            reverse("admin:activities_activity_change", args=[activity.pk]),
            change_data(activity, when, **overrides),
        )


@pytest.mark.rule("V10")
def test_v10_the_admin_refuses_to_move_an_election_plenary_into_a_blackout_window(
    client, announced_world, mailoutbox
):
    _commission, _previous, election = announced_world
    before = election.plenary.starts_at

    response = post_move(client, election.plenary, at(2027, 7, 25, 14), at(2027, 3, 2))

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors["starts_at"] == [
        "Pas d'élection entre le 20 juillet et le 5 septembre, ni entre le 20 décembre et le "
        "5 janvier (article 6.2). Première date possible : 13 avril 2027."
    ]
    assert 'value="25/07/2027"' in response.content.decode()  # what was typed is kept
    election.refresh_from_db()
    election.plenary.refresh_from_db()
    assert election.plenary.starts_at == before
    assert election.election_date == D(2027, 5, 20) == timezone.localdate(before)
    assert not mailoutbox


@pytest.mark.rule("V9")
def test_v9_the_admin_refuses_a_move_announced_less_than_six_weeks_ahead(client, announced_world):
    _commission, _previous, election = announced_world

    # On 20 April, 27 May is five weeks and two days away: too late to announce it.
    response = post_move(client, election.plenary, at(2027, 5, 27, 14), at(2027, 4, 20))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["starts_at"] == [
        "La date de l'élection doit être annoncée au moins 6 semaines à l'avance "
        "(article 6.2). Première date possible : 1 juin 2027."
    ]
    election.refresh_from_db()
    assert election.election_date == D(2027, 5, 20)
    assert timezone.localdate(Activity.objects.get(pk=election.plenary_id).starts_at) == D(
        2027, 5, 20
    )


@pytest.mark.rule("V9", "V10")
def test_v9_an_accepted_move_re_plans_and_re_announces_the_election(
    client, announced_world, mailoutbox, django_capture_on_commit_callbacks
):
    _commission, _previous, election = announced_world

    with django_capture_on_commit_callbacks(execute=True):
        response = post_move(client, election.plenary, at(2027, 6, 3, 14), at(2027, 3, 2, 9))

    assert response.status_code == 302
    election.refresh_from_db()
    plenary_day = timezone.localdate(Activity.objects.get(pk=election.plenary_id).starts_at)
    assert election.election_date == plenary_day == D(2027, 6, 3)
    assert election.status == ElectionStatus.ANNOUNCED
    assert election.announced_at == at(2027, 3, 2, 9)
    assert len(mailoutbox) == 5
    assert mailoutbox[0].subject == "[COS-GE] Élection du COPIL le 3 juin 2027"
    assert "n'a plus lieu le 20 mai 2027" in mailoutbox[0].body
    entry = AuditEntry.objects.get(action="governance.election.rescheduled")
    assert entry.data == {"from": "2027-05-20", "to": "2027-06-03", "announced_again": True}


@pytest.mark.rule("V9")
def test_v9_a_new_hour_on_the_same_day_is_no_move(client, announced_world, mailoutbox):
    _commission, _previous, election = announced_world

    # The day is within six weeks, but the members were told that day: nothing to re-check.
    response = post_move(client, election.plenary, at(2027, 5, 20, 9, 30), at(2027, 5, 1))

    assert response.status_code == 302
    election.refresh_from_db()
    assert election.election_date == D(2027, 5, 20)
    assert Activity.objects.get(pk=election.plenary_id).starts_at == at(2027, 5, 20, 9, 30)
    assert not mailoutbox


@pytest.mark.rule("V9")
def test_v9_an_election_plenary_stays_an_ordinary_plenary(client, announced_world):
    _commission, _previous, election = announced_world

    response = post_move(
        client,
        election.plenary,
        at(2027, 5, 20, 14),
        at(2027, 3, 2),
        kind=ActivityKind.EXTRAORDINARY_PLENARY,
    )

    assert response.context["adminform"].form.errors["kind"] == [
        "Une élection est prévue à cette réunion : elle reste une réunion plénière "
        "ordinaire (article 6.2)."
    ]
    assert Activity.objects.get(pk=election.plenary_id).kind == ActivityKind.ORDINARY_PLENARY


@pytest.mark.rule("V11")
def test_v11_the_candidacy_plenary_cannot_leave_the_election_without_one(client, announced_world):
    _commission, previous, election = announced_world

    after = post_move(client, previous, at(2027, 6, 10, 14), at(2027, 3, 2))
    other_kind = post_move(
        client, previous, at(2027, 3, 20, 14), at(2027, 3, 2), kind=ActivityKind.WORKSHOP
    )

    message = (
        "Les candidatures de l'élection « Élection du COPIL 2027 » se clôturent à la "
        "réunion plénière ordinaire qui précède la sienne (article 6.2) : après ce "
        "changement, il n'y en aurait plus aucune à venir."
    )
    assert after.context["adminform"].form.errors["starts_at"] == [message]
    assert other_kind.context["adminform"].form.errors["kind"] == [message]
    previous.refresh_from_db()
    assert (previous.kind, previous.starts_at) == (
        ActivityKind.ORDINARY_PLENARY,
        at(2027, 3, 20, 14),
    )
    election.refresh_from_db()
    assert election.candidacy_deadline == at(2027, 3, 20, 14)


@pytest.mark.rule("V11", "V9")
def test_v11_candidacies_close_at_the_plenary_now_before_the_election(
    client, announced_world, mailoutbox, django_capture_on_commit_callbacks
):
    _commission, _previous, election = announced_world
    june = plenary(at(2027, 6, 10, 14))

    with django_capture_on_commit_callbacks(execute=True):
        response = post_move(client, election.plenary, at(2027, 6, 24, 14), at(2027, 3, 2))

    assert response.status_code == 302
    election.refresh_from_db()
    assert election.election_date == D(2027, 6, 24)
    assert election.candidacy_deadline == june.starts_at
    assert len(mailoutbox) == 5


@pytest.mark.rule("V9", "V10")
def test_v10_the_activity_service_refuses_the_move_and_follows_an_accepted_one(announced_world):
    commission, _previous, election = announced_world
    activity = Activity.objects.get(pk=election.plenary_id)
    actor = copil_staff()

    with pytest.raises(ActivitiesError) as error:
        activity_services.activity_update(
            activity=activity,
            starts_at=at(2027, 12, 22, 14),
            ends_at=at(2027, 12, 22, 17),
            actor=actor,
            now=at(2027, 3, 2),
        )
    assert "Pas d'élection entre le 20 juillet" in str(error.value.message)
    election.refresh_from_db()
    assert election.election_date == D(2027, 5, 20)

    with freeze_time(at(2027, 3, 2)):
        moved = activity_services.activity_update(
            activity=activity,
            starts_at=at(2027, 6, 10, 14),
            ends_at=at(2027, 6, 10, 17),
            actor=actor,
            now=at(2027, 3, 2),
        )
    election.refresh_from_db()
    assert election.election_date == timezone.localdate(moved.starts_at) == D(2027, 6, 10)


@pytest.mark.rule("V9")
def test_v9_a_plenary_whose_vote_is_open_does_not_move(client, announced_world):
    commission, _previous, election = announced_world
    candidate = election_candidate(election)
    assert candidate
    with freeze_time(at(2027, 5, 20, 14, 5)):
        services.election_voting_open(election=election, actor=commission)

    response = post_move(client, election.plenary, at(2027, 6, 10, 14), at(2027, 5, 20, 15))

    assert response.context["adminform"].form.errors["starts_at"] == [
        "Le vote de cette élection est ouvert ou clos : la date de sa réunion plénière ne "
        "change plus."
    ]
    election.refresh_from_db()
    assert election.election_date == D(2027, 5, 20)


def election_candidate(election):
    from tests.governance.elections.factories import member_rep

    with freeze_time(at(2027, 3, 2)):
        rep = member_rep()
        return services.candidacy_declare(election=election, user=rep.user, statement="Candidate.")


@pytest.mark.rule("V9")
def test_v9_a_draft_election_follows_its_plenary_without_an_announcement(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with freeze_time(at(2027, 3, 1)):
        _commission, _previous, election = election_world(seats_up=1)

    with django_capture_on_commit_callbacks(execute=True):
        response = post_move(client, election.plenary, at(2027, 6, 17, 14), at(2027, 3, 2))

    assert response.status_code == 302
    election.refresh_from_db()
    assert (election.election_date, election.status) == (D(2027, 6, 17), ElectionStatus.DRAFT)
    assert not mailoutbox


@pytest.mark.rule("V9")
def test_v9_other_plenaries_move_freely(client, announced_world):
    other = plenary(at(2027, 10, 7, 14))

    response = post_move(client, other, at(2027, 7, 28, 14), at(2027, 3, 2))

    assert response.status_code == 302
    assert Activity.objects.get(pk=other.pk).starts_at == at(2027, 7, 28, 14)
