"""The benchmark's settings with static files served from the finders (bench/checkin.py's
gunicorn: the page's script without collectstatic)."""

from bench.settings import *  # noqa: F403

WHITENOISE_USE_FINDERS = True
