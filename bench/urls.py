"""The portal's URLs, plus the floor view when BENCH_FLOOR=1 (only the benchmark sets it)."""

import os

from django.urls import include, path

from cos_portal import urls as portal_urls

from . import views

urlpatterns = [path("", include(portal_urls))]
if os.environ.get("BENCH_FLOOR") == "1":
    urlpatterns.insert(0, path("bench/floor", views.bench_floor, name="bench_floor"))

# The portal's error handlers, if it defines any, belong to the root URLconf.
for _name in ("handler400", "handler403", "handler404", "handler500"):
    if hasattr(portal_urls, _name):
        globals()[_name] = getattr(portal_urls, _name)
