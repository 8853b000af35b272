"""Staff import from an HR system's CSV: good files, every kind of bad row, dry runs."""

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from learning.models import Department, Employee
from learning.services import StaffFileError, staff_import
from tests.learning.factories import EmployeeFactory

pytestmark = pytest.mark.django_db
User = get_user_model()

HEADER = (
    "employee_number,first_name,last_name,email,department,job_role,location,"
    "manager_employee_number,hire_date,active"
)
GOOD_ROWS = [
    "S-1,Ada,Moss,ada.moss@example.com,Support,Team Lead,Leeds,,2024-02-01,yes",
    "S-2,Ben,Hart,ben.hart@example.com,Support,Agent,Leeds,S-1,2026-11-02,yes",
    "S-3,Cara,Ng,cara.ng@example.com,Billing,Agent,Remote,S-1,2025-06-15,",
]


def csv_bytes(*rows, header=HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def test_good_file_creates_people_with_their_org_and_managers():
    result = staff_import(data=csv_bytes(*GOOD_ROWS))
    assert result.ok
    assert sorted(result.created) == ["S-1", "S-2", "S-3"]
    ben = Employee.objects.get(employee_number="S-2")
    assert ben.user.email == "ben.hart@example.com"
    assert ben.manager.employee_number == "S-1"
    assert ben.department.name == "Support"
    assert str(ben.hire_date) == "2026-11-02"
    assert not ben.user.has_usable_password()  # they set one through password reset


def test_importing_again_updates_and_never_duplicates():
    staff_import(data=csv_bytes(*GOOD_ROWS))
    changed = GOOD_ROWS[1].replace("Ben,Hart", "Benjamin,Hart").replace("Leeds,S-1", "Remote,S-1")
    result = staff_import(data=csv_bytes(GOOD_ROWS[0], changed, GOOD_ROWS[2]))
    assert result.updated == ["S-2"]
    assert sorted(result.unchanged) == ["S-1", "S-3"]
    assert Employee.objects.count() == 3
    assert User.objects.count() == 3
    ben = Employee.objects.get(employee_number="S-2")
    assert (ben.user.first_name, ben.location.name) == ("Benjamin", "Remote")


def test_existing_manager_outside_the_file_is_found():
    EmployeeFactory(employee_number="BOSS-1")
    result = staff_import(data=csv_bytes("S-9,Dee,Fox,dee@example.com,,,,BOSS-1,,yes"))
    assert result.ok
    assert Employee.objects.get(employee_number="S-9").manager.employee_number == "BOSS-1"


def test_department_names_match_whatever_their_case():
    Department.objects.create(name="Support")
    staff_import(data=csv_bytes("S-9,Dee,Fox,dee@example.com,SUPPORT,,,,,yes"))
    assert Department.objects.count() == 1


@pytest.mark.parametrize(
    ("bad_row", "line", "message"),
    [
        ("S-4,Dan,Ray,not-an-email,Support,Agent,Leeds,,2025-01-01,yes", 5, "not a valid email"),
        (
            "S-4,Dan,Ray,dan@example.com,Support,Agent,Leeds,S-77,2025-01-01,yes",
            5,
            "manager S-77 is not a known employee number",
        ),
        (
            "S-4,Dan,Ray,dan@example.com,Support,Agent,Leeds,,31/01/2025,yes",
            5,
            "is not a date like",
        ),
        ("S-4,Dan,Ray,dan@example.com,Support,Agent,Leeds,,2025-02-30,yes", 5, "is not a date"),
        ("S-4,,Ray,dan@example.com,Support,Agent,Leeds,,,yes", 5, "first_name is empty"),
        ("S-4,Dan,Ray,dan@example.com,Support,Agent,Leeds,,,maybe", 5, "should be yes or no"),
        (
            "S-1,Dan,Ray,dan@example.com,Support,Agent,Leeds,,,yes",
            5,
            "employee_number S-1 already appears on line 2",
        ),
        (
            "S-4,Dan,Ray,ADA.MOSS@example.com,Support,Agent,Leeds,,,yes",
            5,
            "already appears on line 2",
        ),
        ("S-4,Dan,Ray,dan@example.com,Support,Agent,Leeds,S-4,,yes", 5, "their own manager"),
        (
            "S-4,Dan,Ray,dan@example.com,Support,Agent,Leeds,,,yes,extra",
            5,
            "more values than there are columns",
        ),
    ],
)
def test_a_bad_row_is_reported_with_its_line_and_nothing_is_written(bad_row, line, message):
    result = staff_import(data=csv_bytes(*GOOD_ROWS, bad_row))
    assert not result.ok
    assert [(e.line, message in e.message) for e in result.errors] == [(line, True)]
    assert Employee.objects.count() == 0
    assert User.objects.count() == 0


def test_missing_column_is_reported_on_the_header_line():
    header = HEADER.replace("email,", "")
    result = staff_import(data=csv_bytes("S-1,Ada,Moss,,,,,,", header=header))
    assert [str(e) for e in result.errors] == ["line 1: missing column email"]


def test_reporting_loop_is_refused():
    rows = [
        "S-1,Ada,Moss,ada@example.com,,,,S-2,,yes",
        "S-2,Ben,Hart,ben@example.com,,,,S-1,,yes",
    ]
    result = staff_import(data=csv_bytes(*rows))
    assert {e.line for e in result.errors} == {2, 3}
    assert all("reporting loop" in e.message for e in result.errors)
    assert Employee.objects.count() == 0


def test_email_of_another_employee_is_refused():
    EmployeeFactory(employee_number="OLD-1", user__email="taken@example.com")
    result = staff_import(data=csv_bytes("S-5,Eve,Lu,taken@example.com,,,,,,yes"))
    assert [str(e) for e in result.errors] == [
        "line 2: email taken@example.com belongs to employee OLD-1 already"
    ]


def test_quoted_fields_with_commas_and_a_byte_order_mark_are_read():
    data = "\ufeff" + HEADER + '\nS-6,"Jo, Jr",O\'Neil,jo@example.com,"Returns, Billing",,,,,yes\n'
    result = staff_import(data=data.encode())
    assert result.ok
    jo = Employee.objects.get(employee_number="S-6")
    assert (jo.user.first_name, jo.department.name) == ("Jo, Jr", "Returns, Billing")


def test_file_that_is_not_utf8_is_refused_as_a_whole():
    with pytest.raises(StaffFileError, match="not UTF-8"):
        staff_import(data=csv_bytes(*GOOD_ROWS).replace(b"Moss", b"M\xf6ss"))


def test_empty_file_is_refused():
    with pytest.raises(StaffFileError, match="empty"):
        staff_import(data=b"")


def test_dry_run_reports_but_writes_nothing():
    result = staff_import(data=csv_bytes(*GOOD_ROWS), dry_run=True)
    assert result.ok
    assert len(result.created) == 3
    assert result.summary().startswith("Would create 3")
    assert Employee.objects.count() == 0


def test_deactivating_someone_ends_their_session(client, password):
    staff_import(data=csv_bytes(*GOOD_ROWS))
    ada = User.objects.get(email="ada.moss@example.com")
    ada.set_password(password)
    ada.save()
    client.post("/accounts/login/", {"login": ada.email, "password": password})
    assert client.get("/").context["user"] == ada

    result = staff_import(data=csv_bytes(GOOD_ROWS[0].replace(",yes", ",no"), *GOOD_ROWS[1:]))
    assert result.deactivated == ["S-1"]
    assert not client.get("/").context["user"].is_authenticated


class TestCommand:
    def write(self, tmp_path, data: bytes):
        path = tmp_path / "staff.csv"
        path.write_bytes(data)
        return path

    def test_prints_a_summary(self, tmp_path, capsys):
        call_command("import_staff", str(self.write(tmp_path, csv_bytes(*GOOD_ROWS))))
        assert "Created 3, updated 0, deactivated 0; 0 unchanged." in capsys.readouterr().out

    def test_dry_run_says_so_and_writes_nothing(self, tmp_path, capsys):
        path = self.write(tmp_path, csv_bytes(*GOOD_ROWS))
        call_command("import_staff", str(path), "--dry-run")
        assert "Dry run, nothing written. Would create 3" in capsys.readouterr().out
        assert Employee.objects.count() == 0

    def test_bad_rows_fail_with_their_lines(self, tmp_path, capsys):
        path = self.write(tmp_path, csv_bytes(*GOOD_ROWS, "S-4,Dan,Ray,nope,,,,,,yes"))
        with pytest.raises(CommandError, match="Nothing imported: 1 problem"):
            call_command("import_staff", str(path))
        assert "line 5: email 'nope' is not a valid email address" in capsys.readouterr().err

    def test_missing_file_is_one_clear_line(self, tmp_path):
        with pytest.raises(CommandError, match="Cannot read"):
            call_command("import_staff", str(tmp_path / "missing.csv"))


class TestAdminUpload:
    url = reverse("learning_staff_import")

    def upload(self, client, data: bytes, *, dry_run: bool, name="staff.csv"):
        form = {"file": SimpleUploadedFile(name, data, content_type="text/csv")}
        if dry_run:
            form["dry_run"] = "on"
        return client.post(self.url, form)

    def test_check_then_apply(self, client, hr_user):
        client.force_login(hr_user)
        checked = self.upload(client, csv_bytes(*GOOD_ROWS), dry_run=True)
        assert "Would create 3" in checked.content.decode()
        assert Employee.objects.count() == 0
        applied = self.upload(client, csv_bytes(*GOOD_ROWS), dry_run=False)
        assert applied.status_code == 302
        assert Employee.objects.count() == 3

    def test_bad_rows_are_listed_and_nothing_is_written(self, client, hr_user):
        client.force_login(hr_user)
        response = self.upload(
            client,
            csv_bytes(*GOOD_ROWS, "S-4,Dan,Ray,dan@example.com,,,,,2025-13-01,yes"),
            dry_run=False,
        )
        assert response.status_code == 200
        assert "Line 5: hire_date" in response.content.decode()
        assert Employee.objects.count() == 0

    def test_a_file_that_is_not_csv_is_refused(self, client, hr_user):
        client.force_login(hr_user)
        response = self.upload(client, b"%PDF-1.7", dry_run=True, name="staff.pdf")
        assert "Upload a .csv file" in response.content.decode()

    def test_a_file_that_is_not_utf8_is_refused(self, client, hr_user):
        client.force_login(hr_user)
        response = self.upload(client, b"employee_number\n\xff\xfe", dry_run=True)
        assert "not UTF-8" in response.content.decode()

    def test_an_oversized_file_is_refused(self, client, hr_user, settings):
        settings.STAFF_IMPORT_MAX_BYTES = 100
        client.force_login(hr_user)
        response = self.upload(client, csv_bytes(*GOOD_ROWS), dry_run=False)
        assert "the limit is" in response.content.decode()
        assert Employee.objects.count() == 0
