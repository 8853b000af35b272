"""A trainer in the real Wagtail editor: a reply pointing nowhere is refused beside it."""

import pytest
from playwright.sync_api import expect

from courses.models import ScenarioPage
from tests.courses.factories import make_course, make_scenario
from tests.e2e.test_sign_in import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_trainer_sees_the_error_beside_a_reply_that_leads_nowhere(page, trainer, password):
    scenario = make_scenario(make_course())
    sign_in(page, trainer.email, password)
    page.wait_for_url("**/")
    page.goto(f"/admin/pages/{scenario.pk}/edit/")

    field = page.locator('input[name="steps-1-value-choices-1-value-next_step"]')
    field.fill("nowhere")
    page.get_by_role("button", name="Save draft").click()

    error = page.get_by_text("Choice 2 leads to “nowhere”, a missing step.")
    error.wait_for()
    expect(error).to_be_visible()
    # The message sits in the same field wrapper as the reply's next-step input.
    wrapper = page.locator('[data-contentpath="next_step"]', has=error)
    assert wrapper.locator("input").get_attribute("name") == (
        "steps-1-value-choices-1-value-next_step"
    )
    saved = ScenarioPage.objects.get(pk=scenario.pk)
    assert saved.latest_revision_id == scenario.latest_revision_id, "nothing was saved"
