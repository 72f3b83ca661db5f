import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value


@pytest.fixture
def mfa_on(settings):
    """The staff MFA gate as in production (settings/test.py turns it off)."""
    settings.MFA_REQUIRED_FOR_STAFF = True
    return settings


def totp_code(secret: str) -> str:
    """The code an authenticator app shows now for this secret."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))
