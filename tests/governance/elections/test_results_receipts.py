"""The receipts of a published election (V6, V8): each voter checks their own on the
results page, anyone who may read the results downloads the whole list, and the page does
not grow with the number of ballots (50,000 at ten times the community)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from freezegun import freeze_time

from governance.elections import services
from governance.elections.views import RESULTS_RECEIPTS_LISTED
from governance.models import Ballot, ElectionStatus
from tests.governance.elections.factories import PASSWORD
from tests.governance.elections.test_elections_views import (  # noqa: F401 (fixtures)
    VOTING,
    announced,
    voting,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(client, voting):  # noqa: F811
    commission, election, (a, b, _c), voter, _giver = voting
    with freeze_time(VOTING):
        receipt = services.ballot_cast(
            election=election,
            organisation=voter.organisation,
            voter=voter.user,
            candidacy_ids=[a.pk, b.pk],  # two seats: no tie to settle
            password=PASSWORD,
        )
        for action in ("clore", "depouiller", "publier"):
            client.force_login(commission)
            client.post(reverse("elections:manage", kwargs={"pk": election.pk, "action": action}))
    election.refresh_from_db()
    assert election.status == ElectionStatus.PUBLISHED
    client.force_login(voter.user)
    return election, receipt


def results(client, election, **params):
    return client.get(reverse("elections:results", kwargs={"pk": election.pk}), params)


def more_ballots(election, number):
    """Ballots as the tally leaves them (a random receipt each); the page only counts them."""
    Ballot.objects.bulk_create(Ballot(election=election) for _ in range(number))


@pytest.mark.rule("V6")
def test_v6_a_voter_finds_their_receipt_among_the_counted_ballots(client, published):
    election, receipt = published
    more_ballots(election, RESULTS_RECEIPTS_LISTED)  # too many to be listed on the page

    # Typed as read aloud or copied from the e-mail: spaces, lower case.
    typed = f" {receipt[:4].lower()} {receipt[4:]} "
    found = results(client, election, recu=typed)
    content = found.content.decode()
    assert found.status_code == 200
    assert f"Votre reçu {receipt} figure parmi les {RESULTS_RECEIPTS_LISTED + 1} bulletins" in (
        content
    )
    assert found.context["receipt_form"]["recu"].value() == typed

    missing = results(client, election, recu="0123456789ABCDEF")
    assert "Le reçu 0123456789ABCDEF ne figure pas parmi les bulletins comptés" in (
        missing.content.decode()
    )

    wrong = results(client, election, recu="pas un reçu")
    assert wrong.status_code == 200
    assert "Un reçu compte 16 caractères" in wrong.content.decode()
    assert wrong.context["receipt_form"]["recu"].value() == "pas un reçu"
    assert "alert-success" not in wrong.content.decode()
    assert "ne figure pas" not in wrong.content.decode()


@pytest.mark.rule("V6")
def test_v6_the_list_of_receipts_is_downloaded_whole_and_sorted(client, published):
    election, receipt = published
    more_ballots(election, 40)

    response = client.get(reverse("elections:receipts", kwargs={"pk": election.pk}))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="recus-election-{election.pk}.txt"'
    )
    lines = response.content.decode().splitlines()
    stored = list(Ballot.objects.filter(election=election).values_list("receipt", flat=True))
    assert lines == sorted(stored)
    assert receipt in lines and len(lines) == 41


@pytest.mark.rule("V8")
def test_v8_the_results_page_lists_few_receipts_and_counts_many(client, published):
    election, receipt = published
    few = results(client, election)
    assert receipt in few.content.decode()  # listed: found by the browser's search as well

    more_ballots(election, RESULTS_RECEIPTS_LISTED)
    with CaptureQueriesContext(connection) as many_queries:
        many = results(client, election)
    more_ballots(election, 3 * RESULTS_RECEIPTS_LISTED)
    with CaptureQueriesContext(connection) as more_queries:
        more = results(client, election)

    assert len(more_queries.captured_queries) == len(many_queries.captured_queries)
    assert receipt not in many.content.decode()
    assert abs(len(more.content) - len(many.content)) < 20  # only the numbers change
    assert len(many.content) < len(few.content) + 2_000
    download = reverse("elections:receipts", kwargs={"pk": election.pk})
    assert f'href="{download}"' in more.content.decode()
    assert f"{4 * RESULTS_RECEIPTS_LISTED + 1} bulletins" in more.content.decode()
