"""With the Content-Security-Policy on, nothing the browser loads or runs is blocked: a
learner's pages, the role-play player, and the admin's page editor with its preview."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from courses.models import ModulePage
from learning.demo import DEMO_PASSWORD
from tests.e2e.test_sign_in import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ROLE_PLAY = "/learn/courses/customer-service-essentials/role-plays/refund-outside-the-window/"
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
    console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`);
});
"""


@pytest.fixture
def demo():
    call_command("seed_demo", verbosity=0)


@pytest.fixture
def violations(page):
    found = []
    page.add_init_script(REPORT_VIOLATIONS)
    page.on(
        "console",
        lambda message: (
            found.append(f"{page.url}: {message.text}")
            if "CSP violation" in message.text or "Content Security Policy" in message.text
            else None
        ),
    )
    return found


def visit(page, path):
    page.goto(path)
    page.wait_for_load_state("networkidle")


def test_learner_pages_and_the_role_play_player_break_no_rule(page, violations, demo):
    sign_in(page, "newhire@example.com", DEMO_PASSWORD)
    page.wait_for_url("**/learn/")
    visit(page, "/learn/")
    visit(page, "/learn/courses/customer-service-essentials/")
    module = page.locator(".module-list").get_by_role("link").first
    module.click()
    page.wait_for_load_state("networkidle")
    visit(page, ROLE_PLAY)
    page.get_by_role("button", name="Start a practice run").click()
    expect(page.get_by_role("group", name="What do you say?")).to_be_visible()
    page.locator(".scenario-choice").first.click()
    page.wait_for_load_state("networkidle")
    visit(page, "/verify/")

    assert violations == []


def test_the_admin_page_editor_and_its_preview_break_no_rule(page, violations, demo):
    sign_in(page, "trainer@example.com", DEMO_PASSWORD)
    page.wait_for_url("**/admin/")
    module = ModulePage.objects.live().first()
    visit(page, f"/admin/pages/{module.pk}/edit/")
    expect(page.get_by_role("button", name="Save draft")).to_be_visible()
    page.get_by_role("button", name="Toggle preview").click()
    expect(page.frame_locator("iframe[title='Preview']").last.locator("h1")).to_be_visible()
    page.wait_for_load_state("networkidle")
    visit(page, "/admin/documents/")

    assert violations == []
