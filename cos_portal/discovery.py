"""How search engines find the public pages: sitemap.xml and robots.txt.

The sitemap lists the public pages and the page of each current member and partner (S2);
URLs are built on SITE_URL, the portal's public address, rather than on the Sites
framework's row. robots.txt keeps crawlers out of the admin, the accounts and the members'
areas, and points to the sitemap.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import sitemap
from django.http import HttpResponse, JsonResponse
from django.templatetags.static import static
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET

from activities import selectors as activity_selectors
from charters import selectors as charter_selectors
from core.public_cache import public_cache
from core.site import site_root
from members import selectors as member_selectors

FAVICON = settings.BASE_DIR / "static" / "favicon.ico"
# Public pages, by URL name; one that the URLconf lacks (a page still to come) is skipped.
PUBLIC_PAGES = [
    ("home", 1.0),
    ("members:directory", 0.9),
    ("charters:current", 0.8),
    ("commissions:referents", 0.7),
    ("activities:list", 0.6),
    ("privacy:policy", 0.3),
    ("accessibility", 0.3),
]
# Path prefixes crawlers have no business in: administration, accounts, personal areas.
PRIVATE_PAGES = [
    ("admin:index", {}),
    ("account_login", {}),
    ("space:dashboard", {}),
    ("member_space:dashboard", {}),
    ("application:form", {}),
    ("invitation_accept", {"token": "x"}),
    ("privacy:my_data", {}),
    ("elections:list", {}),
    ("commissions:list", {}),
    ("commissions:revision_index", {}),
]


class _SiteUrlSitemap(Sitemap):
    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme or "https"


class PublicPagesSitemap(_SiteUrlSitemap):
    changefreq = "weekly"

    def items(self):
        pages = []
        for name, priority in PUBLIC_PAGES:
            try:
                pages.append((reverse(name), priority))
            except NoReverseMatch:
                continue
        return pages

    def location(self, item):
        return item[0]

    def priority(self, item):
        return item[1]


class OrganisationSitemap(_SiteUrlSitemap):
    changefreq = "monthly"
    priority = 0.5

    def items(self):
        return (
            member_selectors.organisation_list_with_status()
            .filter(current_status__in=member_selectors.BENEFIT_STATUSES)
            .only("slug", "updated_at")
            .order_by("slug")
        )

    def lastmod(self, organisation):
        return organisation.updated_at


class ActivitySitemap(_SiteUrlSitemap):
    changefreq = "weekly"
    priority = 0.5

    def items(self):
        return activity_selectors.activity_list().only("pk", "updated_at")

    def lastmod(self, activity):
        return activity.updated_at


class CharterVersionSitemap(_SiteUrlSitemap):
    changefreq = "yearly"
    priority = 0.4

    def items(self):
        return charter_selectors.charter_version_history()

    def location(self, version):
        return reverse("charters:version", kwargs={"slug": version.slug})

    def lastmod(self, version):
        return version.updated_at


SITEMAPS = {
    "pages": PublicPagesSitemap,
    "entites": OrganisationSitemap,
    "activites": ActivitySitemap,
    "charte": CharterVersionSitemap,
}


@require_GET
@public_cache()
def sitemap_xml(request):
    return sitemap(request, sitemaps=SITEMAPS)


def _prefix(path: str) -> str:
    """The first segment of a path, as a robots.txt prefix: /espace/tableau/ -> /espace/."""
    segment = path.strip("/").split("/", 1)[0]
    return f"/{segment}/" if segment else "/"


@require_GET
def favicon_ico(request):
    """/favicon.ico, which browsers and crawlers ask for whatever the page links to."""
    response = HttpResponse(FAVICON.read_bytes(), content_type="image/vnd.microsoft.icon")
    response["Cache-Control"] = "public, max-age=604800"
    return response


@require_GET
def web_manifest(request):
    """The web app manifest of the portal (name, icons, colours)."""
    manifest = {
        "name": "Portail COS-GE",
        "short_name": "COS-GE",
        "lang": "fr",
        "start_url": reverse("home"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0b3d6b",
        "icons": [
            {"src": static(f"img/icon-{size}.png"), "sizes": f"{size}x{size}", "type": "image/png"}
            for size in (192, 512)
        ],
    }
    response = JsonResponse(manifest, content_type="application/manifest+json")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@require_GET
def robots_txt(request):
    lines = ["User-agent: *"]
    prefixes = []
    for name, kwargs in PRIVATE_PAGES:
        try:
            prefix = _prefix(reverse(name, kwargs=kwargs))
        except NoReverseMatch:
            continue
        if prefix != "/" and prefix not in prefixes:
            prefixes.append(prefix)
    lines += [f"Disallow: {prefix}" for prefix in prefixes]
    lines.append(f"Sitemap: {site_root()}{reverse('sitemap')}")
    response = HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "public, max-age=86400"
    return response
