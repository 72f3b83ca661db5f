"""Election pages: planning form, candidacy, proxy document, voting with re-authentication,
results with receipts (V4, V6-V12)."""

import datetime

import pytest
from django.urls import reverse
from freezegun import freeze_time

from governance.elections import services
from governance.models import ElectionStatus, Proxy, SealedBallot, VoteRecord
from tests.governance.elections.factories import (
    PASSWORD,
    at,
    commission_member,
    election_world,
    member_rep,
    plenary,
    seat_holder,
)

pytestmark = pytest.mark.django_db
VOTING = at(2027, 5, 20, 14, 5)


@pytest.fixture
def announced():
    with freeze_time(at(2027, 3, 1)):
        commission, _previous, election = election_world(seats_up=2)
        services.election_announce(election=election, actor=commission)
        election.refresh_from_db()
        yield commission, election


@pytest.mark.rule("V10", "V12")
def test_v10_the_creation_form_shows_the_first_allowed_date(client):
    with freeze_time(at(2027, 6, 1)):
        commission = commission_member()
        plenary(at(2027, 6, 20, 14))
        summer = plenary(at(2027, 7, 25, 14))
        seat_holder(1, start=datetime.date(2025, 5, 20))
        client.force_login(commission)

        response = client.post(
            reverse("elections:create"), {"title": "Élection 2027", "plenary": summer.pk}
        )

    assert response.status_code == 400
    assert "Première date possible : 13 juillet 2027." in response.content.decode()
    assert response.context["form"]["title"].value() == "Élection 2027"


