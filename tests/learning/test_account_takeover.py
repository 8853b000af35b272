"""HR manages employees, not administrators: no way from HR to someone else's admin
account through the employee form or the staff import; a changed sign-in address is
logged, told to the old address and signs the person out; hostile import files are
form errors, not server errors."""

import html

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from wagtail.models import ModelLogEntry

from learning.models import Employee
from learning.services import staff_import
from tests.learning.factories import PASSWORD, EmployeeFactory, UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()

HEADER = "employee_number,first_name,last_name,email,department,active"
IMPORT_URL = reverse("learning_staff_import")


def csv_bytes(*rows) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


def employee_form(**overrides):
    data = {
        "first_name": "Mallory",
        "last_name": "Grant",
        "email": "new.hire@example.com",
        "employee_number": "T-1",
        "active": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def edit_form(employee, **overrides):
    user = employee.user
    current = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "employee_number": employee.employee_number,
        "active": "on" if employee.active else None,
    }
    return employee_form(**(current | overrides))


def text(response) -> str:
    return html.unescape(response.content.decode())


def upload(client, data: bytes, *, dry_run: bool):
    form = {"file": SimpleUploadedFile("staff.csv", data, content_type="text/csv")}
    if dry_run:
        form["dry_run"] = "on"
    return client.post(IMPORT_URL, form)


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser(
        email="root@example.com", password=PASSWORD, first_name="Rita", last_name="Root"
    )


@pytest.fixture
def hr_colleague(make_user):
    return make_user("HR", email="hr.colleague@example.com")


@pytest.fixture
def other_superuser(db):
    return User.objects.create_superuser(
        email="boss@example.com", password=PASSWORD, first_name="Bo", last_name="Ss"
    )


def untouched(user) -> bool:
    """The account is exactly as it was: address, active flag and password."""
    before = (user.email, user.is_active, user.password)
    user.refresh_from_db()
    return (user.email, user.is_active, user.password) == before


# --- the employee form -------------------------------------------------------------


@pytest.mark.parametrize(
    "target, reason",
    [
        ("other_superuser", "is a superuser's account"),
        ("hr_colleague", "is the account of someone in HR"),
        ("trainer", "has admin rights HR does not have (group Trainers)"),
    ],
)
def test_hr_cannot_create_an_employee_on_an_admin_account(client, hr_user, request, target, reason):
    account = request.getfixturevalue(target)
    client.force_login(hr_user)
    response = client.post(reverse("employees:add"), employee_form(email=account.email))
    assert response.status_code == 200
    page = text(response)
    assert f"{account.email} {reason}, so only a superuser can link it to an employee." in page
    assert untouched(account)
    assert not Employee.objects.filter(user=account).exists()
    assert not mail.outbox


def test_an_extra_permission_of_its_own_also_counts_as_beyond_hr(client, hr_user, make_user):
    account = make_user("Learners", email="quiet.admin@example.com")
    account.user_permissions.add(Permission.objects.get(codename="change_user"))
    client.force_login(hr_user)
    response = client.post(reverse("employees:add"), employee_form(email=account.email))
    assert "has admin permissions of its own that HR does not have" in text(response)
    assert not Employee.objects.filter(user=account).exists()


def test_a_group_that_opens_the_admin_counts_even_with_nothing_more(client, hr_user, make_user):
    reviewers = Group.objects.create(name="Reviewers")
    reviewers.permissions.add(Permission.objects.get(codename="access_admin"))
    account = make_user("Reviewers", email="reviewer@example.com")
    client.force_login(hr_user)
    response = client.post(reverse("employees:add"), employee_form(email=account.email))
    assert "(group Reviewers)" in text(response)
    assert not Employee.objects.filter(user=account).exists()


def test_hr_still_links_an_ordinary_account(client, hr_user, learner):
    client.force_login(hr_user)
    response = client.post(reverse("employees:add"), employee_form(email=learner.email))
    assert response.status_code == 302
    assert Employee.objects.get(employee_number="T-1").user == learner


