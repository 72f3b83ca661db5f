"""The demo data command: a realistic COS-GE, loaded any number of times without duplicates."""

import io

import pytest
from allauth.account.models import EmailAddress
from auditlog.models import LogEntry
from django.contrib.auth.models import Group
from django.contrib.sites.models import Site
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, Q

from activities.models import Activity, AttendanceRatio, Convocation, Participation
from charters.models import CharterVersion
from core.models import AuditEntry
from governance.announcements.models import Announcement, AnnouncementDelivery
from governance.commissions.models import CommissionMembership, ProgressReport
from governance.elections.models import Ballot, Candidacy, Election, Mandate, Proxy, VoteRecord
from governance.referents.models import Referent
from members import selectors
from members.constants import Role, Status, StatusReason
from members.demo import CHARTER_FILE, DEMO_PASSWORD
from members.models import (
    Application,
    Establishment,
    ExclusionProcedure,
    Organisation,
    PartnershipAgreement,
    Representative,
    StatusChange,
    User,
)

GRAND_EST = ("08", "10", "51", "52", "54", "55", "57", "67", "68", "88")
DEMO_LOGINS = (
    "membre@demo.cos-ge.fr",
    "copil@demo.cos-ge.fr",
    "organisateur@demo.cos-ge.fr",
    "admin@demo.cos-ge.fr",
)


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def snapshot() -> dict:
    return {
        "charters": CharterVersion.objects.count(),
        "organisations": Organisation.objects.count(),
        "establishments": Establishment.objects.count(),
        "users": User.objects.count(),
        "representatives": Representative.objects.count(),
        "status_changes": StatusChange.objects.count(),
        "audit_entries": AuditEntry.objects.count(),
        "email_addresses": EmailAddress.objects.count(),
        "group_memberships": User.groups.through.objects.count(),
        "category_links": Organisation.offer_categories.through.objects.count(),
        "sites": Site.objects.count(),
        "updated": sorted(
            str(moment) for moment in Organisation.objects.values_list("updated_at", flat=True)
        ),
        # The living community (activities, ratios, governance), through their services.
        **{
            model._meta.label: model.objects.count()
            for model in (
                Activity,
                Convocation,
                Participation,
                AttendanceRatio,
                Election,
                Candidacy,
                Proxy,
                VoteRecord,
                Ballot,
                Mandate,
                CommissionMembership,
                ProgressReport,
                Referent,
                Announcement,
                AnnouncementDelivery,
                Application,
                ExclusionProcedure,
                PartnershipAgreement,
                LogEntry,
            )
        },  # fmt: skip
        "rewritten": sorted(
            str(moment)
            for model in (
                Representative,
                Activity,
                Election,
                Proxy,
                Application,
                CommissionMembership,
                Referent,
            )  # fmt: skip
            for moment in model.objects.values_list("updated_at", flat=True)
        ),
    }


@pytest.fixture
def seeded(db):
    return seed()


def current_statuses() -> dict[str, str]:
    return dict(
        selectors.organisation_list_with_status().values_list("legal_name", "current_status")
    )


@pytest.mark.rule("S1")
def test_second_run_creates_and_rewrites_nothing(db):
    first_output = seed()
    before = snapshot()
    second_output = seed()
    assert snapshot() == before
    assert "Créés : 1 version de charte, 42 entités" in first_output
    assert (
        "Créés : 0 version de charte, 0 entités, 0 établissements, 0 personnes, "
        "0 représentants, 0 changements de statut." in second_output
    )


def test_charter_version_and_site(seeded):
    version = CharterVersion.objects.get()
    assert version.label == "V1 R001"
    assert version.title == (
        "Charte de la Communauté des Offreurs de Solutions industrie du futur en Grand Est (COS-GE)"
    )
    assert version.effective_date.isoformat() == "2021-12-02"
    assert version.end_date.isoformat() == "2030-12-31"
    assert version.change_note == "Version initiale ratifiée le 30 novembre 2021"
    assert version.body == CHARTER_FILE.read_text(encoding="utf-8")
    assert "Article 12 – Droit applicable" in version.body
    site = Site.objects.get(pk=1)
    assert (site.domain, site.name) == ("127.0.0.1:8000", "COS-GE")


@pytest.mark.rule("S1")
def test_every_status_of_the_charter_is_represented(seeded):
    statuses = current_statuses()
    counts = {status: list(statuses.values()).count(status) for status in Status.values}
    assert len(statuses) == 42
    assert counts == {"member": 32, "partner": 3, "invitee": 3, "applicant": 2, "none": 2}
    # Every history was written through the service: one audit entry per change.
    assert AuditEntry.objects.filter(action__startswith="members.status.").count() == (
        StatusChange.objects.count()
    )


