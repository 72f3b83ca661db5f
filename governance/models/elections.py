"""The path by which migration 0003 names the upload paths and the ballot receipt.

Migrations never change: the callables they name keep this address. The models are
in ``governance/elections/models.py`` and ``governance/copil/models.py``.
"""

from governance.copil.models import copil_minutes_upload_to
from governance.elections.models import new_receipt, video_upload_to

__all__ = ["copil_minutes_upload_to", "new_receipt", "video_upload_to"]
