"""The certificate PDF carries the organisation's name and logo from Site branding; a
certificate template's own logo wins over the site's."""

import io

import pytest
from django.core.files.images import ImageFile
from PIL import Image as PillowImage
from pypdf import PdfReader
from wagtail.images import get_image_model
from wagtail.models import Site

from certificates.models import CertificateTemplate
from certificates.rendering import certificate_html, render_pdf
from certificates.services import certificate_issue
from cms.models import SiteBranding
from learning.demo import LOGO_TITLE, organisation_logo
from tests.certificates.test_pdf import text_of
from tests.courses.factories import refunds_course

pytestmark = pytest.mark.django_db
Image = get_image_model()


def image(title: str, colour: str) -> Image:
    buffer = io.BytesIO()
    PillowImage.new("RGB", (120, 40), colour).save(buffer, format="PNG")
    picture = Image(title=title, file=ImageFile(buffer, name=f"{title}.png"))
    picture.save()
    return picture


def images_on_page(data: bytes) -> int:
    page = PdfReader(io.BytesIO(data)).pages[0]
    return len(page.images)


@pytest.fixture
def certificate(learner):
    course, _ = refunds_course(certificate_validity_months=12)
    return certificate_issue(user=learner, course=course)


def brand(name: str, logo=None) -> SiteBranding:
    branding = SiteBranding.for_site(Site.objects.get(is_default_site=True))
    branding.organisation_name, branding.logo = name, logo
    branding.save()
    return branding


def test_the_certificate_names_the_organisation_from_site_branding(certificate):
    brand("Harbourside Home Goods")
    data = render_pdf(certificate, None)
    assert "Harbourside Home Goods" in text_of(data)
    assert "Policy Certify" not in text_of(data)
    assert PdfReader(io.BytesIO(data)).metadata.author == "Harbourside Home Goods"


def test_the_site_logo_is_on_the_certificate(certificate):
    brand("Harbourside Home Goods")
    without = images_on_page(render_pdf(certificate, None))  # the QR code
    brand("Harbourside Home Goods", image("site-logo", "#0f4c5c"))
    assert images_on_page(render_pdf(certificate, None)) == without + 1


def test_a_templates_own_logo_wins_over_the_site_logo(certificate):
    brand("Harbourside Home Goods", image("site-logo", "#0f4c5c"))
    own = image("template-logo", "#aa3300")
    template = CertificateTemplate.objects.create(name="Branded", logo=own)
    html = certificate_html(certificate, template)
    assert own.file.name.rsplit("/", 1)[-1] in html
    assert "site-logo" not in html
    assert "site-logo" in certificate_html(certificate, None)


def test_the_demo_logo_is_a_real_image_stored_once():
    logo = organisation_logo()
    assert (logo.title, logo.width, logo.height) == (LOGO_TITLE, 240, 240)
    assert organisation_logo().pk == logo.pk
    assert Image.objects.filter(title=LOGO_TITLE).count() == 1
