"""The living demo community (issue 18): ``manage.py seed_demo`` loads, dated relative to
the load day, activities with attendance and ratios, elections, commissions, referents,
applications, a partner's agreement, an exclusion procedure and announcements, each
through the services; every role of the README has something to do on first login.
The members part (registry, people, statuses) is tested in tests/members/test_seed_demo.py.
"""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone
from freezegun import freeze_time

from activities.constants import ActivityKind
from activities.models import Activity, AttendanceRatio, Convocation, Participation
from charters.selectors import charter_parameters
from core.roles import is_copil
from governance.announcements.models import Announcement, AnnouncementStatus
from governance.commissions.models import (
    Commission,
    CommissionMembership,
    MembershipStatus,
    ProgressReport,
    StandingRole,
)
from governance.elections import selectors as election_selectors
from governance.elections.models import (
    Ballot,
    Election,
    ElectionStatus,
    Mandate,
    ProxyStatus,
    VoteRecord,
)
from governance.elections.services import in_blackout
from governance.referents.models import Referent
from members import selectors, services
from members.constants import ApplicationState
from members.exceptions import ApplicationBlocked
from members.models import (
    Application,
    ExclusionProcedure,
    Organisation,
    PartnershipAgreement,
    Representative,
    StatusChange,
    User,
)

GRAND_EST = {"08", "10", "51", "52", "54", "55", "57", "67", "68", "88"}


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded(db):
    return seed()


def counts() -> dict:
    models = (
        Activity, Convocation, Participation, AttendanceRatio, Election, VoteRecord, Ballot,
        Mandate, CommissionMembership, ProgressReport, Referent, Announcement, Application,
        ExclusionProcedure, PartnershipAgreement, Organisation, User, Representative,
        StatusChange,
    )  # fmt: skip
    found = {model.__name__: model.objects.count() for model in models}
    # Nothing rewritten either: the last change of every record that keeps one.
    for model in (Organisation, Representative, Activity, Election, Application, Referent):
        found[f"{model.__name__} changed"] = sorted(
            str(moment) for moment in model.objects.values_list("updated_at", flat=True)
        )
    return found


@pytest.mark.rule("A3", "A4")
def test_past_activities_give_ratios_above_near_and_under_the_threshold(seeded):
    now = timezone.now()
    year_ago = now - datetime.timedelta(days=365)
    past = Activity.objects.filter(starts_at__gte=year_ago, ends_at__lt=now)
    assert past.count() >= 12
    for activity in past:
        assert activity.convocations.exists(), activity
    assert Participation.objects.filter(activity__in=past, attendance="present").count() >= 200
    # The real job's snapshot of today, for every member (A4).
    today = AttendanceRatio.objects.filter(date=timezone.localdate())
    assert today.count() == 32
    ratios = {ratio.organisation.legal_name: ratio for ratio in today}
    below = {name for name, ratio in ratios.items() if ratio.is_below_threshold}
    assert below == {
        "Haguenau Usinage Intelligent",
        "Sedan Métallurgie Connectée",
        "Saint-Dié Impression 3D Métal",
    }
    warning = charter_parameters().attendance_warning_points
    near = {
        name
        for name, ratio in ratios.items()
        if not ratio.is_below_threshold and ratio.is_near_threshold(warning_points=warning)
    }
    assert near == {"Moselle Vision Robotique", "Épernay Énergie Industrielle"}
    moselle = ratios["Moselle Vision Robotique"]
    assert 33 <= moselle.ratio_percent < 43
    assert sum(1 for r in ratios.values() if r.ratio_percent and r.ratio_percent >= 50) >= 25
    assert "Taux de présence du jour : 29 membres au moins au seuil de 33 %, 3 en dessous." in (
        seeded
    )


@pytest.mark.rule("A1", "A2")
def test_upcoming_activities_and_the_organisers_check_in(seeded, client):
    organiser = User.objects.get(email="organisateur@demo.cos-ge.fr")
    now = timezone.now()
    upcoming = Activity.objects.filter(starts_at__gt=now)
    assert upcoming.count() >= 6
    assert upcoming.filter(kind=ActivityKind.ORDINARY_PLENARY).count() == 2
    mine = upcoming.filter(organisers=organiser).order_by("starts_at")
    assert mine.count() >= 3
    next_one = mine.first()
    assert next_one.starts_at - now < datetime.timedelta(days=2)
    assert next_one.convocations.count() >= 32
    client.force_login(organiser)
    response = client.get(f"/activites/{next_one.pk}/pointage/personnes.json")
    assert response.status_code == 200
    assert "Camille" in response.content.decode()  # membre@'s name on the roster


