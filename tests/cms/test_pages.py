"""The health check, the home page, site branding and the error pages."""

import pytest
from django.core.exceptions import ValidationError
from wagtail.models import Page, Site
from wagtail.test.utils import WagtailPageTestCase

from cms.models import HomePage, SiteBranding

pytestmark = pytest.mark.django_db


def test_healthz_answers_ok_with_one_query(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_only_answers_get(client):
    assert client.post("/healthz").status_code == 405


def test_home_page_invites_anonymous_visitors_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 200
    assert 'href="/accounts/login/"' in response.content.decode()


def test_home_page_greets_a_signed_in_person(client, learner):
    client.force_login(learner)
    assert f"Signed in as <strong>{learner.get_full_name()}" in client.get("/").content.decode()


def test_branding_name_and_colour_appear_on_every_page(client):
    branding = SiteBranding.for_site(Site.objects.get(is_default_site=True))
    branding.organisation_name = "Acme Support"
    branding.accent_colour = "#0f766e"
    branding.save()
    html = client.get("/accounts/login/").content.decode()
    assert "Acme Support" in html
    assert "--accent: #0f766e" in html


def test_branding_is_cached_between_requests_and_a_save_shows_at_once(
    client, django_assert_num_queries
):
    SiteBranding.for_site(Site.objects.get(is_default_site=True))  # the row exists
    client.get("/verify/")  # a page that reads nothing but the branding
    with django_assert_num_queries(0):
        client.get("/verify/")  # neither the site nor the branding looked up again
    branding = SiteBranding.for_site(Site.objects.get(is_default_site=True))
    branding.organisation_name = "Renamed Support"
    branding.save()
    assert "Renamed Support" in client.get("/verify/").content.decode()


@pytest.mark.parametrize("colour", ["red", "#12345", "#12345g", "#1234567", "1d4ed8"])
def test_branding_rejects_colours_that_are_not_hex(colour):
    branding = SiteBranding(site=Site.objects.get(is_default_site=True), accent_colour=colour)
    with pytest.raises(ValidationError) as error:
        branding.full_clean()
    assert "accent_colour" in error.value.message_dict


def test_unknown_url_gets_the_site_404_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


class TestHomePage(WagtailPageTestCase):
    def test_is_renderable_and_previewable(self):
        home = HomePage.objects.get()
        self.assertPageIsRenderable(home)
        self.assertPageIsPreviewable(home)

    def test_only_one_home_page_at_the_root(self):
        self.assertCanNotCreateAt(HomePage, HomePage)
        assert not HomePage.can_create_at(Page.get_first_root_node())
