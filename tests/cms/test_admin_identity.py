"""The admin names the organisation, not the server, and fetches nothing about staff from
outside services."""

import pytest
from django.conf import settings
from wagtail.models import Site

from cms.models import SiteBranding

pytestmark = pytest.mark.django_db


def test_the_admin_home_is_titled_with_the_organisation_not_the_hostname(client, hr_user):
    site = Site.objects.get(is_default_site=True)
    assert site.site_name == settings.WAGTAIL_SITE_NAME
    branding = SiteBranding.for_site(site)
    branding.organisation_name = "Harbourside Home Goods"
    branding.save()
    client.force_login(hr_user)
    page = client.get("/admin/").content.decode()
    heading = page[page.index("<h1") : page.index("</h1>")]
    assert "Harbourside Home Goods" in heading
    assert site.hostname not in heading


def test_avatars_are_not_fetched_from_an_outside_service(client, hr_user):
    client.force_login(hr_user)
    page = client.get("/admin/").content.decode()
    assert "gravatar" not in page
    assert "default-user-avatar" in page
