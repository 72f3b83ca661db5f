import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cos_portal.settings.base")
application = get_wsgi_application()
# What is loaded by now (Django, the apps, their models and admin) lives as long as the
# worker: the garbage collector leaves it out of its rounds instead of walking it again at
# each of them, during the requests (a tenth of the COPIL's cockpit, measured in-process).
gc.freeze()
