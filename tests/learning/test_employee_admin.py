"""HR manages people in the admin: create with an account, edit, validation, listing cost."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from openpyxl import load_workbook
from wagtail.models import ModelLogEntry

from learning.models import Employee
from tests.learning.factories import EmployeeFactory

pytestmark = pytest.mark.django_db
User = get_user_model()


def employee_form(**overrides):
    data = {
        "first_name": "Ravi",
        "last_name": "Shah",
        "email": "Ravi.Shah@Example.com",
        "employee_number": "N-100",
        "hire_date": "2026-11-20",
        "active": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_hr_creates_an_employee_and_their_account(client, hr_user):
    client.force_login(hr_user)
    response = client.post(reverse("employees:add"), employee_form())
    assert response.status_code == 302
    employee = Employee.objects.get(employee_number="N-100")
    assert employee.user.email == "ravi.shah@example.com"
    assert employee.user.get_full_name() == "Ravi Shah"
    assert ModelLogEntry.objects.filter(action="wagtail.create", user=hr_user).exists()


def test_email_already_used_by_another_employee_is_a_form_error(client, hr_user):
    EmployeeFactory(user__email="ravi.shah@example.com")
    client.force_login(hr_user)
    response = client.post(reverse("employees:add"), employee_form())
    assert response.status_code == 200
    assert "Another employee already uses this email address." in response.content.decode()
    assert not Employee.objects.filter(employee_number="N-100").exists()


def test_reporting_loop_is_a_form_error(client, hr_user):
    boss = EmployeeFactory()
    report = EmployeeFactory(manager=boss)
    client.force_login(hr_user)
    response = client.post(
        reverse("employees:edit", args=[boss.pk]),
        employee_form(
            email=boss.user.email, employee_number=boss.employee_number, manager=report.pk
        ),
    )
    assert response.status_code == 200
    assert "loop in the reporting line" in response.content.decode()
    boss.refresh_from_db()
    assert boss.manager is None


def test_deactivating_in_the_admin_blocks_sign_in_and_is_logged(client, hr_user):
    employee = EmployeeFactory()
    client.force_login(hr_user)
    client.post(
        reverse("employees:edit", args=[employee.pk]),
        employee_form(
            email=employee.user.email, employee_number=employee.employee_number, active=None
        ),
    )
    employee.user.refresh_from_db()
    assert not employee.user.is_active
    assert ModelLogEntry.objects.filter(action="learning.deactivate").exists()


def test_search_finds_people_by_name_and_number(client, hr_user):
    EmployeeFactory(user__first_name="Winifred", employee_number="W-1")
    EmployeeFactory(user__first_name="Bartholomew", employee_number="B-1")
    client.force_login(hr_user)
    html = client.get(reverse("employees:index"), {"q": "winifred"}).content.decode()
    assert "W-1" in html
    assert "B-1" not in html


def test_export_lists_people_as_csv(client, hr_user):
    EmployeeFactory(employee_number="X-77", user__email="x77@example.com")
    client.force_login(hr_user)
    response = client.get(reverse("employees:index"), {"export": "csv"})
    body = b"".join(response.streaming_content).decode()
    assert "X-77" in body
    assert "x77@example.com" in body


@pytest.mark.parametrize("people", [3, 40])
def test_employee_listing_query_count_does_not_grow_with_rows(
    client, hr_user, people, django_assert_max_num_queries
):
    boss = EmployeeFactory()
    EmployeeFactory.create_batch(people, manager=boss)
    client.force_login(hr_user)
    # The admin's menus ask once each whether the user may edit any course (three queries
    # at most, whatever the number of people).
    with django_assert_max_num_queries(17):
        response = client.get(reverse("employees:index"))
    assert response.status_code == 200


@pytest.mark.parametrize("name", ["=HYPERLINK(1)", "+SUM(A1)", "-2+3", "@cmd"])
def test_csv_export_neutralises_names_that_look_like_formulas(client, hr_user, name):
    EmployeeFactory(user__first_name=name, user__last_name="Evil")
    client.force_login(hr_user)
    response = client.get(reverse("employees:index"), {"export": "csv"})
    body = b"".join(response.streaming_content).decode()
    assert f"'{name} Evil" in body
    assert f",{name} Evil" not in body


def test_xlsx_export_keeps_formula_like_names_as_text(client, hr_user):
    EmployeeFactory(user__first_name="=1+1", user__last_name="Evil", employee_number="F-1")
    client.force_login(hr_user)
    response = client.get(reverse("employees:index"), {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value == "=1+1 Evil"]
    assert cells and all(cell.data_type == "s" for cell in cells)
