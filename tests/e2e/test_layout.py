"""What people see fits: HR's compliance matrix shows every course at 1280 px and scrolls
under fixed names on a phone, its tables stay clear of the chart, and a manager's status
badges keep to one line on a phone."""

import pytest
from django.core.management import call_command

from learning.demo import DEMO_PASSWORD
from tests.e2e.conftest import assert_accessible
from tests.e2e.test_sign_in import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

COURSES = (
    "Complaint Handling and De-escalation",
    "Customer Service Essentials",
    "Privacy in Every Conversation",
    "Refunds Done Right",
)


@pytest.fixture
def demo():
    call_command("seed_demo", verbosity=0)


def box(locator) -> dict:
    return locator.bounding_box()


def test_the_matrix_shows_every_course_at_1280_and_keeps_names_in_view_on_a_phone(page, axe, demo):
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, "hr@example.com", DEMO_PASSWORD)
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto("/admin/reports/compliance/")
    matrix = page.get_by_role("region", name="Compliance matrix")
    visible = box(matrix)
    for title in COURSES:
        header = box(matrix.get_by_role("columnheader", name=title))
        assert header["x"] + header["width"] <= visible["x"] + visible["width"] + 1, title

    # The department table and the chart sit side by side without overlapping.
    departments = box(page.locator(".compliance-departments"))
    chart = box(page.get_by_role("img", name="Compliance by department, last 12 months"))
    assert departments["x"] + departments["width"] <= chart["x"]

    page.set_viewport_size({"width": 390, "height": 800})
    page.goto("/admin/reports/compliance/?status=overdue")
    assert_accessible(axe, page)  # the match count is no longer an alerting heading
    matrix = page.get_by_role("region", name="Compliance matrix")
    assert matrix.evaluate("node => node.scrollWidth > node.clientWidth")
    name = page.locator(".compliance-table tbody th").first
    before = box(name)["x"]
    matrix.evaluate("node => { node.scrollLeft = 400; }")
    assert matrix.evaluate("node => node.scrollLeft") > 0
    assert abs(box(name)["x"] - before) < 1  # the name column stays put


def test_team_badges_keep_to_one_line_on_a_phone(page, axe, demo):
    page.set_viewport_size({"width": 390, "height": 800})
    sign_in(page, "manager@example.com", DEMO_PASSWORD)
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto("/learn/team/")
    badges = page.locator(".team-table .badge")
    assert badges.count() >= 20
    heights = badges.evaluate_all("nodes => nodes.map(node => node.getBoundingClientRect().height)")
    line = badges.first.evaluate("node => parseFloat(getComputedStyle(node).lineHeight)")
    assert max(heights) < 1.5 * line + 4, "a badge wrapped onto a second line"
    # The page itself does not scroll sideways: only the table does.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(axe, page)
