"""Every "Agir" link leads where its reader acts (issue 18).

For every deadline source registered with the engine, factories make the data that
produces its deadline; then each person who acts follows its link through the test
client, as from their dashboard, and reaches a page (200) where the action is offered;
each person only informed reads on their dashboard who acts and how to become so, with no
link. A new source without a builder here fails the coverage test.
"""

import datetime
import html
import zoneinfo

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from activities.models import AttendanceRatio
from core.deadlines import AHEAD_DAYS, OVERDUE_DAYS, deadline_kinds, deadline_list
from governance.models import CommissionStatus, ElectionStatus, RevisionStatus
from members import services as members_services
from members.constants import ExclusionGround, InvitationState, Role, Status
from members.models import Invitation
from tests.activities.factories import ActivityFactory, convene
from tests.charters.factories import CharterVersionFactory
from tests.governance.commissions.factories import CommissionFactory, copil_user
from tests.governance.copil.factories import CopilMeetingFactory, MinutesRequestFactory
from tests.governance.elections.factories import (
    ElectionFactory,
    ProxyFactory,
    commission_member,
    member_rep,
    seat_holder,
)
from tests.governance.revisions.factories import CharterRevisionFactory
from tests.members.factories import RepresentativeFactory, member_organisation

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
D = datetime.date
NOW = datetime.datetime(2026, 6, 15, 10, tzinfo=PARIS)
TODAY = NOW.date()


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def in_paris(day: datetime.date, hour: int = 14) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=PARIS)


# --- One builder per deadline kind: (moment, build() -> None, marker(deadline) -> str) ---
# The marker is what the page shows only where the action is possible (a form's action,
# the button that leads to it).


def build_resignature():
    CharterVersionFactory(label="V1 R001", effective_date=D(2021, 12, 2))
    CharterVersionFactory(label="V2 R001", effective_date=TODAY - days(60))
    member_rep(since=D(2024, 1, 1), signatory=True)  # a signatory acts
    member_rep(since=D(2024, 1, 1), signatory=False)  # none: its representative is told


def build_version_end():
    CharterVersionFactory(label="V1 R001", effective_date=D(2021, 12, 2), end_date=TODAY + days(20))
    copil_user()


def build_exclusion_response():
    CharterVersionFactory()
    rep = member_rep()
    members_services.exclusion_open(
        organisation=rep.organisation,
        actor=copil_user(),
        ground=ExclusionGround.IMAGE_HARM,
        facts="Propos publics.",
    )


def _partner_agreement(signed_on: datetime.date):
    CharterVersionFactory()
    copil = copil_user()
    organisation = member_organisation(status=Status.NONE, postcode="75001")
    members_services.partner_grant(organisation=organisation, actor=copil)
    RepresentativeFactory(organisation=organisation, start_date=signed_on)
    members_services.partnership_agreement_record(
        organisation=organisation, actor=copil, parties="COS-GE et Partenaire", signed_on=signed_on
    )


def build_agreement_notice():
    _partner_agreement(D(2023, 10, 1))  # renewed on 1 October 2026: notice by 1 July


def build_agreement_renewal():
    _partner_agreement(D(2023, 8, 1))  # renewed on 1 August 2026


def _invitation(*, state=InvitationState.VALIDATED, activities=(), ends_on=None):
    proposer = member_rep().user
    invitation = Invitation.objects.create(
        proposed_by=proposer,
        guest_name="Inès Invitée",
        guest_email="ines@exemple.fr",
        guest_organisation_name="Atelier Ines",
        starts_on=TODAY - days(10),
        ends_on=ends_on or TODAY + days(60),
        state=state,
    )
    invitation.activities.set(activities)
    return invitation


def build_invitation_expiry():
    _invitation(ends_on=TODAY + days(5))


def build_invitation_acceptance():
    copil_user()
    workshop = ActivityFactory(
        starts_at=in_paris(TODAY + days(10)), ends_at=in_paris(TODAY + days(10), 17)
    )
    _invitation(activities=[workshop])


