"""A candidate withdraws their candidacy until candidacies close (V11), from the pages."""

import pytest
from django.urls import reverse
from freezegun import freeze_time

from core.models import AuditEntry
from governance.elections import selectors, services
from governance.exceptions import ElectionsError
from tests.governance.elections.factories import at, election_world, member_rep

pytestmark = pytest.mark.django_db
BEFORE = at(2027, 3, 10)
DEADLINE = at(2027, 3, 20, 14)  # the previous ordinary plenary closes candidacies


@pytest.fixture
def declared():
    with freeze_time(at(2027, 3, 1)):
        commission, _previous, election = election_world()
        services.election_announce(election=election, actor=commission)
        candidate = member_rep()
        candidacy = services.candidacy_declare(
            election=election, user=candidate.user, statement="Programme"
        )
        election.refresh_from_db()
    return commission, election, candidate, candidacy


@pytest.mark.rule("V11")
def test_v11_a_candidate_withdraws_before_the_deadline_and_leaves_the_list(declared):
    _commission, election, candidate, candidacy = declared

    with freeze_time(BEFORE):
        services.candidacy_withdraw(candidacy=candidacy, actor=candidate.user)

    candidacy.refresh_from_db()
    assert candidacy.withdrawn_at is not None
    assert list(selectors.candidacy_list(election=election)) == []
    entry = AuditEntry.objects.get(action="governance.candidacy.withdrawn")
    assert entry.actor == candidate.user
    assert entry.object_id == str(candidacy.pk)
    assert entry.data == {"election": election.pk, "by_candidate": True}


@pytest.mark.rule("V11")
@pytest.mark.parametrize("when", [DEADLINE, at(2027, 4, 1)])
def test_v11_a_candidate_cannot_withdraw_once_candidacies_are_closed(declared, when):
    _commission, _election, candidate, candidacy = declared

    with freeze_time(when), pytest.raises(ElectionsError) as error:
        services.candidacy_withdraw(candidacy=candidacy, actor=candidate.user)

    assert "Les candidatures sont closes depuis le 20 mars 2027" in str(error.value.message)
    candidacy.refresh_from_db()
    assert candidacy.withdrawn_at is None
    assert not AuditEntry.objects.filter(action="governance.candidacy.withdrawn").exists()


@pytest.mark.rule("V11", "V12")
def test_v11_the_commission_records_a_late_withdrawal_until_voting_opens(declared):
    commission, election, _candidate, candidacy = declared
    with freeze_time(at(2027, 3, 2)):
        other = services.candidacy_declare(
            election=election, user=member_rep().user, statement="Programme"
        )

    with freeze_time(at(2027, 4, 1)):
        services.candidacy_withdraw(candidacy=candidacy, actor=commission)
    with freeze_time(at(2027, 5, 20, 14, 5)):
        services.election_voting_open(election=election, actor=commission)
        with pytest.raises(ElectionsError):
            services.candidacy_withdraw(candidacy=other, actor=commission)

    entry = AuditEntry.objects.get(action="governance.candidacy.withdrawn")
    assert entry.actor == commission
    assert entry.data["by_candidate"] is False
    other.refresh_from_db()
    assert other.withdrawn_at is None


@pytest.mark.rule("V11")
def test_v11_only_the_candidate_or_the_commission_withdraws_and_only_once(declared):
    _commission, _election, candidate, candidacy = declared
    with freeze_time(BEFORE):
        with pytest.raises(ElectionsError) as stranger:
            services.candidacy_withdraw(candidacy=candidacy, actor=member_rep().user)
        services.candidacy_withdraw(candidacy=candidacy, actor=candidate.user)
        with pytest.raises(ElectionsError) as twice:
            services.candidacy_withdraw(candidacy=candidacy, actor=candidate.user)

    assert str(stranger.value.message) == "Seul le candidat peut retirer sa candidature."
    assert str(twice.value.message) == "Cette candidature est déjà retirée."
    assert AuditEntry.objects.filter(action="governance.candidacy.withdrawn").count() == 1


@pytest.mark.rule("V11")
def test_v11_a_withdrawn_candidate_may_stand_again_before_the_deadline(declared):
    _commission, election, candidate, candidacy = declared
    with freeze_time(BEFORE):
        services.candidacy_withdraw(candidacy=candidacy, actor=candidate.user)
        again = services.candidacy_declare(
            election=election, user=candidate.user, statement="Nouveau programme"
        )

    assert again.pk == candidacy.pk
    assert again.withdrawn_at is None
    assert again.statement == "Nouveau programme"
    assert list(selectors.candidacy_list(election=election)) == [again]
    assert AuditEntry.objects.filter(action="governance.candidacy.declared").count() == 2


@pytest.mark.rule("V11")
def test_v11_the_candidate_withdraws_from_the_election_page(client, declared):
    _commission, election, candidate, candidacy = declared
    detail_url = reverse("elections:detail", kwargs={"pk": election.pk})
    url = reverse("elections:candidacy_withdraw", kwargs={"pk": election.pk})
    with freeze_time(BEFORE):
        client.force_login(candidate.user)
        detail = client.get(detail_url)
        confirm = client.get(url)
        done = client.post(url)
        after = client.get(detail_url)
        gone = client.get(url)

    assert url in detail.content.decode()
    assert confirm.status_code == 200
    assert "Confirmer le retrait de ma candidature" in confirm.content.decode()
    assert done.status_code == 302 and done.url == detail_url
    assert "Votre candidature est retirée." in after.content.decode()
    assert "Se porter candidat" in after.content.decode()  # may stand again
    assert gone.status_code == 404
    candidacy.refresh_from_db()
    assert candidacy.withdrawn_at is not None


@pytest.mark.rule("V11")
def test_v11_after_the_deadline_the_page_refers_the_candidate_to_the_commission(client, declared):
    _commission, election, candidate, candidacy = declared
    url = reverse("elections:candidacy_withdraw", kwargs={"pk": election.pk})
    with freeze_time(at(2027, 4, 1)):
        client.force_login(candidate.user)
        detail = client.get(reverse("elections:detail", kwargs={"pk": election.pk}))
        page = client.get(url)
        refused = client.post(url)

    assert url not in detail.content.decode()
    assert "écrivez à la commission électorale" in page.content.decode()
    assert "<button" not in page.content.decode().split("<main", 1)[-1]
    assert refused.status_code == 400
    assert "adressez votre retrait à la commission électorale" in refused.content.decode()
    candidacy.refresh_from_db()
    assert candidacy.withdrawn_at is None


def test_someone_without_a_candidacy_finds_nothing_to_withdraw(client, declared):
    _commission, election, _candidate, _candidacy = declared
    with freeze_time(BEFORE):
        client.force_login(member_rep().user)
        response = client.post(reverse("elections:candidacy_withdraw", kwargs={"pk": election.pk}))

    assert response.status_code == 404
