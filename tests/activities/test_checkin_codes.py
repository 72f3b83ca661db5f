"""Personal check-in codes (A2): made by the portal, for one activity, not forgeable."""

import base64
import hashlib
import hmac

import pytest

from activities.checkin_codes import (
    CheckinCodeRefused,
    checkin_code,
    checkin_code_read,
    checkin_key,
    checkin_key_text,
)

pytestmark = pytest.mark.rule("A2")


def test_a_code_names_its_person_for_its_activity():
    code = checkin_code(12, 345)
    assert code.startswith("COSGE1:12:345:")
    assert checkin_code_read(code, activity_id=12) == 345


def test_the_app_verifies_with_the_key_it_receives():
    """What the organiser's app computes offline (Web Crypto) gives the same MAC."""
    key = base64.urlsafe_b64decode(checkin_key_text(7) + "==")
    assert key == checkin_key(7)
    mac = hmac.new(key, b"7:99", hashlib.sha256).digest()[:16]
    assert (
        checkin_code(7, 99).rsplit(":", 1)[1] == base64.urlsafe_b64encode(mac).rstrip(b"=").decode()
    )


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("bonjour", "n'est pas un code de pointage"),
        ("COSGE1:12:abc:xyz", "n'est pas un code de pointage"),
        ("COSGE1:13:345:" + checkin_code(13, 345).rsplit(":", 1)[1], "autre activité"),
        (checkin_code(12, 345)[:-2] + "AA", "a été modifié"),
        (checkin_code(12, 345).replace(":345:", ":346:"), "a été modifié"),
    ],
)
def test_a_tampered_or_foreign_code_is_refused_in_french(code, message):
    with pytest.raises(CheckinCodeRefused) as refused:
        checkin_code_read(code, activity_id=12)
    assert message in str(refused.value.message)


def test_keys_differ_between_activities():
    assert checkin_key(1) != checkin_key(2)
