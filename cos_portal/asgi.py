import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cos_portal.settings.base")
application = get_asgi_application()