@pytest.mark.rule("V2", "V9", "V10", "V11", "V12", "V6", "V8")
def test_a_finished_election_and_one_in_its_candidacy_phase(seeded):
    today = timezone.localdate()
    finished = Election.objects.get(status=ElectionStatus.PUBLISHED)
    assert finished.election_date < today
    assert finished.electorate.count() >= 30
    assert Ballot.objects.filter(election=finished).count() == (
        VoteRecord.objects.filter(election=finished).count()
    )
    assert VoteRecord.objects.filter(election=finished, on_paper=False).count() == 2
    assert VoteRecord.objects.filter(election=finished, via_proxy__isnull=False).count() == 1
    elected = finished.candidacies.filter(is_elected=True)
    assert elected.count() == finished.seats_to_fill == 3
    assert finished.candidacies.filter(is_elected=False, votes__gt=0).exists()
    # G1: the elected hold their seats; the COPIL's group follows the running mandates.
    holders = set(
        election_selectors.mandates_active_on(on=today).values_list("holder__email", flat=True)
    )
    copil = set(User.objects.filter(groups__name="COPIL").values_list("email", flat=True))
    assert holders == copil and len(copil) == 5 and "copil@demo.cos-ge.fr" in copil

    coming = Election.objects.get(status=ElectionStatus.ANNOUNCED)
    assert coming.seats_to_fill == 2
    assert coming.election_date - timezone.localdate(coming.announced_at) >= datetime.timedelta(
        weeks=6
    )
    assert not in_blackout(coming.election_date)
    assert coming.plenary.kind == ActivityKind.ORDINARY_PLENARY
    assert election_selectors.candidacy_open(coming)  # V11: until the previous plenary
    deadline = Activity.objects.get(starts_at=coming.candidacy_deadline)
    assert deadline.kind == ActivityKind.ORDINARY_PLENARY
    assert election_selectors.candidacy_list(election=coming).count() == 2
    statuses = sorted(coming.proxies.values_list("status", flat=True))
    assert statuses == [ProxyStatus.SIGNED, ProxyStatus.VALIDATED]
    # V12: the commission that runs the ballot, copil@ among its members.
    commission = Commission.objects.get(standing_role=StandingRole.ELECTIONS)
    assert commission.facilitator is not None
    assert commission.memberships.filter(status=MembershipStatus.ACCEPTED).count() == 3
    assert election_selectors.is_election_commission(User.objects.get(email="copil@demo.cos-ge.fr"))


@pytest.mark.rule("R4", "K1", "K2")
def test_zone_referents_commission_members_and_reports(seeded):
    zones = Referent.objects.filter(is_zone_referent=True, end_date__isnull=True)
    covered = {department for referent in zones for department in referent.zone_departments}
    assert len(covered) >= 8 and covered <= GRAND_EST
    assert Referent.objects.filter(is_zone_referent=False).exists()
    assert all(referent.contacts.exists() for referent in Referent.objects.all())
    roadmap = Commission.objects.get(standing_role=StandingRole.ROADMAP)
    assert roadmap.memberships.filter(status=MembershipStatus.ACCEPTED).count() == 4
    assert roadmap.memberships.filter(status=MembershipStatus.VOLUNTEERED).count() == 1
    assert ProgressReport.objects.filter(commission=roadmap).count() == 2
    assert ProgressReport.objects.filter(shown_at__isnull=False).count() == 1
    assert roadmap.roadmap_actions.count() == 3
    assert roadmap.meetings.count() == 2


