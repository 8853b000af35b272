"""The new hire signs in through the real page in Chromium; pages pass axe-core."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from learning.demo import DEMO_PASSWORD
from tests.e2e.conftest import assert_accessible

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def demo():
    call_command("seed_demo", verbosity=0)


def sign_in(page, email, password):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_new_hire_signs_in_and_pages_are_accessible(page, axe, demo):
    page.goto("/accounts/login/")
    assert_accessible(axe, page)

    sign_in(page, "newhire@example.com", DEMO_PASSWORD)
    page.wait_for_url("**/learn/")
    expect(page.get_by_role("heading", name="My training", level=1)).to_be_visible()
    assert "Leo Fernandes" in page.content()
    assert_accessible(axe, page)


def test_wrong_password_keeps_the_form_with_an_error(page, demo):
    sign_in(page, "newhire@example.com", "not-the-password")
    assert page.url.endswith("/accounts/login/")
    expect(page.get_by_role("alert")).to_be_visible()
    assert "not correct" in page.get_by_role("alert").inner_text()


def test_keyboard_only_sign_in(page, demo):
    page.goto("/accounts/login/")
    page.keyboard.press("Tab")  # the skip link comes first
    assert page.evaluate("document.activeElement.textContent").strip() == "Skip to main content"
    page.get_by_label("Email").fill("newhire@example.com")
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/learn/")
    expect(page.get_by_role("heading", name="My training", level=1)).to_be_visible()


def test_agent_reads_a_policy_and_acknowledges_it(page, axe, demo):
    sign_in(page, "agent@example.com", DEMO_PASSWORD)
    page.wait_for_url("**/learn/")
    page.goto("/policies/refunds-and-returns/")
    assert_accessible(axe, page)
    page.get_by_role("button", name="I have read and understood version 2.0").click()
    expect(page.get_by_text("You acknowledged version 2.0")).to_be_visible()
    page.goto("/policies/refunds-and-returns/changes/1.1/2.0/")
    expect(page.locator("ins", has_text="45").first).to_be_visible()
    assert_accessible(axe, page)
    page.goto("/policies/refunds-and-returns/versions/")
    assert_accessible(axe, page)
