"""The browser journeys' fixtures (Chromium through Playwright) for the activities pages."""

from tests.browser.conftest import *  # noqa: F403