@pytest.mark.rule("M1", "M4", "M6")
def test_one_application_ready_to_approve_and_one_blocked_with_its_reason(seeded):
    ready = Application.objects.get(organisation__legal_name="Argonne Automatismes")
    blocked = Application.objects.get(organisation__legal_name="Marne Supervision Industrielle")
    for application in (ready, blocked):
        assert application.state == ApplicationState.SUBMITTED
        assert application.signature is not None  # M4: signed with the application
    ready_conditions = selectors.application_conditions_for_applicant(application=ready)
    assert [c.code for c in ready_conditions] == ["aif", "grand_est", "charter", "attendance"]
    assert all(c.ok for c in ready_conditions)
    blocked_conditions = {
        c.code: c for c in selectors.application_conditions_for_applicant(application=blocked)
    }
    assert [code for code, c in blocked_conditions.items() if not c.ok] == ["attendance"]
    assert blocked_conditions["attendance"].detail == "0 activité(s) suivie(s), 1 au moins"
    # The blocked applicant is convened to an activity to come: its chance to attend (M6).
    assert Convocation.objects.filter(
        organisation=blocked.organisation, activity__starts_at__gt=timezone.now()
    ).exists()
    copil = User.objects.get(email="copil@demo.cos-ge.fr")
    with pytest.raises(ApplicationBlocked, match="Activités suivies en tant qu'invité"):
        services.application_approve(application=blocked, actor=copil)
    services.application_approve(application=ready, actor=copil)
    assert selectors.organisation_status(organisation=ready.organisation) == "member"


@pytest.mark.rule("P2", "L4")
def test_a_partners_agreement_an_open_exclusion_and_announcements(seeded):
    agreement = PartnershipAgreement.objects.get()
    assert agreement.organisation.legal_name == "Cluster Mécatronique Champagne-Ardenne"
    assert (agreement.initial_term_months, agreement.renewal_months) == (36, 12)
    procedure = ExclusionProcedure.objects.get()
    assert procedure.is_open
    assert procedure.organisation.legal_name == "Haguenau Usinage Intelligent"
    assert procedure.attendance_attended * 100 < 33 * procedure.attendance_convened
    assert procedure.responded_at is not None
    # L4: the member answered and the period is over: the COPIL may decide today.
    assert procedure.response_due_on < timezone.localdate()
    statuses = set(Announcement.objects.values_list("status", flat=True))
    assert statuses == {AnnouncementStatus.SENT, AnnouncementStatus.DRAFT}
    assert Announcement.objects.get(status=AnnouncementStatus.SENT).deliveries.count() >= 60


def test_each_role_of_the_readme_has_something_to_do(seeded, client):
    member = User.objects.get(email="membre@demo.cos-ge.fr")
    client.force_login(member)
    page = client.get("/espace/").content.decode()
    assert "proche du seuil" in page  # register for the next activity (A3)
    assert "Clôture des candidatures" in page  # stand for the COPIL or give a proxy (V11)
    coming = Election.objects.get(status=ElectionStatus.ANNOUNCED)
    election_page = client.get(f"/elections/{coming.pk}/").content.decode()
    assert "Se porter candidat" in election_page and "Donner procuration" in election_page

    copil = User.objects.get(email="copil@demo.cos-ge.fr")
    assert is_copil(copil)
    client.force_login(copil)
    page = client.get("/espace/").content.decode()
    assert "Valider les procurations" in page
    election_page = client.get(f"/elections/{coming.pk}/").content.decode()
    assert "Signée, à valider" in election_page and "Refuser" in election_page
    assert Application.objects.filter(state=ApplicationState.SUBMITTED).count() == 2
    assert client.get("/admin/members/application/").status_code == 200

    organiser = User.objects.get(email="organisateur@demo.cos-ge.fr")
    client.force_login(organiser)
    page = client.get("/activites/").content.decode()
    assert "Atelier : maintenance prédictive des machines tournantes" in page

    admin = User.objects.get(email="admin@demo.cos-ge.fr")
    client.force_login(admin)
    assert client.get("/admin/").status_code == 200
    assert election_selectors.is_election_commission(admin)


def test_loading_again_ten_days_later_creates_nothing(db):
    start = timezone.now().replace(hour=9, minute=0)
    with freeze_time(start):
        first = seed()
    before = counts()
    with freeze_time(start + datetime.timedelta(days=10)):
        second = seed()
        # Only the nightly job's snapshot of the new day (A4).
        assert AttendanceRatio.objects.filter(date=timezone.localdate()).count() == 32
    after = counts()
    assert after.pop("AttendanceRatio") == before.pop("AttendanceRatio") + 32
    assert after == before
    assert "Créés : 1 version de charte, 42 entités" in first
    assert "Activités : 0 créées, 0 présences pointées" in second
    assert "Gouvernance : 0 élection(s), 0 bulletins, 0 mandats au COPIL" in second
