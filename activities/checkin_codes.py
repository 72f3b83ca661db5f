"""Personal check-in codes (A2): the QR code a convened person shows at the door.

A code names one activity and one person and carries a MAC that only the portal and
the organisers of that activity can compute:

    COSGE1:<activity id>:<person id>:<MAC>

The MAC is HMAC-SHA256 of ``"<activity id>:<person id>"`` under the activity's own key
(``checkin_key``), cut to 128 bits and written in base64url. The key is derived from the
portal's SECRET_KEY and the activity's id, so a code cannot be forged without it, and a
code of another activity does not verify under this activity's key. The organiser's app
receives the activity's key with the roster, so it checks a scanned code offline with
the same computation (Web Crypto); the server checks it again when the check-in syncs.
"""

from __future__ import annotations

import base64
import hmac
import io

import segno
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from PIL import Image

from .exceptions import ActivitiesError

PREFIX = "COSGE1"
KEY_SALT = "activities.checkin_codes.key"
MAC_BYTES = 16
# The QR image: pixels a module, and the quiet zone in modules (the standard's 4).
SCALE = 8
BORDER = 4


class CheckinCodeRefused(ActivitiesError):
    default_message = _("Ce code n'est pas un code de pointage du portail.")


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def checkin_key(activity_id: int) -> bytes:
    """The activity's key: codes of this activity are signed with it, and only with it."""
    return salted_hmac(KEY_SALT, f"activity:{activity_id}", algorithm="sha256").digest()


def checkin_key_text(activity_id: int) -> str:
    """The activity's key in base64url, as the organiser's app receives it."""
    return _b64(checkin_key(activity_id))


def _mac(activity_id: int, person_id: int) -> str:
    message = f"{activity_id}:{person_id}".encode("ascii")
    digest = hmac.new(checkin_key(activity_id), message, "sha256").digest()
    return _b64(digest[:MAC_BYTES])


def checkin_code(activity_id: int, person_id: int) -> str:
    """The text of the person's QR code for the activity."""
    return f"{PREFIX}:{activity_id}:{person_id}:{_mac(activity_id, person_id)}"


def checkin_code_read(code: str, *, activity_id: int) -> int:
    """The person a scanned code names, after checking it belongs to this activity and
    was made by the portal; else ``CheckinCodeRefused`` with the reason in French."""
    parts = (code or "").strip().split(":")
    if len(parts) != 4 or parts[0] != PREFIX or not parts[1].isdigit() or not parts[2].isdigit():
        raise CheckinCodeRefused()
    code_activity, person_id = int(parts[1]), int(parts[2])
    if code_activity != activity_id:
        raise CheckinCodeRefused(
            _("Ce code est celui d'une autre activité : il ne vaut pas pour celle-ci.")
        )
    if not hmac.compare_digest(parts[3], _mac(activity_id, person_id)):
        raise CheckinCodeRefused(
            _("Ce code a été modifié ou ne vient pas du portail : il est refusé.")
        )
    return person_id


def checkin_code_png(activity_id: int, person_id: int) -> bytes:
    """The person's QR code for the activity as a PNG: 8 pixels a module and the standard
    quiet zone of 4 modules (about 300 pixels), which a phone camera reads at arm's length
    from a screen or a printed mail; error correction M survives a scratch or a glare.

    segno encodes; Pillow draws the modules one pixel each and enlarges them without
    smoothing, in C: a convocation batch writes hundreds of codes."""
    qr = segno.make(checkin_code(activity_id, person_id), error="m", micro=False)
    rows = [bytes(0 if dark else 255 for dark in row) for row in qr.matrix_iter(border=BORDER)]
    size = len(rows)
    image = Image.frombytes("L", (size, size), b"".join(rows)).convert("1")
    image = image.resize((size * SCALE, size * SCALE), Image.Resampling.NEAREST)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
