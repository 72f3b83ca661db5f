from django.urls import reverse

from core.site import absolute_url


def test_links_are_built_on_the_public_address_with_one_slash(settings):
    settings.SITE_URL = "https://portail.cos-ge.fr/"

    assert absolute_url(reverse("charters:current")) == "https://portail.cos-ge.fr/charte/"
    assert absolute_url() == "https://portail.cos-ge.fr/"
