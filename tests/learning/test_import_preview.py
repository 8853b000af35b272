"""The staff import's check shows the training it will assign, flags what will already be
overdue, writes nothing; and HR can download a template CSV to start from."""

import csv
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DataError, connection
from django.urls import reverse
from django.utils import timezone

from learning.models import Assignment, Employee
from learning.services import REQUIRED_COLUMNS, staff_import
from tests.courses.factories import make_course

pytestmark = pytest.mark.django_db

URL = reverse("learning_staff_import")
TEMPLATE_URL = reverse("learning_staff_import_template")
HEADER = "employee_number,first_name,last_name,email,hire_date"


def hired(days_ago: int) -> str:
    return (timezone.localdate() - datetime.timedelta(days=days_ago)).isoformat()


@pytest.fixture
def onboarding():
    return make_course("Welcome Aboard", is_onboarding=True, onboarding_due_days=14)


def staff_csv() -> bytes:
    rows = [
        HEADER,
        f"N-1,Nia,Late,nia@example.com,{hired(17)}",
        f"N-2,Olu,Fresh,olu@example.com,{hired(2)}",
        "N-3,Pat,Veteran,pat@example.com,2015-01-05",
    ]
    return ("\n".join(rows) + "\n").encode()


def upload(client, data: bytes, *, dry_run: bool, name="staff.csv"):
    form = {"file": SimpleUploadedFile(name, data, content_type="text/csv")}
    if dry_run:
        form["dry_run"] = "on"
    return client.post(URL, form)


def test_the_check_lists_each_assignment_and_flags_the_ones_already_overdue(onboarding):
    result = staff_import(data=staff_csv(), dry_run=True)
    today = timezone.localdate()
    assert [(p.person, p.course, p.due_date, p.overdue) for p in result.assignments] == [
        ("Nia Late", "Welcome Aboard", today - datetime.timedelta(days=3), True),
        ("Olu Fresh", "Welcome Aboard", today + datetime.timedelta(days=12), False),
    ]
    assert "2 courses would be assigned; 1 is already overdue" in result.assignments_summary()
    assert Employee.objects.count() == 0 and Assignment.objects.count() == 0


def test_applying_makes_exactly_what_the_check_showed(onboarding):
    checked = staff_import(data=staff_csv(), dry_run=True)
    applied = staff_import(data=staff_csv())
    assert applied.assignments == checked.assignments
    made = Assignment.objects.order_by("due_date").values_list(
        "employee__employee_number", "due_date"
    )
    assert [(p.employee_number, p.due_date) for p in checked.assignments] == list(made)


def test_the_check_page_shows_the_preview_with_overdue_said_in_words(client, hr_user, onboarding):
    client.force_login(hr_user)
    html = upload(client, staff_csv(), dry_run=True).content.decode()
    assert "Training this import assigns" in html
    assert "Nia Late" in html and "Olu Fresh" in html and "Welcome Aboard" in html
    assert html.count("Already overdue</strong>") == 1
    assert "1 of these is already overdue on the day of the import" in html
    assert "Pat Veteran" not in html  # hired years ago: no onboarding
    assert Employee.objects.count() == 0


def test_applying_warns_that_some_training_is_already_overdue(client, hr_user, onboarding):
    client.force_login(hr_user)
    response = upload(client, staff_csv(), dry_run=False)
    assert response.status_code == 302
    page = client.get(URL).content.decode()
    assert "2 courses assigned; 1 is already overdue" in page
    assert Assignment.objects.count() == 2


def test_hr_downloads_a_template_with_every_column_and_one_example(client, hr_user):
    client.force_login(hr_user)
    assert TEMPLATE_URL in client.get(URL).content.decode()
    response = client.get(TEMPLATE_URL)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 1
    assert all(rows[0][name] for name in REQUIRED_COLUMNS)


def test_the_template_imports_as_it_is(client, hr_user):
    client.force_login(hr_user)
    data = client.get(TEMPLATE_URL).content
    assert staff_import(data=data, dry_run=True).ok


@pytest.mark.parametrize("role", ["learner", "trainer", "manager"])
def test_the_template_and_the_import_are_refused_to_everyone_but_hr(client, role, request):
    client.force_login(request.getfixturevalue(role))
    assert client.get(TEMPLATE_URL).status_code == 403
    assert client.get(URL).status_code == 403


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "staff.csv", "The submitted file is empty."),
        (b"%PDF-1.7 binary", "staff.pdf", "Upload a .csv file"),
        (b"id,name,mail\n1,Ann,ann@example.com\n", "staff.csv", "missing column"),
    ],
    ids=["empty", "not-csv", "wrong-headers"],
)
def test_bad_files_get_a_form_error_and_nothing_is_written(
    client, hr_user, onboarding, data, name, message
):
    client.force_login(hr_user)
    response = upload(client, data, dry_run=False, name=name)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Employee.objects.count() == 0 and Assignment.objects.count() == 0


@pytest.mark.parametrize("dry_run", [True, False], ids=["check", "apply"])
def test_a_write_the_database_refuses_is_a_form_error_and_nothing_stays(
    client, hr_user, onboarding, dry_run
):
    """As PostgreSQL refuses a value longer than its column: the page says so, no 500."""

    def refuse_assignments(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith("INSERT") and "learning_assignment" in sql:
            raise DataError("value too long for type character varying(20)")
        return execute(sql, params, many, context)

    client.force_login(hr_user)
    with connection.execute_wrapper(refuse_assignments):
        response = upload(client, staff_csv(), dry_run=dry_run)
    assert response.status_code == 200
    html = response.content.decode()
    assert "The database refused the import, so nothing was written" in html
    assert "value too long" in html
    assert Employee.objects.count() == 0 and Assignment.objects.count() == 0