def build_no_representative():
    copil_user()
    rep = member_rep(since=D(2023, 1, 1))
    rep.end_date = TODAY - days(20)
    rep.save()


def build_proof_request():
    CharterVersionFactory()
    rep = member_rep()
    members_services.proof_request_create(
        organisation=rep.organisation,
        actor=copil_user(),
        description="Statuts à jour.",
        due_on=TODAY + days(14),
    )


def build_attendance_threshold():
    rep = member_rep(since=D(2024, 1, 1))
    AttendanceRatio.objects.create(
        organisation=rep.organisation,
        date=TODAY - days(10),
        window_start=in_paris(TODAY - days(375)),
        window_end=in_paris(TODAY - days(10)),
        convened=4,
        attended=1,
        threshold_percent=33,
        computed_at=in_paris(TODAY - days(10)),
    )
    workshop = ActivityFactory(
        starts_at=in_paris(TODAY + days(12)), ends_at=in_paris(TODAY + days(12), 17)
    )
    convene(workshop, rep.organisation)


def _election(**kwargs):
    copil_user()
    commission_member()
    for number in range(1, 6):
        seat_holder(number, start=D(2024, 6, 1))
    return ElectionFactory(
        plenary__starts_at=in_paris(TODAY + days(60)),
        candidacy_deadline=in_paris(TODAY + days(20)),
        **kwargs,
    )


def build_election_announcement():
    _election()


def build_candidacy_deadline():
    _election(status=ElectionStatus.ANNOUNCED, announced_at=NOW - days(5))


def build_proxy_validation():
    election = _election(status=ElectionStatus.ANNOUNCED, announced_at=NOW - days(5))
    ProxyFactory(election=election)


ELECTION_NEEDED_AT = datetime.datetime(2027, 10, 20, 10, tzinfo=PARIS)


def build_election_needed():
    # The COPIL's own overdue deadline of issue 18: it led the COPIL to a 403.
    copil_user()
    commission_member()
    for number in range(1, 6):
        seat_holder(number, start=D(2025, 5, 20))  # up in 2027 (V3)


def build_commission_end():
    copil_user()
    CommissionFactory(
        name="Salon 2026",
        slug="salon-2026",
        purpose="Préparer le salon.",
        start_date=D(2026, 1, 1),
        end_date=TODAY + days(20),
        facilitator=member_rep(),
        status=CommissionStatus.ACTIVE,
    )


def build_minutes_request():
    copil_user()
    rep = member_rep()
    MinutesRequestFactory(
        meeting=CopilMeetingFactory(title="COPIL de mai"),
        requester=rep.user,
        organisation=rep.organisation,
    )


def build_revision_seized():
    copil_user()
    CharterRevisionFactory(
        title="Révision 2026",
        status=RevisionStatus.SEIZED,
        opened_at=NOW - days(5),
        copil_notified_at=NOW - days(5),
    )


BUILDERS = {
    "charters.resignature": (NOW, build_resignature, lambda d: 'name="consent"'),
    "charters.version_end": (
        NOW,
        build_version_end,
        lambda d: reverse("commissions:revision_copil_open"),
    ),
    "members.exclusion_response": (
        NOW,
        build_exclusion_response,
        lambda d: "/reponse/",
    ),
    "members.agreement_notice": (
        NOW,
        build_agreement_notice,
        lambda d: 'value="terminate_partnership"',
    ),
    "members.agreement_renewal": (
        NOW,
        build_agreement_renewal,
        lambda d: 'value="terminate_partnership"',
    ),
    "members.invitation_expiry": (
        NOW,
        build_invitation_expiry,
        lambda d: 'name="guest_email"',
    ),
    "members.invitation_acceptance": (
        NOW,
        build_invitation_acceptance,
        lambda d: 'href="mailto:ines@exemple.fr"',
    ),
    # The organisation's page, with its inline form for one more representative.
    "members.no_representative": (
        NOW,
        build_no_representative,
        lambda d: 'id="representatives-empty"',
    ),
    "members.proof_request": (NOW, build_proof_request, lambda d: "/justificatifs/"),
    "activities.attendance_threshold": (
        NOW,
        build_attendance_threshold,
        lambda d: 'name="coming" value="yes"',
    ),
    "governance.election_announcement": (
        NOW,
        build_election_announcement,
        lambda d: reverse("elections:manage", args=[d.key.rsplit(":", 1)[1], "annoncer"]),
    ),
    "governance.candidacy_deadline": (
        NOW,
        build_candidacy_deadline,
        lambda d: "Déposer ma candidature",
    ),
    "governance.proxy_validation": (NOW, build_proxy_validation, lambda d: "/decision/"),
    "governance.election_needed": (
        ELECTION_NEEDED_AT,
        build_election_needed,
        lambda d: 'name="plenary"',
    ),
    "governance.commission_end": (
        NOW,
        build_commission_end,
        lambda d: reverse("commissions:report_create", args=["salon-2026"]),
    ),
    "governance.minutes_request": (NOW, build_minutes_request, lambda d: 'name="request"'),
    "governance.revision_seized": (
        NOW,
        build_revision_seized,
        lambda d: "/commission/",
    ),
}


