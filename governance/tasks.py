"""The governance tasks, for Celery's autodiscovery (``<app>.tasks``).

Each subject keeps its tasks in its own ``tasks.py``, under the names the
django-celery-beat rows of the migrations use (``governance.<name>_task``).
"""

from governance.announcements import tasks as announcements_tasks
from governance.elections import tasks as elections_tasks
from governance.revisions import tasks as revisions_tasks

__all__ = ["announcements_tasks", "elections_tasks", "revisions_tasks"]
