"""On a phone, tables whose last column holds the row's action become one card per row,
so Send reminder, a certificate's Download PDF and a policy's acknowledgement are in view
without scrolling sideways; at desktop widths they stay tables."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from learning.demo import DEMO_PASSWORD
from tests.e2e.test_sign_in import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 800}


@pytest.fixture
def demo():
    call_command("seed_demo", verbosity=0)


def assert_in_view(locator, width=PHONE["width"]):
    assert locator.count() >= 1
    for index in range(locator.count()):
        box = locator.nth(index).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, box


def test_a_managers_reminder_buttons_are_in_view_on_a_phone(page, demo):
    page.set_viewport_size(PHONE)
    sign_in(page, "manager@example.com", DEMO_PASSWORD)
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto("/learn/team/")
    # The team table still scrolls under its fixed names, each a link to the person.
    assert_in_view(page.locator(".team-table tbody th a"))
    page.get_by_role("link", name="Rhys Evans").click()
    assert_in_view(page.get_by_role("button", name="Send reminder"))
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.set_viewport_size({"width": 1280, "height": 900})
    expect(page.get_by_role("columnheader", name="Reminder")).to_be_visible()


def test_a_learners_certificates_and_acknowledgements_are_in_view_on_a_phone(page, demo):
    page.set_viewport_size(PHONE)
    sign_in(page, "agent@example.com", DEMO_PASSWORD)
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto("/learn/")
    certificates = page.locator("#section-certificates + .table-wrap")
    assert_in_view(certificates.get_by_role("link", name="Download PDF"))
    assert_in_view(certificates.get_by_text("Recertification due"))
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.goto("/policies/refunds-and-returns/versions/")
    assert_in_view(page.locator("td[data-label='Your acknowledgement']"))
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_ranking_place_pickers_share_one_width_on_a_phone(page, demo):
    page.set_viewport_size(PHONE)
    sign_in(page, "newhire@example.com", DEMO_PASSWORD)
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto("/learn/courses/customer-service-essentials/the-shape-of-a-good-contact/")
    expect(page.get_by_role("link", name="Open the image full size")).to_be_visible()
    page.goto("/learn/courses/customer-service-essentials/assessments/final/")
    page.get_by_role("button", name="Start the assessment").click()
    for number in range(2, 10):
        if page.locator(".field--rank").count():
            break
        page.get_by_role("link", name=f"Page {number}", exact=True).click()
    pickers = page.locator(".question").filter(has=page.locator(".field--rank")).first
    widths = pickers.locator("select").evaluate_all(
        "nodes => nodes.map(node => node.getBoundingClientRect().width)"
    )
    assert len(widths) >= 3 and max(widths) - min(widths) < 1, widths
