"""COPIL meetings: quorum and majority (C2), one proxy per member (C3), minutes on request (C4)."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from governance.copil import services
from governance.elections import services as election_services
from governance.exceptions import ElectionsError
from governance.models import CopilMeetingAttendance, MinutesRequest
from tests.governance.copil.factories import CopilMeetingFactory
from tests.governance.elections.factories import member_rep, seat_holder
from tests.members.factories import StatusChangeFactory, UserFactory

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def copil():
    holders = [seat_holder(n, start=D(2026, 1, 1)).holder for n in range(1, 6)]
    election_services.copil_roles_sync(now=datetime.datetime(2026, 6, 10, 12, tzinfo=datetime.UTC))
    meeting = CopilMeetingFactory(title="COPIL de juin", held_on=D(2026, 6, 10))
    return holders, meeting


def attend(meeting, member, actor, present=True, proxy_to=None):
    return services.copil_attendance_record(
        meeting=meeting, member=member, present=present, proxy_to=proxy_to, actor=actor
    )


@pytest.mark.rule("C2")
def test_c2_two_present_and_one_represented_make_the_quorum(copil):
    (a, b, c, d, _e), meeting = copil
    attend(meeting, a, a)
    attend(meeting, b, a)
    assert not services.copil_quorum(meeting=meeting).met
    attend(meeting, c, a, present=False, proxy_to=a)
    attend(meeting, d, a, present=False)  # absent, no proxy: not counted

    quorum = services.copil_quorum(meeting=meeting)

    assert (quorum.present, quorum.represented, quorum.required, quorum.met) == (2, 1, 3, True)


@pytest.mark.rule("C2")
def test_c2_a_decision_passes_by_majority_of_those_present_or_represented(copil):
    (a, b, c, d, _e), meeting = copil
    for member in (a, b, c):
        attend(meeting, member, a)
    attend(meeting, d, a, present=False, proxy_to=b)

    passed = services.copil_decision_record(
        meeting=meeting, subject="Adhésion X", votes_for=3, votes_against=1, actor=a
    )
    failed = services.copil_decision_record(
        meeting=meeting, subject="Adhésion Y", votes_for=2, votes_against=1, abstentions=1, actor=a
    )

    assert (passed.quorum_met, passed.passed) == (True, True)
    assert (failed.quorum_met, failed.passed) == (True, False)  # 2 of 4 is not a majority


@pytest.mark.rule("C2")
def test_c2_without_quorum_nothing_passes_and_votes_cannot_exceed_members(copil):
    (a, b, *_rest), meeting = copil
    attend(meeting, a, a)
    attend(meeting, b, a)

    decision = services.copil_decision_record(
        meeting=meeting, subject="Exclusion Z", votes_for=2, votes_against=0, actor=a
    )
    with pytest.raises(ElectionsError):
        services.copil_decision_record(
            meeting=meeting, subject="Trop de voix", votes_for=3, votes_against=0, actor=a
        )
    assert (decision.quorum_met, decision.passed) == (False, False)
    assert meeting.decisions.count() == 1


@pytest.mark.rule("C3")
def test_c3_a_present_member_holds_at_most_one_proxy(copil):
    (a, b, c, d, _e), meeting = copil
    attend(meeting, a, a)
    attend(meeting, b, a)
    attend(meeting, c, a, present=False, proxy_to=a)

    with pytest.raises(ElectionsError) as error:
        attend(meeting, d, a, present=False, proxy_to=a)
    assert "n'en détient qu'un" in str(error.value.message)
    with pytest.raises(ElectionsError):
        attend(meeting, d, a, present=False, proxy_to=_e)  # _e is not present
    assert not CopilMeetingAttendance.objects.filter(member=d).exists()


@pytest.mark.rule("C3")
def test_c3_only_copil_members_attend_and_only_the_copil_records(copil):
    (a, *_rest), meeting = copil
    with pytest.raises(ElectionsError):
        attend(meeting, UserFactory(), a)
    with pytest.raises(ElectionsError):
        attend(meeting, a, UserFactory())
    assert meeting.attendances.count() == 0


@pytest.mark.rule("C4")
def test_c4_a_member_requests_the_minutes_with_a_reason_and_is_told_the_answer(
    copil, client, django_capture_on_commit_callbacks
):
    (a, *_rest), meeting = copil
    meeting.minutes_text = "Décision sur la demande X."
    meeting.save()
    rep = member_rep()
    client.force_login(rep.user)
    url = reverse("elections:copil_minutes", kwargs={"pk": meeting.pk})

    page = client.get(url)
    assert "Décision sur la demande X." not in page.content.decode()
    empty = client.post(url, {"reason": ""})
    assert empty.status_code == 400 and MinutesRequest.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"reason": "Comprendre le refus de notre partenaire."})
    request = MinutesRequest.objects.get()
    assert mail.outbox[-1].to == ["copil@cos-ge.fr"]

    client.force_login(a)
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            reverse("elections:minutes_requests"), {"request": request.pk, "approve": "1"}
        )
    assert answer.status_code == 302
    assert mail.outbox[-1].to == [rep.user.email]
    assert "a accepté votre demande" in mail.outbox[-1].body

    client.force_login(rep.user)
    assert "Décision sur la demande X." in client.get(url).content.decode()


@pytest.mark.rule("C4")
def test_c4_a_refusal_needs_a_reason_and_keeps_the_minutes_closed(copil, client):
    (a, *_rest), meeting = copil
    rep = member_rep()
    request = services.minutes_request_create(
        meeting=meeting, requester=rep.user, reason="Curiosité"
    )

    with pytest.raises(ElectionsError):
        services.minutes_request_decide(request=request, actor=a, grant=False, reason="")
    with pytest.raises(ElectionsError):
        services.minutes_request_decide(request=request, actor=rep.user, grant=True)
    services.minutes_request_decide(
        request=request, actor=a, grant=False, reason="Données personnelles de tiers."
    )

    request.refresh_from_db()
    assert (request.status, request.refusal_reason) == ("refused", "Données personnelles de tiers.")
    client.force_login(rep.user)
    page = client.get(reverse("elections:copil_minutes", kwargs={"pk": meeting.pk}))
    assert "Données personnelles de tiers." in page.content.decode()


@pytest.mark.rule("C3", "C2")
def test_c3_the_admin_records_attendance_through_the_service(copil, client):
    (a, b, c, d, _e), meeting = copil
    client.force_login(b)  # a COPIL member: the COPIL records its meetings (G2)
    url = reverse("admin:governance_copilmeeting_change", args=[meeting.pk])
    prefix_a, prefix_d = "attendances", "decisions"
    data = {
        "title": meeting.title,
        "held_on": "2026-06-10",
        "activity": "",
        "minutes_text": "",
        f"{prefix_a}-TOTAL_FORMS": "4",
        f"{prefix_a}-INITIAL_FORMS": "0",
        f"{prefix_d}-TOTAL_FORMS": "0",
        f"{prefix_d}-INITIAL_FORMS": "0",
    }
    rows = [(c, False, a), (a, True, None), (b, True, None), (d, False, a)]
    for i, (member, present, proxy_to) in enumerate(rows):
        data[f"{prefix_a}-{i}-member"] = member.pk
        if present:
            data[f"{prefix_a}-{i}-present"] = "on"
        data[f"{prefix_a}-{i}-proxy_to"] = proxy_to.pk if proxy_to else ""

    response = client.post(url, data, follow=True)

    assert response.status_code == 200
    recorded = {x.member_id: (x.present, x.proxy_to_id) for x in meeting.attendances.all()}
    # d's second proxy to a is refused (C3), the others are recorded.
    assert recorded == {a.pk: (True, None), b.pk: (True, None), c.pk: (False, a.pk)}
    assert "détient déjà un pouvoir" in response.content.decode()


@pytest.mark.rule("C2")
def test_c2_a_status_decision_references_the_meeting_where_it_was_taken(copil):
    from members.constants import Status, StatusReason
    from tests.members.factories import member_organisation

    (a, b, c, *_rest), meeting = copil
    for member in (a, b, c):
        attend(meeting, member, a)
    organisation = member_organisation(status=Status.APPLICANT)
    approval = StatusChangeFactory(
        organisation=organisation,
        status=Status.MEMBER,
        reason=StatusReason.APPROVED,
        effective_at=datetime.datetime(2026, 6, 10, 12, tzinfo=datetime.UTC),
        decided_by=a,
    )

    decision = services.copil_decision_record(
        meeting=meeting,
        subject=f"Candidature de {organisation}",
        votes_for=3,
        votes_against=0,
        status_change=approval,
        actor=a,
    )

    assert decision.passed
    assert list(approval.copil_decisions.all()) == [decision]
    assert decision.status_change.organisation == organisation


def _admin_attendance_post(client, meeting, rows):
    """POST the meeting's admin page with ``rows`` as (member, present, proxy_to); rows
    already recorded are sent as initial forms with their id, new ones as extra forms."""
    url = reverse("admin:governance_copilmeeting_change", args=[meeting.pk])
    recorded = {x.member_id: x for x in meeting.attendances.all()}
    initial = [r for r in rows if r[0].pk in recorded]
    extra = [r for r in rows if r[0].pk not in recorded]
    data = {
        "title": meeting.title,
        "held_on": meeting.held_on.isoformat(),
        "activity": "",
        "minutes_text": "",
        "attendances-TOTAL_FORMS": str(len(rows)),
        "attendances-INITIAL_FORMS": str(len(initial)),
        "decisions-TOTAL_FORMS": "0",
        "decisions-INITIAL_FORMS": "0",
    }
    for i, (member, present, proxy_to) in enumerate(initial + extra):
        if member.pk in recorded:
            data[f"attendances-{i}-id"] = recorded[member.pk].pk
            data[f"attendances-{i}-meeting"] = meeting.pk
        data[f"attendances-{i}-member"] = member.pk
        if present:
            data[f"attendances-{i}-present"] = "on"
        data[f"attendances-{i}-proxy_to"] = proxy_to.pk if proxy_to else ""
    return client.post(url, data, follow=True)


def _states(meeting):
    return {x.member_id: (x.present, x.proxy_to_id) for x in meeting.attendances.all()}


@pytest.mark.rule("C2", "C3")
def test_c3_a_holder_who_leaves_gives_up_the_proxy_held_and_no_chain_makes_the_quorum(
    copil, client
):
    """B holds A's proxy, then leaves and gives their own to D: A's proxy ends with B's
    presence, so D alone in the room counts for D and B, not for three (C2, C3)."""
    (a, b, _c, d, _e), meeting = copil
    client.force_login(d)  # a COPIL member, not a superuser
    _admin_attendance_post(client, meeting, [(a, False, b), (b, True, None), (d, True, None)])
    assert services.copil_quorum(meeting=meeting).met  # B, D present, A represented by B

    response = _admin_attendance_post(
        client, meeting, [(a, False, b), (b, False, d), (d, True, None)]
    )

    assert response.status_code == 200
    assert _states(meeting) == {a.pk: (False, None), b.pk: (False, d.pk), d.pk: (True, None)}
    quorum = services.copil_quorum(meeting=meeting)
    assert (quorum.present, quorum.represented, quorum.met) == (1, 1, False)
    assert "prend fin" in response.content.decode()


@pytest.mark.rule("C2", "C3")
def test_c3_a_holder_recorded_absent_no_longer_represents_anyone(copil, client):
    (a, b, c, _d, _e), meeting = copil
    client.force_login(c)
    _admin_attendance_post(client, meeting, [(a, False, b), (b, True, None), (c, True, None)])

    _admin_attendance_post(client, meeting, [(a, False, b), (b, False, None), (c, True, None)])

    assert _states(meeting) == {a.pk: (False, None), b.pk: (False, None), c.pk: (True, None)}
    quorum = services.copil_quorum(meeting=meeting)
    assert (quorum.present, quorum.represented, quorum.met) == (1, 0, False)


@pytest.mark.rule("C3")
def test_c3_the_service_refuses_a_chain_of_proxies(copil):
    """A member who holds a proxy is present; once recorded absent they hold none, so a
    proxy never passes through a second hand."""
    (a, b, c, d, _e), meeting = copil
    attend(meeting, b, a)
    attend(meeting, d, a)
    attend(meeting, a, a, present=False, proxy_to=b)

    attend(meeting, b, a, present=False, proxy_to=d)

    assert _states(meeting) == {a.pk: (False, None), b.pk: (False, d.pk), d.pk: (True, None)}
    quorum = services.copil_quorum(meeting=meeting)
    assert (quorum.present, quorum.represented, quorum.met) == (1, 1, False)
    # A's proxy cannot go to B, who is absent, nor reach D through B.
    with pytest.raises(ElectionsError, match="membre présent"):
        attend(meeting, a, a, present=False, proxy_to=b)
    with pytest.raises(ElectionsError, match="n'en détient qu'un"):
        attend(meeting, c, a, present=False, proxy_to=d)
    assert _states(meeting)[a.pk] == (False, None)
