"""A new hire's first day in Chromium: onboarding course, a module, its checks, progress."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from learning.demo import DEMO_PASSWORD
from tests.e2e.conftest import assert_accessible
from tests.e2e.test_sign_in import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

COURSE = "Customer Service Essentials"


@pytest.fixture
def demo():
    call_command("seed_demo", verbosity=0)


def answer_every_check(page):
    checks = page.locator("section.knowledge-check")
    for n in range(checks.count()):
        check = checks.nth(n)
        check.get_by_role("radio").first.check()
        with page.expect_navigation():
            check.get_by_role("button", name="Check my answer").click()
        expect(page.locator("section.knowledge-check").nth(n).get_by_role("status")).to_be_visible()


def test_new_hire_completes_an_onboarding_module(page, axe, demo):
    sign_in(page, "newhire@example.com", DEMO_PASSWORD)
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My training").click()
    expect(page.get_by_role("heading", name="My training")).to_be_visible()
    expect(page.get_by_role("link", name=COURSE, exact=True)).to_be_visible()
    assert_accessible(axe, page)

    page.get_by_role("link", name=COURSE, exact=True).click()
    expect(page.get_by_role("heading", name=COURSE, level=1)).to_be_visible()
    expect(page.get_by_text("0 of").first).to_be_visible()
    assert_accessible(axe, page)

    page.get_by_role("link", name="Start the course").click()
    expect(page.get_by_text("Module 1 of")).to_be_visible()
    assert_accessible(axe, page)
    first_module = page.locator("h1").inner_text()

    answer_every_check(page)
    assert_accessible(axe, page)
    page.get_by_role("button", name="Finish this module").click()
    expect(page.get_by_text("Module finished. Next up:")).to_be_visible()
    expect(page.get_by_text("Module 2 of")).to_be_visible()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="My training").click()
    card = page.locator(".course-card", has_text=COURSE)
    expect(card.get_by_text("1 of")).to_be_visible()
    expect(card.get_by_text("In progress")).to_be_visible()
    assert_accessible(axe, page)

    page.goto(page.url.replace("/learn/", f"/learn/courses/{_slug(COURSE)}/"))
    expect(page.locator(".module-list__item--completed", has_text=first_module)).to_be_visible()


def _slug(title):
    return title.lower().replace(" ", "-")


def test_a_knowledge_check_works_with_the_keyboard_alone(page, demo):
    sign_in(page, "newhire@example.com", DEMO_PASSWORD)
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto(f"/learn/courses/{_slug(COURSE)}/")
    page.get_by_role("link", name="Start the course").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("section.knowledge-check")
    first_radio = page.locator("section.knowledge-check").first.get_by_role("radio").first
    first_radio.focus()
    page.keyboard.press("Space")
    assert first_radio.is_checked()
    page.keyboard.press("Tab")  # a radio group is one tab stop; next comes its button
    assert page.evaluate("document.activeElement.textContent").strip() == "Check my answer"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    feedback = page.locator("section.knowledge-check").first.get_by_role("status")
    expect(feedback).to_be_visible()
    # Focus lands on the feedback, not the top of the page, and the feedback is announced.
    page.wait_for_function("document.activeElement.classList.contains('knowledge-check__feedback')")
    assert feedback.evaluate("node => node === document.activeElement")
    assert feedback.get_attribute("aria-live") == "polite"
    # The page still comes back at the question without JavaScript.
    check_id = page.locator("section.knowledge-check").first.get_attribute("id")
    assert page.url.endswith(f"#{check_id}")
