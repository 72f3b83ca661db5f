"""The client's address: the socket's, or the one the outermost trusted proxy saw; never
a header the client typed (stored as evidence beside a signature, counted by throttles)."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from charters.constants import SignatureCapacity
from charters.models import Signature
from core.http import ClientAddressAuditlogMiddleware, client_ip
from tests.charters.factories import PASSWORD, CharterVersionFactory, signatory

SPOOFED = {"HTTP_X_FORWARDED_FOR": "6.6.6.6", "HTTP_X_REAL_IP": "7.7.7.7"}


def request_from(remote_addr, **headers):
    return RequestFactory().get("/", REMOTE_ADDR=remote_addr, **headers)


def test_without_a_trusted_proxy_the_headers_are_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0

    assert client_ip(request_from("192.0.2.10", **SPOOFED)) == "192.0.2.10"
    assert client_ip(None) == ""


def test_one_trusted_proxy_gives_the_address_it_appended(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The client typed 6.6.6.6; the proxy appended the address it saw, 198.51.100.7.
    request = request_from(
        "172.18.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7", HTTP_X_REAL_IP="7.7.7.7"
    )

    assert client_ip(request) == "198.51.100.7"


def test_two_trusted_proxies_give_the_address_the_outer_one_saw(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    request = request_from("172.18.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6,198.51.100.7,10.0.0.2")

    assert client_ip(request) == "198.51.100.7"


def test_fewer_hops_than_trusted_proxies_falls_back_to_the_socket(settings):
    settings.TRUSTED_PROXY_COUNT = 2

    assert client_ip(request_from("192.0.2.10", HTTP_X_FORWARDED_FOR="6.6.6.6")) == "192.0.2.10"
    assert client_ip(request_from("192.0.2.10")) == "192.0.2.10"


def test_the_audit_trail_reads_the_same_address(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    request = request_from("192.0.2.10", **SPOOFED)

    assert ClientAddressAuditlogMiddleware._get_remote_addr(request) == "192.0.2.10"


@pytest.mark.django_db
def test_the_signature_stores_the_socket_address_despite_spoofed_headers(client, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    version = CharterVersionFactory(label="V1 R001")
    rep = signatory()
    client.force_login(rep.user)

    response = client.post(
        reverse("charters:sign"),
        {
            "version": version.pk,
            "organisation": rep.organisation.slug,
            "capacity": SignatureCapacity.SIGNATORY,
            "consent": "on",
            "password": PASSWORD,
        },
        REMOTE_ADDR="192.0.2.10",
        **SPOOFED,
    )

    assert response.status_code == 302
    assert Signature.objects.get().ip_address == "192.0.2.10"
