"""Celery application of the portal: Redis broker, eager when REDIS_URL is unset."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cos_portal.settings.base")

app = Celery("cos_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