@pytest.mark.parametrize("target", ["other_superuser", "hr_colleague"])
def test_hr_cannot_re_email_or_deactivate_an_admin_employee(client, hr_user, request, target):
    account = request.getfixturevalue(target)
    employee = EmployeeFactory(user=account, employee_number="A-1")
    client.force_login(hr_user)
    url = reverse("employees:edit", args=[employee.pk])

    response = client.post(url, edit_form(employee, email="mallory@example.com"))
    assert response.status_code == 200
    assert "so only a superuser can change its sign-in email." in text(response)
    assert untouched(account)

    response = client.post(url, {k: v for k, v in edit_form(employee).items() if k != "active"})
    assert response.status_code == 200
    assert "so only a superuser can deactivate it." in text(response)
    assert untouched(account)
    employee.refresh_from_db()
    assert employee.active

    # The rest of the record is still HR's to keep up to date.
    response = client.post(url, edit_form(employee, first_name="Renamed"))
    assert response.status_code == 302
    assert untouched(account)
    account.refresh_from_db()
    assert account.first_name == "Renamed"


def test_hr_cannot_re_email_their_own_account_either(client, hr_user):
    employee = EmployeeFactory(user=hr_user)
    client.force_login(hr_user)
    response = client.post(
        reverse("employees:edit", args=[employee.pk]), edit_form(employee, email="me@evil.test")
    )
    assert "is the account of someone in HR" in text(response)
    assert untouched(hr_user)


def test_a_superuser_may_link_and_re_email_an_admin_account(
    client, superuser, hr_colleague, other_superuser
):
    client.force_login(superuser)
    response = client.post(reverse("employees:add"), employee_form(email=hr_colleague.email))
    assert response.status_code == 302
    employee = Employee.objects.get(user=hr_colleague)

    response = client.post(
        reverse("employees:edit", args=[employee.pk]),
        edit_form(employee, email="hr.renamed@example.com"),
    )
    assert response.status_code == 302
    hr_colleague.refresh_from_db()
    assert hr_colleague.email == "hr.renamed@example.com"

    response = client.post(
        reverse("employees:add"),
        employee_form(email=other_superuser.email, employee_number="T-2"),
    )
    assert response.status_code == 302


# --- the staff import --------------------------------------------------------------


@pytest.mark.parametrize("dry_run", [True, False])
@pytest.mark.parametrize("target", ["other_superuser", "hr_colleague"])
def test_hr_import_cannot_link_an_admin_account(client, hr_user, request, target, dry_run):
    account = request.getfixturevalue(target)
    client.force_login(hr_user)
    response = upload(
        client,
        csv_bytes("S-1,Ada,Moss,ada@example.com,Support,yes", f"S-2,Mal,Lory,{account.email},,yes"),
        dry_run=dry_run,
    )
    assert response.status_code == 200
    page = text(response)
    assert f"Line 3: {account.email} is" in page
    assert "so only a superuser can link it to an employee." in page
    assert untouched(account)
    assert not Employee.objects.exists()  # the good line is not written either


@pytest.mark.parametrize("dry_run", [True, False])
def test_hr_import_cannot_re_email_or_deactivate_an_hr_colleague(
    client, hr_user, hr_colleague, dry_run
):
    EmployeeFactory(user=hr_colleague, employee_number="H-1")
    client.force_login(hr_user)
    page = text(
        upload(client, csv_bytes("H-1,Hal,Colleague,takeover@example.com,,yes"), dry_run=dry_run)
    )
    assert "Line 2: hr.colleague@example.com is the account of someone in HR" in page
    assert "so only a superuser can change its sign-in email." in page
    assert untouched(hr_colleague)
    page = text(
        upload(client, csv_bytes("H-1,Hal,Colleague,hr.colleague@example.com,,no"), dry_run=dry_run)
    )
    assert "so only a superuser can deactivate it." in page
    assert untouched(hr_colleague)
    assert Employee.objects.get(employee_number="H-1").active


def test_hr_import_may_leave_an_admin_employee_as_it_is(client, hr_user, hr_colleague):
    EmployeeFactory(user=hr_colleague, employee_number="H-1")
    client.force_login(hr_user)
    response = upload(
        client, csv_bytes("H-1,Hal,Colleague,hr.colleague@example.com,Payroll,yes"), dry_run=False
    )
    assert response.status_code == 302
    assert Employee.objects.get(employee_number="H-1").department.name == "Payroll"
    assert untouched(hr_colleague)


