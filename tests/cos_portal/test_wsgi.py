"""The WSGI entry point (gunicorn's) leaves what it loaded out of the garbage collector's
rounds."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_application_loaded_by_gunicorn_is_frozen_for_the_garbage_collector():
    script = (
        "import gc\n"
        "assert gc.get_freeze_count() == 0\n"
        "from cos_portal.wsgi import application\n"
        "print(gc.get_freeze_count(), callable(application))\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "cos_portal.settings.test"}

    done = subprocess.run(  # noqa: S603  # nosec B603: this interpreter, a fixed script
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )

    assert done.returncode == 0, done.stderr
    frozen, callable_ = done.stdout.split()
    assert int(frozen) > 10_000  # Django and the portal's apps, not a handful of objects
    assert callable_ == "True"
