import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _back_to_the_default_language():
    """LocaleMiddleware activates the request's language in the thread and leaves it there:
    after a request in English, later tests that call services directly would get English."""
    yield
    translation.deactivate()
