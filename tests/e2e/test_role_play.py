"""A new hire plays the onboarding refund role-play to its debrief, by keyboard alone."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from learning.demo import DEMO_PASSWORD
from tests.e2e.conftest import assert_accessible
from tests.e2e.test_sign_in import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ROLE_PLAY = "/learn/courses/customer-service-essentials/role-plays/refund-outside-the-window/"


@pytest.fixture
def demo():
    call_command("seed_demo", verbosity=0)


def press_enter_on(page, locator):
    locator.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_new_hire_plays_the_refund_role_play_to_a_debrief(page, axe, demo):
    sign_in(page, "newhire@example.com", DEMO_PASSWORD)
    page.wait_for_url("**/learn/")
    page.goto("/learn/courses/customer-service-essentials/")
    role_play = page.locator(".module-list", has_text="Not played").get_by_role("link").first
    press_enter_on(page, role_play)
    assert page.url.endswith(ROLE_PLAY)
    assert_accessible(axe, page)

    press_enter_on(page, page.get_by_role("button", name="Start a practice run"))
    expect(page.get_by_role("group", name="What do you say?")).to_be_visible()
    assert_accessible(axe, page)

    first = page.locator(".scenario-choice").first
    first.focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "scenario-choice"
    assert page.evaluate(
        "document.activeElement === document.querySelectorAll('.scenario-choice')[1]"
    )

    replies = 0
    while page.locator(".scenario-choice").count():
        press_enter_on(page, page.locator(".scenario-choice").first)
        replies += 1
        if replies == 1:
            expect(page.get_by_role("status").get_by_text("You said")).to_be_visible()
            assert_accessible(axe, page)
        assert replies < 40, "the role-play should end"

    expect(page.get_by_role("heading", name="How it ended:")).to_be_visible()
    expect(page.get_by_role("heading", name="The path you took")).to_be_visible()
    expect(page.get_by_role("heading", name="The best path")).to_be_visible()
    expect(page.get_by_text("This was a practice run")).to_be_visible()
    assert_accessible(axe, page)
