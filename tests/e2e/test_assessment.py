"""A new hire takes the onboarding course's final assessment in the browser and passes."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from assessments.answers import best_answer, form_fields
from assessments.models import Attempt
from assessments.services import answer_name, served_items
from learning.demo import DEMO_PASSWORD
from tests.e2e.conftest import assert_accessible
from tests.e2e.test_sign_in import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

FINAL = "/learn/courses/customer-service-essentials/assessments/final/"


@pytest.fixture
def demo():
    call_command("seed_demo", verbosity=0)


def answer(page, item):
    """Fill in the right answer the way a learner would: click, pick and type."""
    fields = form_fields(
        item.kind, item.order, best_answer(item.kind, item.block), answer_name(item)
    )
    for name, values in fields.items():
        control = page.locator(f'[name="{name}"]').first
        tag = control.evaluate("element => element.tagName.toLowerCase()")
        kind = control.get_attribute("type")
        if tag == "select":
            control.select_option(values[0])
        elif kind in ("radio", "checkbox"):
            for value in values:
                page.locator(f'[name="{name}"][value="{value}"]').check()
        else:
            control.fill(values[0])


def pass_final_assessment(page, axe, email: str) -> None:
    """Sign in, start the onboarding final, answer every page rightly and submit."""
    sign_in(page, email, DEMO_PASSWORD)
    page.wait_for_url("**/learn/")
    page.goto(FINAL)
    assert_accessible(axe, page)
    page.get_by_role("button", name="Start the assessment").click()
    page.wait_for_selector(".attempt-form")
    assert_accessible(axe, page)

    attempt = Attempt.objects.get(user__email=email)
    items = served_items(attempt)
    per_page = attempt.assessment.questions_per_page
    for start in range(0, len(items), per_page):
        for item in items[start : start + per_page]:
            answer(page, item)
        if start == 0:
            # With JavaScript on, the page saves itself a moment after a change, and the
            # button press that follows still carries the newest sequence number.
            page.get_by_role("status").get_by_text("Answers saved at").wait_for()
        last = start + per_page >= len(items)
        name = "Save and review before submitting" if last else "Save and continue"
        with page.expect_navigation():
            page.get_by_role("button", name=name).click()

    expect(
        page.get_by_text(f"You have answered {len(items)} of {len(items)} questions")
    ).to_be_visible()
    assert_accessible(axe, page)
    with page.expect_navigation():
        page.get_by_role("button", name="Submit my answers").click()


def test_new_hire_takes_and_passes_the_final_assessment(page, axe, demo):
    pass_final_assessment(page, axe, "newhire@example.com")
    expect(page.get_by_role("heading", name="Attempt 1: passed")).to_be_visible()
    expect(page.get_by_text("You scored 100%")).to_be_visible()
    assert_accessible(axe, page)