def test_every_deadline_kind_has_a_builder_here():
    assert set(BUILDERS) == set(deadline_kinds())


def page(response) -> str:
    return response.content.decode()


@pytest.mark.parametrize("kind", list(BUILDERS))
def test_every_act_link_leads_where_its_recipient_acts(client, kind):
    moment, build, marker = BUILDERS[kind]
    users = get_user_model().objects
    with freeze_time(moment):
        build()
        today = timezone.localdate()
        deadlines = [
            d
            for d in deadline_list(start=today - days(OVERDUE_DAYS), end=today + days(AHEAD_DAYS))
            if d.kind == kind
        ]
        assert deadlines, f"no {kind} deadline from the data built"
        for deadline in deadlines:
            assert deadline.actors or deadline.informed
            for user in users.filter(pk__in=deadline.actors):
                client.force_login(user)
                dashboard = client.get(reverse("space:dashboard"), {"echeances": "toutes"})
                [row] = [
                    r for r in dashboard.context["deadlines"] if r.deadline.key == deadline.key
                ]
                assert row.can_act
                assert f'href="{deadline.act_url}"' in page(dashboard)
                response = client.get(deadline.act_url, follow=True)
                assert response.status_code == 200, (kind, user, deadline.act_url)
                assert marker(deadline) in page(response), (kind, user, deadline.act_url)
            informed_only = users.filter(pk__in=set(deadline.informed) - set(deadline.actors))
            for user in informed_only:
                client.force_login(user)
                dashboard = client.get(reverse("space:dashboard"), {"echeances": "toutes"})
                [row] = [
                    r for r in dashboard.context["deadlines"] if r.deadline.key == deadline.key
                ]
                assert not row.can_act
                assert deadline.act_hint, f"{kind}: the informed read who acts"
                text = html.unescape(page(dashboard))
                assert str(deadline.act_hint) in text
                assert f'href="{deadline.act_url}">Agir' not in page(dashboard)


@pytest.mark.rule("V2", "V12")
def test_the_copil_reads_who_creates_the_election_instead_of_a_refused_link(client):
    with freeze_time(ELECTION_NEEDED_AT):
        build_election_needed()
        copil = get_user_model().objects.get(groups__name=Role.COPIL)
        client.force_login(copil)

        overview = page(client.get(reverse("deadlines:overview")))
        cockpit = html.unescape(page(client.get(reverse("copil:cockpit_deadlines"))))

        assert "Annoncer l&#x27;élection du COPIL de 2027" in overview
        assert f'href="{reverse("elections:create")}"' not in overview
        assert "Action de la commission électorale (article 8)" in cockpit
        assert client.get(reverse("elections:create")).status_code == 403
        # Once in the election commission, the same row links to the form, which opens.
        copil.groups.add(Group.objects.get_or_create(name=Role.ELECTION_COMMISSION)[0])
        overview = page(client.get(reverse("deadlines:overview")))
        assert f'<a href="{reverse("elections:create")}">Agir</a>' in overview
        assert client.get(reverse("elections:create")).status_code == 200
