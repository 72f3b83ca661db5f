"""Commission pages (art. 8): list and detail, volunteering (K1), reports with private
attachments, roadmap and meetings by the facilitator (K2), standing commissions (K3)."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity
from governance.commissions import services
from governance.models import (
    Commission,
    CommissionMembership,
    MembershipStatus,
    ProgressReport,
    RoadmapAction,
    StandingRole,
)
from tests.governance.commissions.factories import copil_user, member_rep
from tests.members.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def copil(db):
    return copil_user()


@pytest.fixture
def storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path},
        },
    }
    return tmp_path


def with_facilitator(copil, commission=None):
    commission = commission or Commission.objects.get(standing_role=StandingRole.ROADMAP)
    facilitator = member_rep()
    services.commission_facilitator_set(
        commission=commission, representative=facilitator, actor=copil
    )
    return commission, facilitator


@pytest.mark.rule("K3")
def test_k3_the_list_shows_the_standing_commissions(client, django_assert_max_num_queries):
    client.force_login(UserFactory())
    with django_assert_max_num_queries(8) as few:
        response = client.get(reverse("commissions:list"))
    html = response.content.decode()
    for name in (
        "Commission des élections",
        "Commission feuille de route",
        "Commission communication et marketing",
    ):
        assert name in html
    assert html.count("permanente") == 3
    baseline = len(few.captured_queries)
    copil = copil_user()
    for i in range(4):
        commission = services.commission_create(
            name=f"Salon {i}", purpose="Salon", start_date=datetime.date(2026, 1, 1),
            end_date=datetime.date(2026, 12, 31), actor=copil,
        )  # fmt: skip
        with_facilitator(copil, commission)
    with django_assert_max_num_queries(baseline):
        client.get(reverse("commissions:list"))


@pytest.mark.rule("K1", "K2")
def test_detail_query_count_is_constant(client, copil, storage, django_assert_max_num_queries):
    commission, facilitator = with_facilitator(copil)
    client.force_login(facilitator.user)
    url = commission.get_absolute_url()

    def add(i):
        rep = member_rep()
        m = services.commission_volunteer(commission=commission, representative=rep, actor=rep.user)
        if i % 2:
            services.membership_decide(membership=m, accept=True, actor=copil)
        services.progress_report_submit(
            commission=commission, title=f"Point {i}", text="Texte.", actor=copil,
            files=[SimpleUploadedFile("p.pdf", b"%PDF-1.4\n")],
        )  # fmt: skip
        services.roadmap_action_save(
            commission=commission,
            data={"code": f"A{i}", "action": "Action", "target_year": 2027, "target_quarter": 1},
            actor=copil,
        )

    add(0)
    add(1)
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    for i in range(2, 6):
        add(i)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200


@pytest.mark.rule("K1")
def test_k1_volunteer_from_the_site_then_accepted_by_the_facilitator(client, copil):
    commission, facilitator = with_facilitator(copil)
    volunteer = member_rep()
    client.force_login(volunteer.user)
    page = client.get(commission.get_absolute_url())
    assert "Me porter volontaire" in page.content.decode()
    response = client.post(
        reverse("commissions:volunteer", args=[commission.slug]),
        {"representation": volunteer.pk, "motivation": "J'anime des ateliers lean."},
    )
    assert response.status_code == 302
    membership = CommissionMembership.objects.get(representative=volunteer)
    assert membership.status == MembershipStatus.VOLUNTEERED

    # Another member cannot decide; the facilitator can.
    client.force_login(volunteer.user)
    decide = reverse("commissions:membership_decide", args=[commission.slug, membership.pk])
    assert client.post(decide, {"decision": "accept"}).status_code == 403
    client.force_login(facilitator.user)
    page = client.get(commission.get_absolute_url())
    assert "J&#x27;anime des ateliers lean." in page.content.decode()
    assert client.post(decide, {"decision": "accept"}).status_code == 302
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.ACCEPTED


@pytest.mark.rule("K1")
def test_k1_volunteering_twice_shows_an_error_and_keeps_the_text(client, copil):
    commission, _f = with_facilitator(copil)
    volunteer = member_rep()
    services.commission_volunteer(
        commission=commission, representative=volunteer, actor=volunteer.user
    )
    client.force_login(volunteer.user)
    response = client.post(
        reverse("commissions:volunteer", args=[commission.slug]),
        {"representation": volunteer.pk, "motivation": "Encore moi"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "déjà volontaire ou membre" in html
    assert "Encore moi" in html
    assert CommissionMembership.objects.filter(representative=volunteer).count() == 1


@pytest.mark.rule("K2")
def test_k2_facilitator_posts_a_report_with_attachment_served_privately(client, copil, storage):
    commission, facilitator = with_facilitator(copil)
    client.force_login(facilitator.user)
    response = client.post(
        reverse("commissions:report_create", args=[commission.slug]),
        {
            "title": "Point de juin",
            "text": "Feuille de route 2027 en relecture.",
            "files": [SimpleUploadedFile("feuille.pdf", b"%PDF-1.4 feuille\n")],
        },
    )
    report = ProgressReport.objects.get()
    assert response.status_code == 302
    attachment = report.attachments.get()
    url = reverse("commissions:attachment", args=[attachment.pk])
    download = client.get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 feuille\n"
    assert download["Content-Type"] == "application/pdf"
    assert "feuille.pdf" in download["Content-Disposition"]
    assert download["Cache-Control"] == "private, no-store"
    client.force_login(member_rep().user)  # a member outside the commission
    assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302


@pytest.mark.rule("K2")
def test_k2_a_refused_attachment_keeps_the_text(client, copil, storage):
    commission, facilitator = with_facilitator(copil)
    client.force_login(facilitator.user)
    response = client.post(
        reverse("commissions:report_create", args=[commission.slug]),
        {
            "title": "Point de juin",
            "text": "Texte saisi.",
            "files": [SimpleUploadedFile("script.exe", b"MZ")],
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "seuls les fichiers PDF" in html
    assert "Texte saisi." in html
    assert not ProgressReport.objects.exists()


@pytest.mark.rule("K2", "A1")
def test_k2_facilitator_convenes_a_meeting(client, copil):
    commission, facilitator = with_facilitator(copil)
    client.force_login(facilitator.user)
    starts = (timezone.localtime() + datetime.timedelta(days=5)).replace(second=0, microsecond=0)
    response = client.post(
        reverse("commissions:meeting_create", args=[commission.slug]),
        {
            "title": "Atelier feuille de route",
            "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (starts + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "online_url": "https://visio.exemple.fr/feuille",
        },
    )
    activity = Activity.objects.get(title="Atelier feuille de route")
    assert response.status_code == 302
    assert response["Location"] == activity.get_absolute_url()
    assert list(activity.convocations.values_list("organisation", flat=True)) == [
        facilitator.organisation_id
    ]


@pytest.mark.rule("K2")
def test_k2_roadmap_action_from_the_page(client, copil):
    commission, facilitator = with_facilitator(copil)
    client.force_login(facilitator.user)
    response = client.post(
        reverse("commissions:roadmap_create", args=[commission.slug]),
        {
            "code": "FR-1",
            "action": "Catalogue des offres",
            "objectives": "Visibilité",
            "prerequisites": "",
            "deliverables": "Catalogue PDF",
            "target_year": 2027,
            "target_quarter": 3,
            "status": "planned",
        },
    )
    assert response.status_code == 302
    action = RoadmapAction.objects.get()
    assert (action.code, action.target) == ("FR-1", "T3 2027")
    page = client.get(commission.get_absolute_url()).content.decode()
    assert "Catalogue des offres" in page
    assert "T3 2027" in page
