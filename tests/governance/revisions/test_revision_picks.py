"""The charter revision's COPIL forms pick one person or one member entity among
thousands (X3, X4): found by a search, never listed whole, so that neither page grows with
the community."""

import html

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.constants import ActivityKind
from governance.models import (
    CharterRevision,
    RevisionOrigin,
    RevisionStatus,
    RevisionSupport,
    RevisionVote,
)
from governance.revisions import services
from members.models import Organisation
from tests.activities.factories import ActivityFactory
from tests.charters.factories import CharterVersionFactory
from tests.governance.commissions.factories import copil_user, member_rep, signatory_rep
from tests.members.factories import UserFactory

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(" ".join(response.content.decode().split()))


@pytest.fixture
def seized(db):
    CharterVersionFactory(label="V1 R001")
    copil = copil_user()
    revision = services.revision_open_by_copil(title="T", reason="R", actor=copil)
    return copil, revision


def assert_same_size_with_30_more(client, url, add, django_assert_max_num_queries) -> None:
    small = client.get(url)
    for _ in range(30):
        add()
    with django_assert_max_num_queries(10):
        large = client.get(url)
    assert small.status_code == large.status_code == 200
    assert abs(len(large.content) - len(small.content)) < 100


def named_entity(name: str):
    rep = signatory_rep()
    Organisation.objects.filter(pk=rep.organisation_id).update(legal_name=name)
    rep.organisation.refresh_from_db()
    return rep


@pytest.mark.rule("X3")
def test_x3_the_facilitator_is_searched_and_the_page_keeps_its_size(
    client, seized, django_assert_max_num_queries
):
    copil, revision = seized
    url = reverse("commissions:revision_commission", args=[revision.pk])
    chosen = member_rep(user=UserFactory(first_name="Anaïs", last_name="Facilitatrice"))
    client.force_login(copil)
    assert_same_size_with_30_more(client, url, member_rep, django_assert_max_num_queries)
    searched = client.post(url, {"end_date": "2030-06-30", "facilitator_search": "facilitatrice"})
    nobody = client.post(url, {"end_date": "2030-06-30", "facilitator_search": "Zzyzx"})
    set_up = client.post(url, {"end_date": "2030-06-30", "facilitator": chosen.pk})

    assert searched.status_code == 400
    assert "Vérifiez la personne trouvée ci-dessous, puis confirmez." in text(searched)
    assert "Anaïs Facilitatrice" in text(searched)
    assert 'value="2030-06-30"' in text(searched)
    assert "Aucun représentant d'une entité membre ne correspond à « Zzyzx »." in text(nobody)
    assert set_up.status_code == 302
    revision.refresh_from_db()
    assert revision.status == RevisionStatus.DRAFTING
    assert revision.commission.facilitator == chosen


@pytest.mark.rule("X4")
def test_x4_the_copil_finds_each_entity_of_the_roll_call_and_the_page_keeps_its_size(
    client, seized, django_assert_max_num_queries
):
    copil, revision = seized
    target = named_entity("Appel Nominal SAS")
    for _ in range(3):
        signatory_rep()
    CharterRevision.objects.filter(pk=revision.pk).update(
        status=RevisionStatus.VOTING,
        plenary=ActivityFactory(
            kind=ActivityKind.EXTRAORDINARY_PLENARY,
            starts_at=timezone.now() + timezone.timedelta(hours=1),
        ),
    )
    url = reverse("commissions:revision_vote", args=[revision.pk])
    client.force_login(copil)
    assert_same_size_with_30_more(client, url, signatory_rep, django_assert_max_num_queries)
    found = client.post(url, {"organisation_search": "nominal", "choice": "for"})
    recorded = client.post(url, {"organisation": target.organisation_id, "choice": "for"})
    again = client.post(url, {"organisation_search": "nominal", "choice": "for"})
    twice = client.post(url, {"organisation": target.organisation_id, "choice": "against"})

    assert found.status_code == 400
    assert "Vérifiez l'entité trouvée ci-dessous, puis confirmez." in text(found)
    assert recorded.status_code == 302
    assert RevisionVote.objects.get().organisation == target.organisation
    assert "Aucune entité membre qui n'a pas encore voté ne correspond" in text(again)
    assert twice.status_code == 400
    assert RevisionVote.objects.count() == 1


@pytest.mark.rule("X2", "X4")
def test_x4_the_revision_page_pages_its_supports_and_votes(
    client, seized, django_assert_max_num_queries
):
    """Every member may support the petition and vote: the page counts them all and lists
    them 50 at a time, each list with its own pages, at the same size and queries."""
    copil, revision = seized
    CharterRevision.objects.filter(pk=revision.pk).update(
        status=RevisionStatus.VOTING,
        origin=RevisionOrigin.PETITION,
        plenary=ActivityFactory(kind=ActivityKind.EXTRAORDINARY_PLENARY),
    )
    url = revision.get_absolute_url()

    def add(count: int) -> None:
        for _ in range(count):
            rep = signatory_rep()
            RevisionSupport.objects.create(
                revision=revision,
                organisation=rep.organisation,
                supported_by=rep.user,
                supported_at=timezone.now(),
            )
            RevisionVote.objects.create(
                revision=revision,
                organisation=rep.organisation,
                choice="for",
                recorded_by=copil,
                recorded_at=timezone.now(),
            )

    add(55)
    client.force_login(copil)
    fewer = client.get(url)
    add(20)
    with django_assert_max_num_queries(25):
        more = client.get(url)
    second_votes = client.get(url, {"votes": 2})

    assert "75 votes enregistrés." in text(more)
    assert text(more).count("<li>Entreprise") == 50  # supports, by name
    assert text(more).count("<tr><td>Entreprise") == 50  # votes
    assert text(second_votes).count("<tr><td>Entreprise") == 25
    assert text(second_votes).count("<li>Entreprise") == 50  # the other list stays on page 1
    assert abs(len(more.content) - len(fewer.content)) < 300