def test_the_command_refuses_the_line_and_says_why(tmp_path, capsys, other_superuser):
    path = tmp_path / "staff.csv"
    path.write_bytes(csv_bytes(f"S-1,Mal,Lory,{other_superuser.email},,yes"))
    with pytest.raises(CommandError, match="Nothing imported: 1 problem"):
        call_command("import_staff", str(path))
    err = capsys.readouterr().err
    assert (
        "line 2: boss@example.com is a superuser's account, so only a superuser can link it "
        "to an employee." in err
    )
    assert untouched(other_superuser)
    assert not Employee.objects.exists()


def test_a_superuser_may_import_over_an_admin_account(client, superuser, hr_colleague):
    client.force_login(superuser)
    response = upload(
        client, csv_bytes(f"S-1,Hal,Colleague,{hr_colleague.email},,yes"), dry_run=False
    )
    assert response.status_code == 302
    assert Employee.objects.get(employee_number="S-1").user == hr_colleague


# --- a changed sign-in address ----------------------------------------------------


def signed_in_client(client_class, user):
    other = client_class()
    other.force_login(user)
    assert other.get(reverse("learning:dashboard")).status_code == 200
    return other


def test_changing_an_employees_email_is_logged_told_and_signs_them_out(
    client, hr_user, django_capture_on_commit_callbacks
):
    employee = EmployeeFactory(user=UserFactory(email="sam@example.com"))
    sam = employee.user
    sams_browser = signed_in_client(type(client), sam)

    client.force_login(hr_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("employees:edit", args=[employee.pk]),
            edit_form(employee, email="sam.new@example.com"),
        )
    assert response.status_code == 302

    entry = ModelLogEntry.objects.get(action="accounts.email_change")
    assert entry.user == hr_user
    assert entry.object_id == str(sam.pk)
    assert entry.data == {"old_email": "sam@example.com", "new_email": "sam.new@example.com"}

    [message] = mail.outbox
    assert message.to == ["sam@example.com"]
    assert "sam.new@example.com" in message.body
    assert "/accounts/login/" in message.body

    response = sams_browser.get(reverse("learning:dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_import_changing_an_email_does_the_same(
    client, hr_user, django_capture_on_commit_callbacks
):
    EmployeeFactory(user=UserFactory(email="sam@example.com"), employee_number="S-1")
    sam = User.objects.get(email="sam@example.com")
    sams_browser = signed_in_client(type(client), sam)
    client.force_login(hr_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, csv_bytes("S-1,Sam,Ex,sam.new@example.com,,yes"), dry_run=True)
    assert "Would create 0, would update 1" in text(response)
    assert not mail.outbox  # a check changes nothing, so tells no one
    assert not ModelLogEntry.objects.filter(action="accounts.email_change").exists()

    with django_capture_on_commit_callbacks(execute=True):
        upload(client, csv_bytes("S-1,Sam,Ex,sam.new@example.com,,yes"), dry_run=False)
    entry = ModelLogEntry.objects.get(action="accounts.email_change")
    assert entry.user == hr_user
    assert [m.to for m in mail.outbox] == [["sam@example.com"]]
    assert sams_browser.get(reverse("learning:dashboard")).status_code == 302


def test_a_name_change_keeps_the_person_signed_in(client, hr_user):
    employee = EmployeeFactory()
    browser = signed_in_client(type(client), employee.user)
    client.force_login(hr_user)
    client.post(reverse("employees:edit", args=[employee.pk]), edit_form(employee, first_name="X"))
    assert browser.get(reverse("learning:dashboard")).status_code == 200
    assert not mail.outbox


# --- hostile import files ------------------------------------------------------------


def test_a_200_kb_value_is_a_form_error_not_a_server_error(client, hr_user):
    client.force_login(hr_user)
    data = csv_bytes("S-1,Ada,Moss,ada@example.com,,yes", f"S-2,{'A' * 200_000},Moss,b@x.com,,yes")
    for dry_run in (True, False):
        response = upload(client, data, dry_run=dry_run)
        assert response.status_code == 200
        page = text(response)
        assert "Line 3 cannot be read as CSV (a value is longer than 131,072 characters)" in page
    assert not Employee.objects.exists()


def test_the_command_says_the_same_in_one_line(tmp_path):
    path = tmp_path / "staff.csv"
    path.write_bytes(csv_bytes(f"S-1,{'A' * 200_000},Moss,b@x.com,,yes"))
    with pytest.raises(CommandError, match="Line 2 cannot be read as CSV"):
        call_command("import_staff", str(path))


@pytest.mark.parametrize("dry_run", [True, False])
def test_over_long_values_are_refused_at_the_check_with_their_lines(dry_run):
    result = staff_import(
        data=csv_bytes(
            "S-1,Ada,Moss,ada@example.com,Support,yes",
            f"S-2,{'N' * 151},Moss,n@example.com,,yes",
            f"S-3,Cy,Moss,c@example.com,{'D' * 121},yes",
            f"{'9' * 41},Di,Moss,d@example.com,,yes",
            "S-5,Ed\x00,Moss,e@example.com,,yes",
        ),
        dry_run=dry_run,
    )
    assert [str(error) for error in result.errors] == [
        "line 3: first_name is 151 characters long; the most it can hold is 150",
        "line 4: department is 121 characters long; the most it can hold is 120",
        "line 5: employee_number is 41 characters long; the most it can hold is 40",
        "line 6: first_name contains a control character (a tab, NUL, ...)",
    ]
    assert not Employee.objects.exists()


def test_a_new_line_cannot_take_an_unlinked_accounts_address_by_re_email(hr_user):
    EmployeeFactory(user=UserFactory(email="sam@example.com"), employee_number="S-1")
    UserFactory(email="loose@example.com")
    result = staff_import(data=csv_bytes("S-1,Sam,Ex,loose@example.com,,yes"), actor=hr_user)
    assert [str(e) for e in result.errors] == [
        "line 2: email loose@example.com is another account's sign-in address"
    ]


def test_a_superuser_changing_an_address_in_wagtails_users_is_recorded_the_same(
    client, superuser, learner, django_capture_on_commit_callbacks
):
    browser = signed_in_client(type(client), learner)
    client.force_login(superuser)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("wagtailusers_users:edit", args=[learner.pk]),
            {
                "email": "learner.new@example.com",
                "first_name": learner.first_name,
                "last_name": learner.last_name,
                "is_active": "on",
                "groups": [Group.objects.get(name="Learners").pk],
            },
        )
    assert response.status_code == 302
    entry = ModelLogEntry.objects.get(action="accounts.email_change")
    assert entry.user == superuser
    assert entry.data["old_email"] == "learner@example.com"
    assert [m.to for m in mail.outbox] == [["learner@example.com"]]
    assert browser.get(reverse("learning:dashboard")).status_code == 302


