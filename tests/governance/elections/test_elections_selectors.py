"""The election rules the pages read as booleans: candidacies, proxies, results (V6, V8, V11)."""

import datetime

import pytest

from governance.elections import selectors
from governance.elections.models import Election, ElectionStatus, Proxy, ProxyStatus

DEADLINE = datetime.datetime(2026, 3, 10, 18, 0, tzinfo=datetime.UTC)


def election(status) -> Election:
    return Election(status=status, candidacy_deadline=DEADLINE)


@pytest.mark.rule("V11")
def test_candidacies_are_open_once_announced_until_the_deadline():
    announced = election(ElectionStatus.ANNOUNCED)
    just_before = DEADLINE - datetime.timedelta(seconds=1)

    assert selectors.candidacy_open(announced, on=just_before) is True
    assert selectors.candidacy_open(announced, on=DEADLINE) is False
    assert selectors.candidacy_open(election(ElectionStatus.DRAFT), on=just_before) is False
    assert selectors.candidacy_open(election(ElectionStatus.VOTING), on=just_before) is False


@pytest.mark.rule("V6")
def test_proxies_are_given_from_the_announcement_until_voting_closes():
    answers = {status: selectors.proxy_giving_open(election(status)) for status in ElectionStatus}

    assert answers == {
        ElectionStatus.DRAFT: False,
        ElectionStatus.ANNOUNCED: True,
        ElectionStatus.VOTING: True,
        ElectionStatus.CLOSED: False,
        ElectionStatus.TALLIED: False,
        ElectionStatus.PUBLISHED: False,
    }


@pytest.mark.rule("V6")
def test_a_live_proxy_is_revocable_until_voting_opens():
    announced, voting = election(ElectionStatus.ANNOUNCED), election(ElectionStatus.VOTING)

    for status in (ProxyStatus.SIGNED, ProxyStatus.VALIDATED):
        assert selectors.proxy_revocable(proxy=Proxy(status=status), election=announced) is True
        assert selectors.proxy_revocable(proxy=Proxy(status=status), election=voting) is False
    for status in (ProxyStatus.REFUSED, ProxyStatus.REVOKED):
        assert selectors.proxy_revocable(proxy=Proxy(status=status), election=announced) is False


@pytest.mark.rule("V8")
def test_tallied_results_are_the_commissions_until_published():
    tallied, published = election(ElectionStatus.TALLIED), election(ElectionStatus.PUBLISHED)

    assert selectors.results_visible(tallied, commission=True) is True
    assert selectors.results_visible(tallied, commission=False) is False
    assert selectors.results_visible(published, commission=False) is True
    assert selectors.results_visible(election(ElectionStatus.CLOSED), commission=True) is False
