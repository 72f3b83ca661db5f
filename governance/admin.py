"""The COPIL's administration of governance: each subject registers its models in its
own ``admin.py``, imported here for Django's admin autodiscovery (``<app>.admin``)."""

from governance.commissions import admin as commissions_admin
from governance.copil import admin as copil_admin
from governance.elections import admin as elections_admin
from governance.referents import admin as referents_admin
from governance.revisions import admin as revisions_admin

__all__ = [
    "commissions_admin",
    "copil_admin",
    "elections_admin",
    "referents_admin",
    "revisions_admin",
]
