"""COPIL mandates, the COPIL role and the admin follow the membership of the holder's
organisation (L2, L5, G1, G2, V3): a resignation through the member space or an exclusion
pronounced in the admin ends the mandate that day, the seat is to renew, and the person
loses the COPIL group and the admin. The role is derived from the running mandates, by
every mandate start or end and by the daily job; a superuser is not the COPIL."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from core.models import AuditEntry
from core.roles import is_copil
from governance.elections import services
from governance.models import CopilSeat, Mandate, MandateEndReason
from members import services as member_services
from members.constants import ExclusionGround, ExclusionOutcome, Role, Status, StatusReason
from members.models import ExclusionProcedure
from tests.governance.elections.factories import member_rep
from tests.members.factories import StatusChangeFactory, UserFactory

pytestmark = pytest.mark.django_db
D = datetime.date
JANUARY = D(2026, 1, 1)


def seat(number):
    services.seats_ensure()
    return CopilSeat.objects.get(number=number)


def holder_of(number, django_capture_on_commit_callbacks, *, start=JANUARY, rep=None):
    """A representative (authorised signatory) of a member, holding seat ``number`` since
    ``start``, with the COPIL role and the admin that the mandate gives."""
    rep = rep or member_rep(since=D(2020, 1, 1))
    with django_capture_on_commit_callbacks(execute=True):
        mandate = services.mandate_start(
            seat=seat(number),
            holder=rep.user,
            organisation=rep.organisation,
            start_date=start,
            actor=None,
        )
    rep.user.refresh_from_db()
    return rep, mandate


def admin_refused(client, user) -> bool:
    client.force_login(user)
    response = client.get(reverse("admin:index"))
    return response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


def renewal(number, on):
    return next(row for row in services.seats_to_renew(on=on) if row.seat.number == number)


@pytest.mark.rule("L2", "L5", "G1", "V3")
def test_a_holder_whose_organisation_resigns_online_loses_the_mandate_the_role_and_the_admin(
    client, django_capture_on_commit_callbacks
):
    rep, mandate = holder_of(1, django_capture_on_commit_callbacks)
    _other, other_mandate = holder_of(2, django_capture_on_commit_callbacks)
    today = timezone.localdate()
    client.force_login(rep.user)
    assert is_copil(rep.user) and rep.user.is_staff
    assert client.get(reverse("admin:index")).status_code == 200

    response = client.post(
        reverse("member_space:resign", args=[rep.organisation.slug]), {"confirm": "on"}
    )

    assert response.status_code == 302
    mandate.refresh_from_db()
    assert (mandate.end_date, mandate.end_reason) == (today, MandateEndReason.RESIGNED)
    rep.user.refresh_from_db()
    assert not is_copil(rep.user)
    assert not rep.user.is_staff
    assert admin_refused(client, rep.user)
    row = renewal(1, today)
    assert row.is_up
    assert row.reason == f"Siège vacant depuis le {date_format(today, 'j F Y')} : démission."
    # The other seat is untouched.
    other_mandate.refresh_from_db()
    assert other_mandate.end_date is None
    assert not renewal(2, today).is_up
    entry = AuditEntry.objects.filter(action="governance.mandate.ended").get()
    assert entry.object_id == str(mandate.pk)
    assert entry.data["reason"] == MandateEndReason.RESIGNED


@pytest.mark.rule("L5", "G1", "G2", "V3")
def test_an_exclusion_pronounced_in_the_admin_ends_the_holders_mandate_role_and_admin(
    client, django_capture_on_commit_callbacks
):
    excluded, mandate = holder_of(1, django_capture_on_commit_callbacks)
    decider, _decider_mandate = holder_of(2, django_capture_on_commit_callbacks)
    excluded.organisation.status_changes.update(
        effective_at=timezone.now() - datetime.timedelta(days=400)
    )
    procedure = member_services.exclusion_open(
        organisation=excluded.organisation,
        actor=decider.user,
        ground=ExclusionGround.IMAGE_HARM,
        facts="Propos publics contre la COS-GE.",
        now=timezone.now() - datetime.timedelta(days=40),
    )
    today = timezone.localdate()
    client.force_login(decider.user)

    response = client.post(
        reverse("admin:members_exclusionprocedure_changelist"),
        {"action": "exclusion_pronounce", "_selected_action": [procedure.pk], "apply": "1",
         "reason": "Atteinte à l'image de la COS-GE."},
    )  # fmt: skip

    assert response.status_code == 302
    procedure.refresh_from_db()
    assert procedure.outcome == ExclusionOutcome.EXCLUDED
    mandate.refresh_from_db()
    assert (mandate.end_date, mandate.end_reason) == (today, MandateEndReason.EXCLUDED)
    excluded.user.refresh_from_db()
    assert not is_copil(excluded.user) and not excluded.user.is_staff
    assert admin_refused(client, excluded.user)
    row = renewal(1, today)
    assert row.is_up and row.reason.endswith(" : exclusion.")
    # The COPIL member who decided keeps the seat, the role and the admin.
    decider.user.refresh_from_db()
    assert is_copil(decider.user) and decider.user.is_staff
    client.force_login(decider.user)
    assert client.get(reverse("admin:index")).status_code == 200


@pytest.mark.rule("G2")
def test_a_superuser_opens_the_admin_but_is_not_the_copil(
    client, django_capture_on_commit_callbacks
):
    rep, _mandate = holder_of(1, django_capture_on_commit_callbacks)
    rep.organisation.status_changes.update(
        effective_at=timezone.now() - datetime.timedelta(days=400)
    )
    procedure = member_services.exclusion_open(
        organisation=rep.organisation,
        actor=rep.user,
        ground=ExclusionGround.IMAGE_HARM,
        facts="Propos publics.",
        now=timezone.now() - datetime.timedelta(days=40),
    )
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(superuser)

    index = client.get(reverse("admin:index"))
    client.post(
        reverse("admin:members_exclusionprocedure_changelist"),
        {"action": "exclusion_pronounce", "_selected_action": [procedure.pk], "apply": "1",
         "reason": "Faute."},
    )  # fmt: skip

    assert index.status_code == 200
    assert not is_copil(superuser)
    procedure.refresh_from_db()
    assert procedure.outcome == ""
    assert rep.organisation.status_changes.latest().status == Status.MEMBER
    assert Mandate.objects.get(holder=rep.user).end_date is None


@pytest.mark.rule("G1", "V3")
def test_the_daily_job_applies_terms_that_start_or_end_on_a_date(
    django_capture_on_commit_callbacks,
):
    today = timezone.localdate()
    leaving, mandate = holder_of(1, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.mandate_end(
            mandate=mandate,
            end_date=today + datetime.timedelta(days=10),
            reason=MandateEndReason.TERM,
            actor=None,
        )
    coming = member_rep(since=D(2020, 1, 1))
    with django_capture_on_commit_callbacks(execute=True):
        services.mandate_start(
            seat=seat(2),
            holder=coming.user,
            organisation=coming.organisation,
            start_date=today + datetime.timedelta(days=10),
            actor=None,
        )
    leaving.user.refresh_from_db()
    coming.user.refresh_from_db()
    assert is_copil(leaving.user) and leaving.user.is_staff
    assert not is_copil(coming.user) and not coming.user.is_staff

    result = services.copil_roles_daily(now=timezone.now() + datetime.timedelta(days=10))

    leaving.user.refresh_from_db()
    coming.user.refresh_from_db()
    assert not is_copil(leaving.user) and not leaving.user.is_staff
    assert is_copil(coming.user) and coming.user.is_staff
    assert (result["added"], result["removed"]) == ([coming.user.pk], [leaving.user.pk])
    # Run twice, changes nothing twice.
    again = services.copil_roles_daily(now=timezone.now() + datetime.timedelta(days=10))
    assert (again["added"], again["removed"], again["staff_revoked"]) == ([], [], [])


@pytest.mark.rule("L5", "V3")
def test_the_daily_job_ends_a_mandate_whose_organisation_left_before_the_rule(
    django_capture_on_commit_callbacks,
):
    """A loss of membership recorded without the service (a departure from before this
    rule): the next daily run ends the mandate and withdraws the role."""
    rep, mandate = holder_of(1, django_capture_on_commit_callbacks)
    StatusChangeFactory(
        organisation=rep.organisation,
        status=Status.NONE,
        reason=StatusReason.RESIGNED,
        effective_at=timezone.now() - datetime.timedelta(days=3),
    )

    result = services.copil_roles_daily()

    mandate.refresh_from_db()
    assert (mandate.end_date, mandate.end_reason) == (
        timezone.localdate(),
        MandateEndReason.RESIGNED,
    )
    assert result["mandates_ended"] == [mandate.pk]
    rep.user.refresh_from_db()
    assert not is_copil(rep.user) and not rep.user.is_staff


@pytest.mark.rule("G1")
def test_a_holder_with_another_role_keeps_the_admin_not_the_copil(
    client, django_capture_on_commit_callbacks
):
    rep, _mandate = holder_of(1, django_capture_on_commit_callbacks)
    rep.user.groups.add(Group.objects.get(name=Role.STAFF))
    client.force_login(rep.user)

    client.post(reverse("member_space:resign", args=[rep.organisation.slug]), {"confirm": "on"})

    rep.user.refresh_from_db()
    assert not is_copil(rep.user)
    assert rep.user.is_staff  # the team's work needs the admin (G2: no decision)


@pytest.mark.rule("G1")
def test_before_any_mandate_is_recorded_the_copil_set_at_installation_stays():
    """A portal that records no mandate yet keeps the COPIL group it was given: the job
    does not empty it (nobody could decide any more)."""
    founder = UserFactory(is_staff=True)
    founder.groups.add(Group.objects.get(name=Role.COPIL))

    services.copil_roles_daily()

    founder.refresh_from_db()
    assert is_copil(founder) and founder.is_staff


@pytest.mark.rule("L2", "V3")
def test_a_member_without_a_mandate_resigns_and_no_mandate_changes(
    client, django_capture_on_commit_callbacks
):
    _holder, mandate = holder_of(1, django_capture_on_commit_callbacks)
    leaving = member_rep(since=D(2020, 1, 1))
    client.force_login(leaving.user)

    client.post(reverse("member_space:resign", args=[leaving.organisation.slug]), {"confirm": "on"})

    assert leaving.organisation.status_changes.latest().reason == StatusReason.RESIGNED
    mandate.refresh_from_db()
    assert mandate.end_date is None
    assert not ExclusionProcedure.objects.exists()
