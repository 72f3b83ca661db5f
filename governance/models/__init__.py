"""Every model of the governance app, for Django's app registry (``governance.models``).

The models live in the subjects' packages (``governance/<subject>/models.py``); the app
label stays ``governance`` and the migrations stay in ``governance/migrations/``.
"""

from governance.announcements.models import *  # noqa: F403
from governance.commissions.models import *  # noqa: F403
from governance.copil.models import *  # noqa: F403
from governance.elections.models import *  # noqa: F403
from governance.referents.models import *  # noqa: F403
from governance.revisions.models import *  # noqa: F403
