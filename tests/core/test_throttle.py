"""The one throttle: hits counted per key in a window, password retries per person."""

import pytest
from django.core.cache import cache

from core.throttle import PasswordRetries, over_limit


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def test_over_limit_counts_hits_and_refuses_past_the_limit():
    answers = [over_limit("probe:address", limit=3, window=60) for _ in range(5)]

    assert answers == [False, False, False, True, True]
    assert over_limit("probe:other", limit=3, window=60) is False  # per key


def test_password_retries_pause_after_five_wrong_passwords_per_person_and_purpose(
    django_user_model,
):
    someone = django_user_model(pk=41)
    other = django_user_model(pk=42)
    signing = PasswordRetries("charters:sign-failures")

    for _ in range(4):
        signing.failed(someone)
    assert signing.exhausted(someone) is False
    signing.failed(someone)

    assert signing.exhausted(someone) is True
    assert signing.exhausted(other) is False
    assert PasswordRetries("elections:pw-failures").exhausted(someone) is False
    signing.succeeded(someone)
    assert signing.exhausted(someone) is False
