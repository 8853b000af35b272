"""Every response carries a Content-Security-Policy: the site's own pages allow no inline
script or style except the one nonced branding style; the admin's allows only what
Wagtail needs. Pages served to someone signed in are never stored by a browser or proxy."""

import re

import pytest
from django.urls import reverse

from certificates.services import certificate_issue
from tests.courses.factories import refunds_course
from tests.learning.test_course_player import assign

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in header.split(";") if part.strip())
    }


def assert_strict(response):
    policy = directives(response)
    html = response.content.decode()
    nonce = next(v for v in policy["script-src"] if v.startswith("'nonce-"))[7:-1]
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'", f"'nonce-{nonce}'"]
    assert policy["style-src"] == ["'self'", f"'nonce-{nonce}'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'self'"]
    # Nothing inline that the policy would block: the only inline style carries the nonce.
    assert ' style="' not in html
    for style in re.findall(r"<style[^>]*>", html):
        assert f'nonce="{nonce}"' in style
    for script in INLINE_SCRIPT.findall(html):
        assert f'nonce="{nonce}"' in script
    return nonce


@pytest.fixture
def course():
    return refunds_course(certificate_validity_months=12)[0]


def test_a_learner_page_has_a_strict_policy_and_is_not_stored(client, learner, course):
    assign(learner, course)
    client.force_login(learner)

    dashboard = client.get(reverse("learning:dashboard"))
    module = client.get(
        reverse("learning:module", args=[course.slug, next(iter(course.get_modules())).slug])
    )

    for response in (dashboard, module):
        assert response.status_code == 200
        assert_strict(response)
        assert "no-store" in response["Cache-Control"]
    # A fresh nonce for every response.
    assert assert_strict(dashboard) != assert_strict(client.get(reverse("learning:dashboard")))


def test_an_admin_page_has_the_admins_policy_and_is_not_stored(client, trainer):
    client.force_login(trainer)
    response = client.get(reverse("wagtailadmin_home"))

    assert response.status_code == 200
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'self'"]
    assert "no-store" in response["Cache-Control"]


def test_the_public_verify_page_has_a_strict_policy_and_may_be_cached(client, learner, course):
    certificate = certificate_issue(user=learner, course=course)
    for response in (
        client.get(reverse("certificates:verify", args=[certificate.code])),
        client.get(reverse("certificates:verify_form")),
    ):
        assert response.status_code == 200
        assert_strict(response)
        assert "no-store" not in response.get("Cache-Control", "")


def test_the_same_public_page_is_not_stored_for_someone_signed_in(client, learner, course):
    certificate = certificate_issue(user=learner, course=course)
    client.force_login(learner)
    response = client.get(reverse("certificates:verify", args=[certificate.code]))
    assert "no-store" in response["Cache-Control"]


def test_sign_in_and_not_found_pages_carry_the_policy(client):
    for response in (client.get(reverse("account_login")), client.get("/no-such-page/")):
        assert_strict(response)
