"""Models of the governance app, one module per part of the charter (pretix base/models style)."""

from .announcements import *  # noqa: F403
from .commissions import *  # noqa: F403
from .elections import *  # noqa: F403