def test_changing_ones_own_address_keeps_this_browser_and_ends_the_others(
    client, trainer, django_capture_on_commit_callbacks
):
    other_browser = type(client)()
    other_browser.force_login(trainer)
    client.force_login(trainer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("wagtailadmin_account"),
            {
                "name_email-first_name": trainer.first_name,
                "name_email-last_name": trainer.last_name,
                "name_email-email": "trainer.new@example.com",
                "locale-preferred_language": "en",
                "locale-current_time_zone": "",
                "theme-theme": "system",
                "theme-density": "default",
                "theme-contrast": "system",
                "theme-keyboard_shortcuts": "on",
            },
        )
    assert response.status_code == 302, text(response)[-2000:]
    trainer.refresh_from_db()
    assert trainer.email == "trainer.new@example.com"
    entry = ModelLogEntry.objects.get(action="accounts.email_change")
    assert entry.user == trainer
    assert [m.to for m in mail.outbox] == [["trainer@example.com"]]
    assert client.get(reverse("wagtailadmin_home")).status_code == 200
    assert other_browser.get(reverse("wagtailadmin_home")).status_code == 302


def test_an_email_longer_than_its_column_is_a_form_error(client, hr_user):
    email = "a" * 64 + "@" + ".".join(["b" * 60] * 4) + ".com"
    client.force_login(hr_user)
    response = client.post(reverse("employees:add"), employee_form(email=email))
    assert response.status_code == 200
    assert "Ensure this value has at most 254 characters" in text(response)
    assert not Employee.objects.exists()
