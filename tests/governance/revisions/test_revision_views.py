"""Charter revision pages (art. 10): petition and support (X2), COPIL seizure and ad hoc
commission (X3), the vote at an extraordinary plenary and publication (X4, W1)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.constants import ActivityKind
from charters.selectors import charter_version_in_force
from governance.models import CharterRevision, RevisionStatus, RevisionVote
from tests.activities.factories import ActivityFactory
from tests.charters.factories import CharterVersionFactory
from tests.governance.commissions.factories import copil_user, member_rep, signatory_rep

pytestmark = pytest.mark.django_db


@pytest.fixture
def copil(db):
    return copil_user()


@pytest.fixture
def version(db):
    return CharterVersionFactory(label="V1 R001")


@pytest.mark.rule("X2")
def test_x2_petition_and_support_from_the_site(client, version):
    first, second, third, fourth = (signatory_rep() for _ in range(4))
    client.force_login(first.user)
    response = client.post(
        reverse("commissions:revision_petition"),
        {
            "representation": first.pk,
            "nature": "revision",
            "title": "Ouvrir aux laboratoires",
            "reason": "Les laboratoires publics le demandent.",
        },
    )
    revision = CharterRevision.objects.get()
    assert response.status_code == 302
    assert response["Location"] == revision.get_absolute_url()
    page = client.get(revision.get_absolute_url()).content.decode()
    assert "1 entités membres sur 4 soutiennent la demande (25.0 %)" in page or (
        "1 entités membres sur 4 soutiennent la demande (25,0 %)" in page
    )
    assert "soit 2 entités" in page

    client.force_login(second.user)
    response = client.post(
        reverse("commissions:revision_support", args=[revision.pk]),
        {"representation": second.pk},
    )
    assert response.status_code == 302
    revision.refresh_from_db()
    assert revision.status == RevisionStatus.SEIZED  # 2 of 4 = 50 %


@pytest.mark.rule("X2")
def test_x2_a_bad_petition_keeps_what_was_typed(client, version):
    rep = signatory_rep()
    client.force_login(rep.user)
    response = client.post(
        reverse("commissions:revision_petition"),
        {"representation": rep.pk, "nature": "revision", "title": "Mon titre", "reason": ""},
    )
    assert response.status_code == 400
    assert 'value="Mon titre"' in response.content.decode()
    assert not CharterRevision.objects.exists()


@pytest.mark.rule("X2")
def test_x2_a_representative_who_is_not_signatory_cannot_petition(client, version):
    rep = member_rep()
    client.force_login(rep.user)
    response = client.post(
        reverse("commissions:revision_petition"),
        {"representation": rep.pk, "nature": "revision", "title": "T", "reason": "R"},
    )
    assert response.status_code == 403
    assert not CharterRevision.objects.exists()


@pytest.mark.rule("X3", "X4", "W1")
def test_x3_x4_the_copil_runs_a_revision_to_the_new_version(client, copil, version):
    voters = [signatory_rep() for _ in range(3)]
    facilitator = member_rep()
    client.force_login(copil)
    client.post(
        reverse("commissions:revision_copil_open"),
        {"nature": "revision", "title": "Actualisation 2027", "reason": "Paramètres."},
    )
    revision = CharterRevision.objects.get()
    client.post(
        reverse("commissions:revision_commission", args=[revision.pk]),
        {"name": "", "end_date": "2030-06-30", "facilitator": facilitator.pk},
    )
    revision.refresh_from_db()
    assert revision.status == RevisionStatus.DRAFTING
    assert revision.commission.facilitator == facilitator

    effective = timezone.localdate() + datetime.timedelta(days=45)
    client.force_login(facilitator.user)
    response = client.post(
        reverse("commissions:revision_draft", args=[revision.pk]),
        {
            "label": "V2 R001",
            "effective_date": effective.isoformat(),
            "change_note": "Actualisation des paramètres de gouvernance.",
            "body": version.body,
        },
    )
    assert response.status_code == 302

    plenary = ActivityFactory(kind=ActivityKind.EXTRAORDINARY_PLENARY, starts_at=timezone.now())
    client.force_login(copil)
    client.post(
        reverse("commissions:revision_vote_open", args=[revision.pk]), {"plenary": plenary.pk}
    )
    revision.refresh_from_db()
    assert revision.status == RevisionStatus.VOTING

    # Two votes recorded by the COPIL from the roll call, one cast by a signatory.
    vote_url = reverse("commissions:revision_vote", args=[revision.pk])
    for rep, choice in zip(voters[:2], ["for", "against"], strict=True):
        assert (
            client.post(
                vote_url, {"organisation": rep.organisation_id, "choice": choice}
            ).status_code
            == 302
        )
    client.force_login(voters[2].user)
    assert (
        client.post(
            vote_url, {"organisation": voters[2].organisation_id, "choice": "for"}
        ).status_code
        == 302
    )
    again = client.post(vote_url, {"organisation": voters[2].organisation_id, "choice": "against"})
    assert again.status_code == 400
    assert "déjà enregistré" in again.content.decode()
    assert RevisionVote.objects.count() == 3

    client.force_login(copil)
    client.post(reverse("commissions:revision_vote_close", args=[revision.pk]))
    revision.refresh_from_db()
    assert revision.status == RevisionStatus.ADOPTED
    assert (revision.votes_for, revision.votes_against, revision.votes_abstain) == (2, 1, 0)
    assert charter_version_in_force(on=effective).label == "V2 R001"
    page = client.get(revision.get_absolute_url()).content.decode()
    assert "Actualisation des paramètres de gouvernance." in page  # W1 history
    assert "pour : 2, contre : 1, abstentions : 0" in page


@pytest.mark.rule("X2")
def test_revision_page_query_count_is_constant(
    client, copil, version, django_assert_max_num_queries
):
    reps = [signatory_rep() for _ in range(10)]
    client.force_login(copil)
    from governance.revisions import services

    revision = services.revision_petition_open(
        title="T", reason="R", organisation=reps[0].organisation, actor=reps[0].user
    )
    url = revision.get_absolute_url()
    with django_assert_max_num_queries(25) as few:
        client.get(url)
    for rep in reps[1:4]:
        services.revision_support(revision=revision, organisation=rep.organisation, actor=rep.user)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200


@pytest.mark.rule("X4")
def test_x4_members_cannot_close_the_vote(client, copil, version):
    from governance.revisions import services

    revision = services.revision_open_by_copil(title="T", reason="R", actor=copil)
    rep = signatory_rep()
    client.force_login(rep.user)
    response = client.post(reverse("commissions:revision_vote_close", args=[revision.pk]))
    assert response.status_code == 403
    revision.refresh_from_db()
    assert revision.status == RevisionStatus.SEIZED
