"""core.http.client_ip: the client's address behind a configured number of trusted proxies, which
Haven's donation limit and allauth's sign-in limits both use; a client's own X-Forwarded-For cannot
move it out of its bucket."""

import pytest
from allauth.account.adapter import get_adapter
from django.test import RequestFactory

from core.http import client_ip

PROXY = "127.0.0.1"  # nginx, as the app sees it


def _request(remote_addr=PROXY, forwarded=None):
    headers = {"REMOTE_ADDR": remote_addr}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **headers)


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.HAVEN_TRUSTED_PROXY_COUNT = 0

    assert client_ip(_request("203.0.113.9", forwarded="198.51.100.1")) == "203.0.113.9"


def test_behind_one_proxy_the_address_it_appended_is_the_client(settings):
    settings.HAVEN_TRUSTED_PROXY_COUNT = 1

    assert client_ip(_request(forwarded="198.51.100.7")) == "198.51.100.7"


def test_a_client_cannot_spoof_past_the_count_with_its_own_header(settings):
    # given a client that sends "X-Forwarded-For: 10.0.0.1, 10.0.0.2"; nginx appends its address
    settings.HAVEN_TRUSTED_PROXY_COUNT = 1

    assert client_ip(_request(forwarded="10.0.0.1, 10.0.0.2, 198.51.100.7")) == "198.51.100.7"


def test_behind_two_proxies_the_second_entry_from_the_right_is_the_client(settings):
    # given a CDN in front of nginx: client-written junk, the client (from the CDN), the CDN (nginx)
    settings.HAVEN_TRUSTED_PROXY_COUNT = 2

    assert client_ip(_request(forwarded="6.6.6.6, 198.51.100.7, 192.0.2.50")) == "198.51.100.7"


def test_fewer_entries_than_proxies_takes_the_outermost_proxys_entry(settings):
    settings.HAVEN_TRUSTED_PROXY_COUNT = 2

    assert client_ip(_request(forwarded="198.51.100.7")) == "198.51.100.7"


def test_without_the_header_the_peer_is_the_client(settings):
    settings.HAVEN_TRUSTED_PROXY_COUNT = 1

    assert client_ip(_request("203.0.113.9")) == "203.0.113.9"


@pytest.mark.parametrize("garbage", ["not-an-ip", "unknown", "<script>"])
def test_an_entry_that_is_no_address_falls_back_to_the_peer(settings, garbage):
    settings.HAVEN_TRUSTED_PROXY_COUNT = 1

    assert client_ip(_request("203.0.113.9", forwarded=garbage)) == "203.0.113.9"


def test_ipv6_addresses_are_normalised(settings):
    settings.HAVEN_TRUSTED_PROXY_COUNT = 1

    assert client_ip(_request(forwarded="[2001:DB8:0::1]")) == "2001:db8::1"
    assert client_ip(_request(forwarded="2001:db8:0:0::2")) == "2001:db8::2"


def test_allauth_asks_the_same_helper(settings):
    settings.HAVEN_TRUSTED_PROXY_COUNT = 1
    request = _request(forwarded="10.9.9.9, 198.51.100.7")

    assert get_adapter(request).get_client_ip(request) == "198.51.100.7"


def test_allauths_own_setting_follows_havens():
    from django.conf import settings

    assert settings.ALLAUTH_TRUSTED_PROXY_COUNT == settings.HAVEN_TRUSTED_PROXY_COUNT
