"""HR sees the demo organisation's compliance at a glance, exports it and opens one
person's evidence pack; the manager sees exactly their own team."""

import csv
import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from learning.demo import DEMO_PASSWORD
from tests.e2e.conftest import assert_accessible
from tests.e2e.test_sign_in import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def demo():
    call_command("seed_demo", verbosity=0)


def test_hr_reads_the_matrix_exports_it_and_opens_an_evidence_pack(page, axe, demo):
    sign_in(page, "hr@example.com", DEMO_PASSWORD)
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto("/admin/reports/compliance/")
    matrix = page.get_by_role("region", name="Compliance matrix")
    expect(matrix.get_by_text("Certified on v1.1, due by").first).to_be_visible()
    expect(matrix.get_by_text("Overdue since").first).to_be_visible()
    expect(page.get_by_role("img", name="Compliance by department, last 12 months")).to_be_visible()
    results = axe.run(page, context=".compliance-report")
    assert results.violations_count == 0, results.generate_report()

    exported = page.request.get("/admin/reports/compliance/?export=csv")
    header, *rows = list(csv.reader(io.StringIO(exported.text())))
    assert header[:2] == ["Employee number", "Name"] and "Refunds Done Right" in header
    assert len(rows) == 20

    matrix.get_by_role("link", name="Jack Doyle").click()
    page.get_by_role("heading", name="Jack Doyle").first.wait_for()
    with page.expect_download() as info:
        page.get_by_role("link", name="Evidence pack (PDF)").click()
    with open(info.value.path(), "rb") as handle:
        assert handle.read().startswith(b"%PDF")


def test_the_manager_sees_exactly_their_team(page, axe, demo):
    sign_in(page, "manager@example.com", DEMO_PASSWORD)
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto("/learn/team/")
    table = page.get_by_role("table").first
    for name in ("Daniel Kowalski", "Chloe Bennett", "Amara Nwosu", "Mei Chen"):
        expect(table.get_by_text(name).first, name).to_be_visible()
    for outsider in ("Jack Doyle", "Oliver Hughes", "Priya Raman"):
        assert page.get_by_text(outsider).count() == 0, outsider
    assert_accessible(axe, page)
