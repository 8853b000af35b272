"""Per-client limits behind a proxy: X-Forwarded-For counts only when the request came
from a trusted proxy, so a forged header buys no extra allowance, and two clients behind
the proxy each get their own for /verify/ and for sign-in."""

import pytest
from django.test import RequestFactory

from cms.client_address import client_ip
from tests.courses.factories import refunds_course

PROXY = "10.0.0.5"
LOGIN_URL = "/accounts/login/"


def request_from(remote, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24", "2001:db8::/32"]


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = []
    assert client_ip(request_from("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


def test_a_forged_header_from_an_untrusted_peer_is_ignored(behind_proxy):
    assert client_ip(request_from("203.0.113.9", "198.51.100.1, 10.0.0.5")) == "203.0.113.9"


def test_from_a_trusted_proxy_the_right_most_untrusted_entry_is_the_client(behind_proxy):
    # The client wrote "1.2.3.4" itself; the proxy appended the address it saw.
    assert client_ip(request_from(PROXY, "1.2.3.4, 198.51.100.7")) == "198.51.100.7"
    # Two proxies of ours in a row: the entry before them is the client.
    assert client_ip(request_from(PROXY, "198.51.100.7, 10.0.0.9")) == "198.51.100.7"
    assert client_ip(request_from("2001:db8::2", "[2001:db8:ffff::1]:443")) == "2001:db8:ffff::1"
    assert client_ip(request_from(PROXY, "2001:db8::7, 198.51.100.8:51234")) == "198.51.100.8"


def test_a_trusted_proxy_without_a_usable_header_counts_as_itself(behind_proxy):
    assert client_ip(request_from(PROXY)) == PROXY
    assert client_ip(request_from(PROXY, "not-an-address")) == PROXY
    assert client_ip(request_from(PROXY, "198.51.100.7, garbage, 10.0.0.9")) == "10.0.0.9"


# --- /verify/ -----------------------------------------------------------------------


@pytest.fixture
def certificate(db, learner):
    from certificates.services import certificate_issue

    course, _ = refunds_course(certificate_validity_months=12)
    return certificate_issue(user=learner, course=course)


def lookup(client, code, remote, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.get(f"/verify/{code}/", **extra)


def test_verify_ignores_a_forged_header_from_an_untrusted_peer(client, certificate, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    settings.VERIFY_LOOKUPS_PER_MINUTE = 3
    for n in range(3):
        assert lookup(client, certificate.code, "203.0.113.9", f"198.51.100.{n}").status_code == 200
    assert lookup(client, certificate.code, "203.0.113.9", "198.51.100.99").status_code == 429


def test_verify_behind_a_trusted_proxy_gives_each_client_its_own_allowance(
    client, certificate, settings
):
    settings.TRUSTED_PROXIES = [PROXY]
    settings.VERIFY_LOOKUPS_PER_MINUTE = 3
    for _ in range(3):
        assert lookup(client, certificate.code, PROXY, "198.51.100.1").status_code == 200
    assert lookup(client, certificate.code, PROXY, "198.51.100.1").status_code == 429
    # A second client behind the same proxy is not held back by the first...
    assert lookup(client, certificate.code, PROXY, "198.51.100.2").status_code == 200
    # ...and the first cannot escape by writing another address in front of the proxy's.
    limited = lookup(client, certificate.code, PROXY, "198.51.100.3, 198.51.100.1")
    assert limited.status_code == 429


# --- sign-in ------------------------------------------------------------------------


def failed_sign_in(client, n, remote, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    # A different account each time, so only the per-address limit (10 a minute) applies.
    data = {"login": f"nobody{n}@example.com", "password": "not-the-password"}
    return client.post(LOGIN_URL, data, **extra).content.decode()


TOO_MANY = "Too many failed login attempts"


@pytest.mark.django_db
def test_sign_in_ignores_a_forged_header_from_an_untrusted_peer(client, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    for n in range(10):
        assert TOO_MANY not in failed_sign_in(client, n, "203.0.113.9", f"198.51.100.{n}")
    assert TOO_MANY in failed_sign_in(client, 10, "203.0.113.9", "198.51.100.77")


@pytest.mark.django_db
def test_sign_in_behind_a_trusted_proxy_gives_each_client_its_own_allowance(
    client, settings, learner, password
):
    settings.TRUSTED_PROXIES = [PROXY]
    for n in range(10):
        assert TOO_MANY not in failed_sign_in(client, n, PROXY, "198.51.100.1")
    assert TOO_MANY in failed_sign_in(client, 10, PROXY, "198.51.100.1")

    assert TOO_MANY not in failed_sign_in(client, 11, PROXY, "198.51.100.2")
    response = client.post(
        LOGIN_URL,
        {"login": learner.email, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="198.51.100.2",
    )
    assert response.status_code == 302
