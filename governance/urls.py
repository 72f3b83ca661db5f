"""The URL namespaces of governance, each gathering the pages of one or more subjects.

The names and namespaces predate the split into subjects and templates reverse them:
``elections`` holds the election pages and the COPIL's minutes, ``commissions`` the pages
of commissions, referents and charter revision. ``cos_portal/urls.py`` mounts each one
with ``include()``; the announcements have a namespace of their own
(``governance/announcements/urls.py``).
"""

from governance.commissions import urls as commissions_urls
from governance.copil import urls as copil_urls
from governance.elections import urls as elections_urls
from governance.referents import urls as referents_urls
from governance.revisions import urls as revisions_urls

# (patterns, app_name) pairs for include(): one namespace per pair.
elections = ([*elections_urls.urlpatterns, *copil_urls.urlpatterns], "elections")
commissions = (
    [
        *commissions_urls.urlpatterns,
        *referents_urls.urlpatterns,
        *revisions_urls.urlpatterns,
    ],
    "commissions",
)
