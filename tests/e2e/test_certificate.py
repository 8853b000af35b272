"""The new hire finishes onboarding, downloads the certificate, and its QR code opens a
page that says it is valid; the PDF's bytes never change afterwards."""

import hashlib
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from playwright.sync_api import expect

from certificates.models import Certificate
from courses.models import CoursePage
from learning.choices import ScenarioMode
from learning.management.commands.seed_demo import Command as SeedDemo
from tests.certificates.test_pdf import decoded_qr_codes
from tests.e2e.conftest import assert_accessible
from tests.e2e.test_assessment import pass_final_assessment

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def onboarding_done_but_the_final():
    """The demo, with the new hire through every module and role-play of onboarding, as
    the demo's own seeding plays them; the final assessment is left for the browser."""
    call_command("seed_demo", verbosity=0)
    user = get_user_model().objects.get(email="newhire@example.com")
    course = CoursePage.objects.get(slug="customer-service-essentials")
    seed = SeedDemo()
    seed._take(user, course, list(course.get_modules()))
    for scenario in course.get_scenarios():
        seed._play(user, course, scenario, mode=ScenarioMode.ASSESSED, best=True)
    return user


def download(page, link_name: str) -> bytes:
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name).click()
    with open(info.value.path(), "rb") as handle:
        return handle.read()


def test_passing_onboarding_gives_a_pdf_whose_qr_code_says_valid(
    page, axe, onboarding_done_but_the_final, tmp_path
):
    pass_final_assessment(page, axe, "newhire@example.com")
    expect(page.get_by_role("heading", name="Attempt 1: passed")).to_be_visible()

    page.goto("/learn/")
    certificates = page.get_by_role("region", name="My certificates")
    row = certificates.get_by_role("row").filter(has_text="Customer Service Essentials")
    expect(row.get_by_role("cell", name="Valid", exact=True)).to_be_visible()
    assert_accessible(axe, page)
    link = "Download PDF for Customer Service Essentials"
    first = download(page, link)
    assert first.startswith(b"%PDF")
    pdf = tmp_path / "certificate.pdf"
    pdf.write_bytes(first)

    (address,) = decoded_qr_codes(pdf, tmp_path)
    page.goto(urlsplit(address).path)
    assert page.locator("h1").inner_text() == "Valid"
    expect(page.get_by_text("Customer Service Essentials", exact=True)).to_be_visible()
    assert_accessible(axe, page)

    certificate = Certificate.objects.get(user=onboarding_done_but_the_final)
    assert hashlib.sha256(first).hexdigest() == certificate.pdf_sha256
    page.goto("/learn/")
    assert download(page, link) == first
