"""The path by which migration 0001 names the upload path of report attachments.

Migrations never change: the callables they name keep this address. The models are
in ``governance/commissions/models.py``.
"""

from governance.commissions.models import report_upload_to

__all__ = ["report_upload_to"]
