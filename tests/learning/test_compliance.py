"""HR's compliance matrix: one status per person and course, the same in Python and in
SQL, with filters, totals, a twelve-month chart and exports; HR only."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from certificates.choices import CertificateStatus
from certificates.models import Certificate
from certificates.services import certificate_issue
from learning.choices import ComplianceStatus
from learning.compliance import (
    Cell,
    compliance_history,
    compliance_totals,
    employees_with_status,
    matrix_columns,
    matrix_rows,
    month_ends,
    team_member_ids,
)
from learning.models import Assignment, Employee
from tests.courses.factories import make_course, refunds_course
from tests.learning.factories import DepartmentFactory, EmployeeFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def assign(employee, course, *, due, started=False, completed=False, assigned_days_ago=30):
    now = timezone.now()
    return Assignment.objects.create(
        employee=employee,
        course=course,
        reason="manual",
        assigned_at=now - assigned_days_ago * DAY,
        due_date=due,
        started_at=now if started or completed else None,
        completed_at=now if completed else None,
    )


def certify(employee, course, *, issued=TODAY, **fields):
    certificate = certificate_issue(user=employee.user, course=course, today=issued)
    if fields:
        Certificate.objects.filter(pk=certificate.pk).update(**fields)
        certificate.refresh_from_db()
    return certificate


@pytest.fixture
def course():
    course, _ = refunds_course(certificate_validity_months=12)
    return course


@pytest.fixture
def everyone(course):
    """One person per status on the one course, named after it."""
    people = {status: EmployeeFactory(user__last_name=status.value) for status in ComplianceStatus}
    current = people[ComplianceStatus.CURRENT]
    assign(current, course, due=TODAY - 40 * DAY, completed=True)
    certify(current, course)

    expiring = people[ComplianceStatus.EXPIRING]
    assign(expiring, course, due=TODAY - 400 * DAY, completed=True)
    certify(expiring, course, issued=TODAY - 350 * DAY)

    older = people[ComplianceStatus.OLDER_VERSION]
    assign(older, course, due=TODAY + 20 * DAY)
    certify(
        older,
        course,
        status=CertificateStatus.RECERTIFICATION_DUE,
        recertification_due_on=TODAY + 20 * DAY,
    )

    assign(people[ComplianceStatus.OVERDUE], course, due=TODAY - 3 * DAY, started=True)

    expired = people[ComplianceStatus.EXPIRED]
    assign(expired, course, due=TODAY - 800 * DAY, completed=True)
    certify(expired, course, issued=TODAY - 700 * DAY)

    revoked = people[ComplianceStatus.REVOKED]
    assign(revoked, course, due=TODAY - 40 * DAY, completed=True)
    certify(revoked, course, status=CertificateStatus.REVOKED)

    assign(people[ComplianceStatus.IN_PROGRESS], course, due=TODAY + 10 * DAY, started=True)
    assign(people[ComplianceStatus.NOT_STARTED], course, due=TODAY + 10 * DAY)
    return people


def cells_by_name(employees, today=TODAY):
    columns = matrix_columns()
    rows = matrix_rows(list(employees), columns, today=today)
    return {row.employee.user.last_name: row.cells[0] for row in rows}


def test_every_status_in_its_cell_with_words_and_dates(everyone):
    cells = cells_by_name(Employee.objects.with_org())
    assert {name: cell.status for name, cell in cells.items()} == {
        status.value: status.value for status in ComplianceStatus
    }
    assert cells["current"].text == "Current on v1.0"
    expires = TODAY - 350 * DAY + datetime.timedelta(days=365)
    assert cells["expiring"].text.startswith("Expires ")
    assert cells["expiring"].date in (expires, expires - DAY, expires + DAY)
    assert cells["older_version"].text.startswith("Certified on v1.0, due by ")
    assert cells["older_version"].date == TODAY + 20 * DAY
    assert cells["overdue"].text == f"Overdue since {(TODAY - 3 * DAY):%-d %b %Y}"
    assert cells["expired"].text.startswith("Expired ")
    assert cells["in_progress"].text.startswith("In progress, due ")
    assert cells["revoked"].text.startswith("Revoked ")
    assert cells["not_required"].text == "Not required"
    assert [cell.compliant for cell in cells.values()].count(True) == 3


def test_statuses_move_with_the_clock(course):
    person = EmployeeFactory()
    assign(person, course, due=TODAY + 5 * DAY)
    assert cells_by_name([person])[person.user.last_name].status == ComplianceStatus.NOT_STARTED
    later = cells_by_name([person], today=TODAY + 6 * DAY)
    assert later[person.user.last_name].status == ComplianceStatus.OVERDUE


def test_an_expired_certificate_with_an_overdue_renewal_reads_overdue(course):
    person = EmployeeFactory()
    certify(person, course, issued=TODAY - 400 * DAY)
    assign(person, course, due=TODAY - DAY)
    (cell,) = cells_by_name([person]).values()
    assert cell.status == ComplianceStatus.OVERDUE


def test_a_revoked_certificate_says_revoked_when_and_that_nobody_assigned_it_again(course):
    person = EmployeeFactory()
    assign(person, course, due=TODAY - 40 * DAY, completed=True)
    certificate = certify(person, course, status=CertificateStatus.REVOKED)
    revoked_at = timezone.make_aware(datetime.datetime.combine(TODAY - 2 * DAY, datetime.time(9)))
    Certificate.objects.filter(pk=certificate.pk).update(status_changed_at=revoked_at)
    (cell,) = cells_by_name([person]).values()
    assert cell.status == ComplianceStatus.REVOKED
    assert cell.text == (
        f"Revoked {(TODAY - 2 * DAY):%-d %b %Y}; not assigned again: HR assigns it if still needed"
    )
    assert not cell.compliant


def test_a_revoked_certificate_assigned_again_reads_as_the_new_assignment(course):
    person = EmployeeFactory()
    assign(person, course, due=TODAY - 40 * DAY, completed=True)
    certify(person, course, status=CertificateStatus.REVOKED)
    assign(person, course, due=TODAY + 10 * DAY)
    (cell,) = cells_by_name([person]).values()
    assert (cell.status, cell.text) == (
        ComplianceStatus.NOT_STARTED,
        f"Not started, due {(TODAY + 10 * DAY):%-d %b %Y}",
    )


@pytest.mark.parametrize("today", [TODAY, TODAY + 15 * DAY, TODAY + 400 * DAY])
def test_the_sql_filter_agrees_with_every_cell(everyone, course, today):
    again = EmployeeFactory(user__last_name="revoked and assigned again")
    assign(again, course, due=TODAY - 40 * DAY, completed=True)
    certify(again, course, status=CertificateStatus.REVOKED)
    assign(again, course, due=TODAY + 10 * DAY)
    superseded_only = EmployeeFactory(user__last_name="superseded")
    certify(superseded_only, course, status=CertificateStatus.SUPERSEDED)
    course_ids = [column.pk for column in matrix_columns()]
    cells = cells_by_name(Employee.objects.with_org(), today=today)
    for status in ComplianceStatus:
        found = employees_with_status(
            Employee.objects.all(), status=status, course_ids=course_ids, today=today
        )
        expected = {name for name, cell in cells.items() if cell.status == status}
        assert set(found.values_list("user__last_name", flat=True)) == expected, status


def test_totals_per_course_and_department(everyone, course):
    sales = DepartmentFactory(name="Sales")
    Employee.objects.filter(user__last_name__in=["current", "overdue"]).update(department=sales)
    totals = compliance_totals(Employee.objects.all(), course_ids=[course.pk], today=TODAY)
    # Eight people have the course assigned; three of them hold a certificate that vouches.
    assert (totals.by_course[course.pk].required, totals.by_course[course.pk].compliant) == (8, 3)
    assert totals.overall.percent == 38
    by_department = dict(totals.by_department)
    assert (by_department["Sales"].required, by_department["Sales"].compliant) == (2, 1)


def test_history_rebuilds_past_months_from_dates(course):
    person = EmployeeFactory(department=DepartmentFactory(name="Returns"))
    assign(person, course, due=TODAY - 100 * DAY, completed=True, assigned_days_ago=200)
    certify(person, course, issued=TODAY - 120 * DAY)
    days, series = compliance_history(Employee.objects.all(), course_ids=[course.pk], today=TODAY)
    assert days == month_ends(TODAY) and days[-1] == TODAY and len(days) == 12
    points = series["Returns"]
    for day, value in zip(days, points, strict=True):
        if day < timezone.localdate(timezone.now() - 200 * DAY):
            assert value is None  # not yet assigned
        elif day < TODAY - 120 * DAY:
            assert value == 0  # assigned, not yet certified
        else:
            assert value == 100


def test_team_members_are_direct_and_indirect_reports():
    boss = EmployeeFactory()
    lead = EmployeeFactory(manager=boss)
    agents = [EmployeeFactory(manager=lead) for _ in range(2)]
    EmployeeFactory()  # someone else's
    assert set(team_member_ids(boss)) == {lead.pk, *(a.pk for a in agents)}
    assert set(team_member_ids(lead)) == {a.pk for a in agents}
    assert team_member_ids(agents[0]) == []


# --- the admin page ------------------------------------------------------------------

URL = "/admin/reports/compliance/"


def page(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200
    return response.content.decode()


def test_the_url_is_the_documented_one():
    assert reverse("learning_compliance") == URL


def test_hr_sees_people_courses_cells_and_legend(client, hr_user, everyone):
    client.force_login(hr_user)
    html = page(client)
    assert "Refunds Done Right" in html and "Refunds 1.0" in html
    assert "Current on v1.0" in html and "Overdue since" in html
    assert "What the cells mean" in html and "Older version, due" in html
    assert "38% compliant" in html
    assert "Revoked" in html and "not assigned again: HR assigns it if still needed" in html
    assert "compliance by department, last 12 months".lower() in html.lower()
    assert "<svg" in html and "The chart as a table" in html


def test_filters_narrow_the_rows(client, hr_user, everyone):
    Employee.objects.filter(user__last_name="overdue").update(
        department=DepartmentFactory(name="Night shift")
    )
    client.force_login(hr_user)
    night = Employee.objects.get(user__last_name="overdue").department
    html = page(client, department=night.pk)
    assert "Overdue since" in html and "Current on v1.0" not in html
    html = page(client, status=ComplianceStatus.EXPIRED)
    assert "Expired " in html and "In progress, due" not in html


def test_search_by_name_or_number(client, hr_user, everyone):
    client.force_login(hr_user)
    person = everyone[ComplianceStatus.IN_PROGRESS]
    html = page(client, q=person.employee_number)
    assert "In progress, due" in html and "Overdue since" not in html
    html = page(client, q=f"{person.user.first_name} in_progress")
    assert "In progress, due" in html and "Overdue since" not in html


def test_unknown_filter_values_are_ignored_with_a_notice(client, hr_user, everyone):
    client.force_login(hr_user)
    html = page(client, department="999999", status="sideways", course="nope")
    assert "Ignored 3 filters" in html
    assert "Current on v1.0" in html and "Overdue since" in html


def test_course_and_policy_filters_choose_the_columns(client, hr_user, everyone, course):
    other = make_course("Phone Manner")
    assign(everyone[ComplianceStatus.CURRENT], other, due=TODAY + 5 * DAY)
    client.force_login(hr_user)
    assert "Phone Manner" in page(client)
    assert page(client).count("Phone Manner") == 2  # a column, and a choice of filter
    assert page(client, course=course.pk).count("Phone Manner") == 1
    policy = course.policy_pins.get().version.policy
    html = page(client, policy=policy.pk)
    assert html.count("Phone Manner") == 1 and "Refunds 1.0" in html


def test_empty_states(client, hr_user):
    client.force_login(hr_user)
    assert "There are no active staff yet" in page(client)
    EmployeeFactory()
    assert "No course has been assigned to anyone yet" in page(client)


def export(client, fmt, **params):
    response = client.get(URL, {"export": fmt, **params})
    assert response.status_code == 200
    if fmt == "csv":
        return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_read_back_with_every_cell(client, hr_user, everyone, fmt):
    client.force_login(hr_user)
    header, *rows = export(client, fmt)
    assert header[:2] == ["Employee number", "Name"] and header[-1] == "Refunds Done Right"
    assert len(rows) == len(ComplianceStatus)
    by_number = {row[0]: row for row in rows}
    current = everyone[ComplianceStatus.CURRENT]
    assert by_number[current.employee_number][-1] == "Current on v1.0"
    entry = ModelLogEntry.objects.get(action="learning.export")
    assert entry.user == hr_user and entry.data["format"] == fmt


def test_csv_neutralises_names_that_look_like_formulas(client, hr_user, course):
    person = EmployeeFactory(user__first_name="=HYPERLINK(1)", user__last_name="-2+3")
    assign(person, course, due=TODAY + 5 * DAY)
    client.force_login(hr_user)
    _, row = export(client, "csv")
    assert row[1].startswith("'=HYPERLINK(1)")
    _, row = export(client, "xlsx")
    assert row[1].startswith("=HYPERLINK(1)")  # a text cell, never a formula


def test_an_empty_filter_exports_headers_only(client, hr_user, everyone):
    client.force_login(hr_user)
    assert len(export(client, "csv", q="nobody-is-called-this")) == 1
    assert len(export(client, "xlsx", q="nobody-is-called-this")) == 1


@pytest.mark.parametrize("role", ["trainer", "manager", "learner"])
@pytest.mark.parametrize("params", [{}, {"export": "csv"}, {"export": "xlsx"}])
def test_everyone_but_hr_is_refused(client, everyone, role, params, request):
    client.force_login(request.getfixturevalue(role))
    assert client.get(URL, params).status_code == 403
    assert client.get(reverse("learning_compliance_results")).status_code == 403
    assert not ModelLogEntry.objects.filter(action="learning.export").exists()


def test_signed_out_people_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "login" in response["Location"]


def organisation(size, courses):
    departments = [DepartmentFactory(name=f"Team {n}") for n in range(3)]
    people = [EmployeeFactory(department=departments[n % 3]) for n in range(size)]
    for course in courses:
        for n, person in enumerate(people):
            assignment = assign(person, course, due=TODAY + (n % 5 - 2) * DAY, completed=n % 3 == 0)
            if assignment.completed_at:
                certify(person, course)


def test_query_count_does_not_grow_with_people_or_courses(
    client, hr_user, django_assert_num_queries, django_assert_max_num_queries
):
    small = [refunds_course()[0]]
    organisation(4, small)
    client.force_login(hr_user)
    cache.clear()  # totals and chart (and the site's settings) worked out afresh
    with django_assert_max_num_queries(80) as cold:
        page(client)
    cold_queries = len(cold.captured_queries)  # before the next request clears the log
    with django_assert_max_num_queries(60) as few:
        page(client)
    queries = len(few.captured_queries)
    Employee.objects.all().delete()
    more = [make_course(f"Course {n}") for n in range(3)]
    organisation(50, [*small, *more])
    page(client)
    cache.clear()
    with django_assert_num_queries(cold_queries):
        page(client)
    with django_assert_num_queries(queries):
        html = page(client)
    assert html.count('class="compliance-cell ') >= 50 * 4


SHOWN = f"{TODAY.day} {TODAY:%b %Y}"


@pytest.mark.parametrize(
    ("cell", "label", "detail"),
    [
        (Cell(ComplianceStatus.OVERDUE, TODAY), "Overdue", f"since {SHOWN}"),
        (Cell(ComplianceStatus.IN_PROGRESS, TODAY), "In progress", f"due {SHOWN}"),
        (Cell(ComplianceStatus.EXPIRED, TODAY), "Expired", f"on {SHOWN}"),
        (Cell(ComplianceStatus.CURRENT, versions="v1.0"), "Current", "on v1.0"),
        (
            Cell(ComplianceStatus.OLDER_VERSION, TODAY, "v1.0"),
            "Older version, due",
            f"Certified on v1.0, due by {SHOWN}",
        ),
        (Cell(ComplianceStatus.NOT_REQUIRED), "Not required", ""),
    ],
)
def test_a_cell_splits_into_a_short_badge_and_its_details(cell, label, detail):
    assert (cell.label, cell.detail) == (label, detail)


def test_the_match_count_after_a_filter_is_a_status_not_an_alerting_heading(
    client, hr_user, everyone
):
    client.force_login(hr_user)
    html = page(client, status=ComplianceStatus.OVERDUE)
    assert 'role="alert"' not in html
    status = html.index('<div class="nice-padding" role="status">')
    assert html.index("<h2>", status) < html.index("There is 1 match", status)