@pytest.mark.rule("V12", "V9")
def test_v12_the_commission_creates_and_announces_from_the_pages(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with freeze_time(at(2027, 3, 1)):
        commission = commission_member()
        plenary(at(2027, 3, 20, 14))
        target = plenary(at(2027, 5, 20, 14))
        seat_holder(1, start=datetime.date(2025, 5, 20))
        client.force_login(commission)

        created = client.post(
            reverse("elections:create"), {"title": "Élection 2027", "plenary": target.pk}
        )
        election = target.election
        with django_capture_on_commit_callbacks(execute=True):
            announced = client.post(
                reverse("elections:manage", kwargs={"pk": election.pk, "action": "annoncer"})
            )

    assert created.status_code == 302
    assert announced.status_code == 302
    election.refresh_from_db()
    assert election.status == ElectionStatus.ANNOUNCED
    assert len(mailoutbox) == 1  # the seat holder's organisation is the only member


@pytest.mark.rule("V4")
def test_v4_the_candidacy_page_tells_an_ineligible_person_why(client, announced):
    _commission, election = announced
    with freeze_time(at(2027, 3, 2)):
        newcomer = member_rep(since=datetime.date(2026, 9, 1))
        client.force_login(newcomer.user)
        page = client.get(reverse("elections:candidacy", kwargs={"pk": election.pk}))

    content = page.content.decode()
    assert "Vous ne pouvez pas être candidat à cette élection" in content
    assert "depuis le 1 septembre 2026" in content
    assert "<form" not in content.split("<main", 1)[-1]


@pytest.mark.rule("V11")
def test_v11_a_candidacy_is_declared_from_the_page_and_listed_to_members(client, announced):
    _commission, election = announced
    with freeze_time(at(2027, 3, 2)):
        candidate, reader = member_rep(), member_rep()
        client.force_login(candidate.user)
        response = client.post(
            reverse("elections:candidacy", kwargs={"pk": election.pk}),
            {"statement": "Pour une COS-GE ouverte.", "video_url": "https://video.exemple.fr/x"},
        )
        client.force_login(reader.user)
        detail = client.get(reverse("elections:detail", kwargs={"pk": election.pk}))

    assert response.status_code == 302
    assert "Pour une COS-GE ouverte." in detail.content.decode()
    assert "https://video.exemple.fr/x" in detail.content.decode()


@pytest.mark.rule("V6")
def test_v6_giving_a_proxy_produces_its_pdf_document(client, announced):
    _commission, election = announced
    with freeze_time(at(2027, 3, 2)):
        giver, holder = member_rep(), member_rep()
        client.force_login(giver.user)
        wrong = client.post(
            reverse("elections:proxy_give", kwargs={"pk": election.pk}),
            {
                "giver": giver.organisation.pk,
                "holder": holder.organisation.pk,
                "consent": "on",
                "password": "faux",
            },
        )
        assert wrong.status_code == 400 and Proxy.objects.count() == 0
        response = client.post(
            reverse("elections:proxy_give", kwargs={"pk": election.pk}),
            {
                "giver": giver.organisation.pk,
                "holder": holder.organisation.pk,
                "consent": "on",
                "password": PASSWORD,
            },
        )
        proxy = Proxy.objects.get()
        pdf = client.get(response.url)

    assert response.url == reverse("elections:proxy_pdf", kwargs={"pk": proxy.pk})
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")


@pytest.fixture
def voting(announced):
    commission, election = announced
    with freeze_time(at(2027, 3, 2)):
        candidates = [member_rep() for _ in range(3)]
        candidacies = [
            services.candidacy_declare(election=election, user=c.user, statement="Projet")
            for c in candidates
        ]
        voter, giver = member_rep(), member_rep()
        proxy = services.proxy_give(
            election=election,
            giver=giver.organisation,
            holder=voter.organisation,
            signer=giver.user,
            password=PASSWORD,
        )
        services.proxy_decide(proxy=proxy, actor=commission, approve=True)
    with freeze_time(VOTING):
        services.election_voting_open(election=election, actor=commission)
        election.refresh_from_db()
        yield commission, election, candidacies, voter, giver


@pytest.mark.rule("V6", "V7")
def test_v7_voting_needs_the_password_and_answers_with_a_receipt(client, voting):
    _commission, election, (a, b, c), voter, giver = voting
    url = reverse("elections:vote", kwargs={"pk": election.pk})
    with freeze_time(VOTING):
        client.force_login(voter.user)
        page = client.get(url)
        assert f'value="{giver.organisation.pk}"' in page.content.decode()  # the proxy
        wrong = client.post(
            url,
            {
                "organisation": voter.organisation.pk,
                "candidates": [a.pk],
                "password": "x",
                "step": "confirm",
            },
        )
        too_many = client.post(
            url,
            {
                "organisation": voter.organisation.pk,
                "candidates": [a.pk, b.pk, c.pk],
                "password": PASSWORD,
                "step": "confirm",
            },
        )
        assert (SealedBallot.objects.count(), VoteRecord.objects.count()) == (0, 0)
        own = client.post(
            url,
            {
                "organisation": voter.organisation.pk,
                "candidates": [a.pk],
                "password": PASSWORD,
                "step": "confirm",
            },
        )
        by_proxy = client.post(
            url,
            {
                "organisation": giver.organisation.pk,
                "candidates": [],
                "password": PASSWORD,
                "step": "confirm",
            },
        )
        again = client.post(
            url,
            {
                "organisation": voter.organisation.pk,
                "candidates": [b.pk],
                "password": PASSWORD,
                "step": "confirm",
            },
        )

    assert wrong.status_code == 400
    assert "Mot de passe incorrect" in wrong.content.decode()
    assert too_many.status_code == 400
    assert "au plus 2 candidat(s)" in too_many.content.decode()
    assert own.status_code == 200
    receipt = own.context["receipt"]
    assert receipt in own.content.decode()
    # Stored only inside its sealed envelope while the vote is open (V6).
    envelopes = [bytes(c) for c in SealedBallot.objects.values_list("ciphertext", flat=True)]
    assert len(envelopes) == 2
    assert not [e for e in envelopes if receipt.encode() in e or bytes.fromhex(receipt) in e]
    assert by_proxy.status_code == 200
    assert again.status_code == 400  # own organisation already voted: no longer a choice
    assert VoteRecord.objects.count() == 2
    assert own["Cache-Control"].startswith("max-age=0")


@pytest.mark.rule("V6", "V7")
def test_v7_the_ballot_is_reviewed_then_confirmed_with_the_password(client, voting):
    _commission, election, (a, b, _c), voter, _giver = voting
    url = reverse("elections:vote", kwargs={"pk": election.pk})
    choice = {"organisation": voter.organisation.pk, "candidates": [a.pk, b.pk]}
    with freeze_time(VOTING):
        client.force_login(voter.user)
        session_before = dict(client.session)
        review = client.post(url, {**choice, "step": "review"})
        edit = client.post(url, {**choice, "step": "edit"})
        no_password = client.post(url, {**choice, "step": "confirm"})
        assert (SealedBallot.objects.count(), VoteRecord.objects.count()) == (0, 0)
        cast = client.post(url, {**choice, "step": "confirm", "password": PASSWORD})

    content = review.content.decode()
    assert review.status_code == 200
    assert "Confirmer mon bulletin" in content
    assert str(a.candidate) in content and str(b.candidate) in content
    assert f'name="candidates" value="{a.pk}"' in content  # carried by the form itself
    assert 'type="password"' in content
    assert set(edit.context["form"]["candidates"].value()) == {str(a.pk), str(b.pk)}
    assert "Vérifier mon bulletin" in edit.content.decode()
    assert no_password.status_code == 400
    assert cast.status_code == 200 and cast.context["receipt"]
    # The choices travel in the forms only: the session is left as it was (V6).
    assert dict(client.session) == session_before


@pytest.mark.rule("V6")
def test_v6_the_review_step_already_refuses_a_proxy_giver(client, voting):
    _commission, election, (a, _b, _c), _voter, giver = voting
    with freeze_time(VOTING):
        client.force_login(giver.user)
        page = client.get(reverse("elections:vote", kwargs={"pk": election.pk}))
        review = client.post(
            reverse("elections:vote", kwargs={"pk": election.pk}),
            {"organisation": giver.organisation.pk, "candidates": [a.pk], "step": "review"},
        )

    assert "Vous n'avez aucun vote à exprimer" in page.content.decode()
    assert review.status_code == 400  # its own organisation is not among its choices
    assert VoteRecord.objects.count() == 0


@pytest.mark.rule("V7")
def test_v7_a_blank_ballot_is_reviewed_as_such(client, voting):
    _commission, election, _candidacies, voter, _giver = voting
    with freeze_time(VOTING):
        client.force_login(voter.user)
        review = client.post(
            reverse("elections:vote", kwargs={"pk": election.pk}),
            {"organisation": voter.organisation.pk, "step": "review"},
        )

    assert "Bulletin blanc : aucun candidat approuvé." in review.content.decode()


@pytest.mark.rule("V8", "V6")
def test_v8_results_show_turnout_blank_ballots_votes_and_receipts(
    client, voting, django_assert_max_num_queries
):
    commission, election, (a, b, _c), voter, giver = voting
    with freeze_time(VOTING):
        receipts = [
            services.ballot_cast(
                election=election,
                organisation=voter.organisation,
                voter=voter.user,
                candidacy_ids=[a.pk, b.pk],
                password=PASSWORD,
            ),
            services.ballot_cast(
                election=election,
                organisation=giver.organisation,
                voter=voter.user,
                candidacy_ids=[],
                password=PASSWORD,
            ),
        ]
        for action in ("clore", "depouiller", "publier"):
            client.force_login(commission)
            client.post(reverse("elections:manage", kwargs={"pk": election.pk, "action": action}))
        client.force_login(voter.user)
        with django_assert_max_num_queries(15):
            page = client.get(reverse("elections:results", kwargs={"pk": election.pk}))

    election.refresh_from_db()
    assert election.status == ElectionStatus.PUBLISHED
    content = page.content.decode()
    assert page.context["counts"] == {"total": 2, "blank": 1}
    assert page.context["electorate"] == election.electorate.count()
    rows = {r.pk: (r.votes, r.is_elected) for r in page.context["rows"]}
    assert rows == {a.pk: (1, True), b.pk: (1, True), _c.pk: (0, False)}
    for receipt in receipts:
        assert receipt in content


@pytest.mark.rule("V6")
def test_v6_the_election_list_takes_a_constant_number_of_queries(
    client, announced, django_assert_max_num_queries
):
    _commission, election = announced
    reader = member_rep()
    client.force_login(reader.user)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("elections:list"))
    assert election.title in response.content.decode()
