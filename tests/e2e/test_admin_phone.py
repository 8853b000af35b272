"""HR's certificates listing and a person's training record on a phone: the page never
scrolls sideways, wide tables scroll in their own boxes, and every row's buttons are read
whole, their labels never broken across lines."""

import pytest
from django.core.management import call_command

from learning.demo import DEMO_PASSWORD
from learning.models import Employee
from tests.e2e.test_sign_in import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 800}
DESKTOP = {"width": 1280, "height": 900}

# How many lines a button's label takes: the distinct tops of its words' boxes.
LABEL_LINES = """node => {
    const walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT);
    const tops = new Set();
    for (let text = walker.nextNode(); text; text = walker.nextNode()) {
        if (!text.textContent.trim()) continue;
        const range = document.createRange();
        range.selectNodeContents(text);
        for (const rect of range.getClientRects()) {
            if (rect.width > 0) tops.add(Math.round(rect.top / 4));
        }
    }
    return tops.size;
}"""


@pytest.fixture
def demo():
    call_command("seed_demo", verbosity=0)


def page_fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def assert_buttons_whole(locator, width):
    """Each button lies inside the screen and its label is on one line."""
    assert locator.count() >= 1
    for index in range(locator.count()):
        button = locator.nth(index)
        box = button.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, box
        assert button.evaluate("node => node.scrollWidth <= node.clientWidth"), box
        assert button.evaluate(LABEL_LINES) == 1, box


def assert_title_whole(title, button):
    box, beside = title.bounding_box(), button.bounding_box()
    assert title.evaluate("node => node.scrollWidth <= node.clientWidth"), box
    clipped = title.evaluate(
        "node => { const r = node.getBoundingClientRect();"
        " for (let up = node.parentElement; up; up = up.parentElement) {"
        "  const s = getComputedStyle(up); if (s.overflowX === 'visible') continue;"
        "  const u = up.getBoundingClientRect(); if (r.right > u.right + 1) return true; }"
        " return false; }"
    )
    assert not clipped, box
    apart = box["x"] + box["width"] <= beside["x"] or beside["y"] >= box["y"] + box["height"]
    assert apart, (box, beside)


def test_the_certificates_listing_fits_a_phone_with_its_buttons_whole(page, demo):
    for viewport in (PHONE, DESKTOP):
        page.set_viewport_size(viewport)
        if viewport is PHONE:
            sign_in(page, "hr@example.com", DEMO_PASSWORD)
            page.wait_for_url(lambda url: "/accounts/login/" not in url)
        page.goto("/admin/learning_certificates/")
        assert page_fits(page)
        downloads = page.locator("tbody").get_by_role("link", name="Download PDF")
        assert_buttons_whole(downloads, viewport["width"])
        # The page's title is read whole: nothing covers or cuts it.
        title = page.locator("header").get_by_role("link", name="Certificates", exact=True)
        assert_title_whole(title, page.locator("header").get_by_role("link", name="ZIP"))

    # Reissue and Revoke wait in the row's More menu.
    page.set_viewport_size(PHONE)
    first = page.locator("tbody tr").first
    first.get_by_role("button", name="More options").click()
    assert_buttons_whole(first.get_by_role("link", name="Reissue"), PHONE["width"])
    assert_buttons_whole(first.get_by_role("link", name="Revoke"), PHONE["width"])


def test_a_training_record_fits_a_phone_and_its_tables_scroll_inside(page, demo):
    person = Employee.objects.get(user__email="marcus.reid@example.com")
    page.set_viewport_size(PHONE)
    sign_in(page, "hr@example.com", DEMO_PASSWORD)
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto(f"/admin/reports/employees/{person.pk}/")
    assert page_fits(page)
    title = page.locator("header").get_by_role("link", name="Training record", exact=True)
    assert_title_whole(title, page.locator("header").get_by_role("link", name="Export JSON"))
    assert_buttons_whole(page.locator("header").get_by_role("link"), PHONE["width"])
    wraps = page.locator(".record-table-wrap")
    assert wraps.count() >= 3
    widths = wraps.evaluate_all("nodes => nodes.map(node => node.scrollWidth - node.clientWidth)")
    assert max(widths) > 0, "the widest table scrolls inside its own box"