@pytest.mark.rule("L2", "L4")
def test_a_resigned_and_an_excluded_former_member(seeded):
    losses = StatusChange.objects.filter(status=Status.NONE).select_related("organisation")
    by_reason = {change.reason: change for change in losses}
    assert sorted(by_reason) == [StatusReason.EXCLUDED, StatusReason.RESIGNED]
    for change in losses:
        earlier = change.organisation.status_changes.exclude(pk=change.pk)
        assert list(earlier.values_list("status", flat=True)) == [Status.MEMBER]
    excluded = by_reason[StatusReason.EXCLUDED]
    assert excluded.notice_reference == "COPIL-2025-007"
    assert excluded.decided_by.groups.filter(name=Role.COPIL).exists()
    assert "33 %" in excluded.explanation
    # Their representatives stopped on the day they left.
    for change in losses:
        ends = set(change.organisation.representatives.values_list("end_date", flat=True))
        assert ends == {change.effective_at.date()}


@pytest.mark.rule("M2", "S2")
def test_each_grand_est_department_has_a_member(seeded):
    members = [name for name, status in current_statuses().items() if status == Status.MEMBER]
    departments = set(
        Establishment.objects.filter(
            organisation__legal_name__in=members, is_active=True
        ).values_list("department", flat=True)
    )
    assert set(GRAND_EST) <= departments
    # Some members also have an establishment outside the Grand Est.
    assert departments - set(GRAND_EST)
    # Every member has an active establishment in the Grand Est (M2).
    in_grand_est = Organisation.objects.filter(
        legal_name__in=members,
        establishments__is_active=True,
        establishments__department__in=GRAND_EST,
    ).distinct()
    assert in_grand_est.count() == len(members)
    assert len(selectors.directory_list()) == 35


@pytest.mark.rule("M2")
def test_identifiers_and_records_pass_model_validation(seeded):
    for organisation in Organisation.objects.all():
        organisation.full_clean()
        assert organisation.website == f"https://www.{organisation.slug}.example"
        assert organisation.offer_categories.exists()
    for establishment in Establishment.objects.all():
        establishment.full_clean()
        assert establishment.siret[:9] == establishment.organisation.siren
    sirets = list(Establishment.objects.values_list("siret", flat=True))
    assert len(sirets) == len(set(sirets))
    kinds = set(Organisation.objects.values_list("kind", flat=True))
    assert kinds == {"company", "association", "administration", "independent"}


@pytest.mark.rule("M9")
def test_representatives_and_one_authorised_signatory_each(seeded):
    organisations = Organisation.objects.annotate(
        people=Count("representatives"),
        signatories=Count(
            "representatives", filter=Q(representatives__is_authorised_signatory=True)
        ),
    )
    for organisation in organisations:
        assert 1 <= organisation.people <= 3, organisation
        assert organisation.signatories == 1, organisation
    assert Representative.objects.filter(public_consent=True).exists()
    assert Representative.objects.filter(public_consent=False).exists()
    for representative in Representative.objects.exclude(
        user__email__endswith="@demo.cos-ge.fr"
    ).select_related("user", "organisation"):
        assert representative.user.email.endswith(f"@{representative.organisation.slug}.example")
        # Only the COPIL and the applicants (who signed the charter online) log in.
        applicant = Application.objects.filter(applicant=representative.user).exists()
        assert not representative.user.has_usable_password() or (
            representative.user.is_staff or applicant
        )
    member = Representative.objects.get(user__email="membre@demo.cos-ge.fr")
    assert member.is_authorised_signatory
    assert current_statuses()[member.organisation.legal_name] == Status.MEMBER


@pytest.mark.rule("G1")
def test_five_copil_members_represent_members(seeded):
    copil = User.objects.filter(groups__name=Role.COPIL)
    assert copil.count() == 5
    statuses = current_statuses()
    for user in copil:
        assert user.is_staff
        assert user.check_password(DEMO_PASSWORD)
        assert EmailAddress.objects.filter(user=user, verified=True, primary=True).exists()
        represented = user.representations.get().organisation
        assert statuses[represented.legal_name] == Status.MEMBER
    assert set(
        User.objects.filter(groups__name=Role.ORGANISERS).values_list("email", flat=True)
    ) == {"organisateur@demo.cos-ge.fr"}
    assert Group.objects.get(name=Role.COPIL).user_set.filter(email="copil@demo.cos-ge.fr").exists()
    admin = User.objects.get(email="admin@demo.cos-ge.fr")
    assert admin.is_superuser and admin.is_staff


@pytest.mark.parametrize("email", DEMO_LOGINS)
def test_demo_logins_sign_in(seeded, client, email):
    response = client.post("/comptes/login/", {"login": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").wsgi_request.user.email == email


def test_output_lists_the_demo_logins(seeded):
    for email in DEMO_LOGINS:
        assert email in seeded
    assert DEMO_PASSWORD in seeded
    assert "32 membres, 3 partenaires, 3 invités, 2 candidat(s), 2 sans statut" in seeded


def test_refuses_a_production_environment_without_force(db, settings):
    settings.SECURE = True
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo", stdout=io.StringIO())
    assert Organisation.objects.count() == 0
    assert User.objects.count() == 0
    assert CharterVersion.objects.count() == 0


@pytest.mark.rule("W1")
def test_a_published_charter_version_is_never_rewritten(seeded):
    CharterVersion.objects.filter(label="V1 R001").update(change_note="Note modifiée")
    err = io.StringIO()
    call_command("seed_demo", stdout=io.StringIO(), stderr=err)
    assert CharterVersion.objects.get().change_note == "Note modifiée"
    assert "laissée telle quelle" in err.getvalue()
