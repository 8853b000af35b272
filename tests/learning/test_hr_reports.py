"""HR's other reports (overdue and due soon, certificates expiring, recertification
progress, assessment results) on known data with a frozen clock; their filters, exports
and permissions; and the audit trail every HR action and certificate event leaves."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from wagtail.models import ModelLogEntry

from assessments.choices import AssessmentMode
from assessments.models import Attempt
from assessments.services import attempt_save, attempt_start, attempt_submit, served_items
from certificates.choices import CertificateStatus
from certificates.models import Certificate
from certificates.services import certificate_issue, certificate_reissue, certificate_revoke
from cms.choices import ChangeKind
from courses.models import CoursePage
from learning.choices import AssignmentReason
from learning.hr_reports import RECERTIFICATION_LISTS
from learning.models import Assignment
from learning.recertification import recertification_fan_out, recertification_sweep
from learning.services import assignment_delete, assignments_create, module_open
from tests.assessments.attempt_helpers import form
from tests.assessments.factories import SAMPLES, make_assessment, make_question
from tests.cms.factories import DEFAULT_SECTIONS, publish_policy, revise, section
from tests.courses.factories import make_course, refunds_course
from tests.learning.factories import DepartmentFactory, EmployeeFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 10, 12, 0, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 3, 10)
HOSTILE = '=HYPERLINK("http://evil.example","x")'

REPORTS = {
    "overdue": "learning_overdue_report",
    "expiring-certificates": "learning_expiring_certificates_report",
    "recertification": "learning_recertification_report",
    "assessment-results": "learning_assessment_results_report",
}


@pytest.fixture
def frozen(monkeypatch):
    """The clock stands at NOW for the services, the views and the audit log."""
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    return TODAY


@pytest.fixture
def course(frozen):
    course, _ = refunds_course(certificate_validity_months=12)
    return course


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def person(first="Ada", last="Lovelace", **fields):
    user = UserFactory(first_name=first, last_name=last)
    return EmployeeFactory(user=user, **fields)


def assign(employee, course, due, **fields):
    return Assignment.objects.create(
        employee=employee,
        course=course,
        reason=fields.pop("reason", AssignmentReason.MANUAL),
        assigned_at=NOW - datetime.timedelta(days=30),
        due_date=due,
        **fields,
    )


def page(client, report, **params):
    response = client.get(reverse(REPORTS[report]), params)
    assert response.status_code == 200
    return response.content.decode()


def exported(client, report, fmt, **params) -> list[list[str]]:
    """The export read back as rows of strings, headings first."""
    response = client.get(reverse(REPORTS[report]), {**params, "export": fmt})
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if fmt == "csv":
        return list(csv.reader(io.StringIO(body.decode())))
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]


# --- overdue and due soon -----------------------------------------------------------------


@pytest.fixture
def training(course):
    boss = person("Grace", "Hopper")
    support = DepartmentFactory(name="Support")
    ada = person("Ada", "Lovelace", department=support, manager=boss)
    bob = person("Bob", "Baker")
    carol = person("Carol", "Cole")
    done = person("Dan", "Done")
    gone = person("Eve", "Gone", active=False)
    assign(ada, course, days(-3))
    assign(bob, course, days(5), started_at=NOW)
    assign(carol, course, days(20))
    assign(done, course, days(-10), completed_at=NOW)
    assign(gone, course, days(-10))
    return {"ada": ada, "bob": bob, "carol": carol, "support": support}


def test_overdue_report_lists_open_training_overdue_or_due_within_14_days(
    client, hr_user, training
):
    client.force_login(hr_user)
    html = page(client, "overdue")
    assert "Ada Lovelace" in html and "Bob Baker" in html
    assert "Carol Cole" not in html  # due in 20 days
    assert "Dan Done" not in html  # completed
    assert "Eve Gone" not in html  # no longer active
    assert "3 days overdue" in html and "5 days left" in html
    assert "Grace Hopper" in html  # Ada's manager
    assert "due within 14 days, as of 10 Mar 2026" in html

    rows = exported(client, "overdue", "csv")
    assert rows[0] == [
        "Person",
        "Employee number",
        "Department",
        "Manager",
        "Course",
        "Reason",
        "Due",
        "Status",
        "Days overdue",
        "Days left",
    ]
    ada = training["ada"]
    assert rows[1] == [
        "Ada Lovelace",
        ada.employee_number,
        "Support",
        "Grace Hopper",
        "Refunds Done Right",
        "Assigned by HR",
        "2026-03-07",
        "Overdue",
        "3",
        "",
    ]
    assert rows[2][0] == "Bob Baker" and rows[2][7:] == ["In progress", "", "5"]
    assert len(rows) == 3


def test_overdue_report_filters(client, hr_user, training):
    client.force_login(hr_user)
    wider = page(client, "overdue", within_days=30)
    assert "Carol Cole" in wider and "20 days left" in wider
    only_overdue = page(client, "overdue", status="overdue")
    assert "Ada Lovelace" in only_overdue and "Bob Baker" not in only_overdue
    due_soon = page(client, "overdue", status="due_soon")
    assert "Bob Baker" in due_soon and "Ada Lovelace" not in due_soon
    support = page(client, "overdue", department=training["support"].pk)
    assert "Ada Lovelace" in support and "Bob Baker" not in support
    searched = page(client, "overdue", q="baker")
    assert "Bob Baker" in searched and "Ada Lovelace" not in searched
    by_number = page(client, "overdue", q=training["ada"].employee_number)
    assert "Ada Lovelace" in by_number and "Bob Baker" not in by_number


def test_unknown_filter_values_are_ignored_with_a_notice(client, hr_user, training):
    client.force_login(hr_user)
    html = page(client, "overdue", department="999999", within_days="soon", status="late")
    assert "Ignored 3 filters with a value that is not among the choices" in html
    assert "Ada Lovelace" in html and "Bob Baker" in html  # the defaults apply
    html = page(client, "expiring-certificates", expires_on_after="someday", course="x")
    assert "Ignored 2 filters" in html
    html = page(client, "recertification", policy="0", department="nope")
    assert "Ignored 2 filters" in html
    html = page(client, "assessment-results", course="-1", submitted_before="31/31/2026")
    assert "Ignored 2 filters" in html
    rows = exported(client, "overdue", "csv", department="999999")
    assert len(rows) == 3  # the export ignores it too


def test_a_period_starting_at_the_end_of_the_calendar_is_empty_not_an_error(
    client, hr_user, training
):
    client.force_login(hr_user)
    html = page(client, "expiring-certificates", expires_on_after="9999-12-31")
    assert "Ada Lovelace" not in html


def test_overdue_export_neutralises_formula_names(client, hr_user, course):
    assign(person(HOSTILE, "Evil"), course, days(-1))
    client.force_login(hr_user)
    [_, row] = exported(client, "overdue", "csv")
    assert row[0] == f"'{HOSTILE} Evil"
    [_, row] = exported(client, "overdue", "xlsx")
    assert row[0] == f"{HOSTILE} Evil"  # stored as text, never as a formula


# --- certificates expiring -----------------------------------------------------------------


@pytest.fixture
def certificates(course):
    support = DepartmentFactory(name="Support")
    soon = person("Sam", "Soon", department=support)
    later = person("Lou", "Later")
    revoked = person("Rita", "Revoked")
    old = certificate_issue(user=soon.user, course=course, today=datetime.date(2025, 3, 20))
    assign(soon, course, datetime.date(2026, 3, 20), reason=AssignmentReason.RECERTIFICATION)
    late = certificate_issue(user=later.user, course=course, today=datetime.date(2025, 5, 1))
    gone = certificate_issue(user=revoked.user, course=course, today=datetime.date(2025, 3, 25))
    certificate_revoke(certificate_id=gone.pk, reason="Issued in error", actor=None)
    return {"soon": old, "later": late, "revoked": gone, "support": support}


def test_expiring_certificates_in_the_next_30_days_by_default(client, hr_user, certificates):
    client.force_login(hr_user)
    soon, later = certificates["soon"], certificates["later"]
    html = page(client, "expiring-certificates")
    assert soon.serial in html
    assert later.serial not in html  # expires 1 May
    assert certificates["revoked"].serial not in html
    assert "Assigned, due 20 Mar 2026" in html
    assert "between 10 Mar 2026 and 09 Apr 2026" in html

    rows = exported(client, "expiring-certificates", "csv")
    assert rows == [
        [
            "Serial",
            "Person",
            "Employee number",
            "Department",
            "Course",
            "Policy versions",
            "Expires on",
            "Status today",
            "Renewal assigned",
            "Renewal due",
        ],
        [
            soon.serial,
            "Sam Soon",
            soon.user.employee.employee_number,
            "Support",
            "Refunds Done Right",
            "Refunds 1.0",
            "2026-03-20",
            "Valid",
            "Yes",
            "2026-03-20",
        ],
    ]


def test_expiring_certificates_filters(client, hr_user, certificates, course):
    client.force_login(hr_user)
    soon, later = certificates["soon"], certificates["later"]
    period = {"expires_on_after": "2026-04-01", "expires_on_before": "2026-05-31"}
    html = page(client, "expiring-certificates", **period)
    assert later.serial in html and soon.serial not in html
    assert "Not assigned" in html
    both = page(client, "expiring-certificates", expires_on_before="2026-05-31")
    assert later.serial in both and soon.serial in both
    no_renewal = page(
        client, "expiring-certificates", expires_on_before="2026-05-31", renewal="none"
    )
    assert later.serial in no_renewal and soon.serial not in no_renewal
    support = page(
        client,
        "expiring-certificates",
        expires_on_before="2026-05-31",
        department=certificates["support"].pk,
    )
    assert soon.serial in support and later.serial not in support
    other = make_course("Complaints")
    assert soon.serial not in page(client, "expiring-certificates", course=other.pk)
    backwards = page(
        client,
        "expiring-certificates",
        expires_on_after="2026-05-01",
        expires_on_before="2026-04-01",
    )
    assert "The period ends before it starts" in backwards


def test_an_empty_filter_exports_headings_only(client, hr_user, certificates):
    client.force_login(hr_user)
    for fmt in ("csv", "xlsx"):
        rows = exported(client, "expiring-certificates", fmt, q="nobody-by-this-name")
        assert len(rows) == 1 and rows[0][0] == "Serial"
    html = page(client, "expiring-certificates", q="nobody-by-this-name")
    assert "No certificate expiring in that period matches these filters." in html


# --- recertification progress ---------------------------------------------------------------


@pytest.fixture
def recertification(frozen):
    course, policy = refunds_course(certificate_validity_months=24)
    support = DepartmentFactory(name="Support")
    people = [person(f"P{i}", "Cert", department=support if i < 2 else None) for i in range(4)]
    for employee in people:
        certificate_issue(user=employee.user, course=course, today=datetime.date(2026, 1, 5))
    revise(
        policy,
        kind=ChangeKind.MATERIAL,
        summary="Returns window extended to 45 days.",
        days=30,
        sections=[
            section("returns-window", "The returns window", "Within 45 days."),
            *DEFAULT_SECTIONS[1:],
        ],
    )
    version = policy.versions.newest_first().first()
    recertification_fan_out(version_id=version.pk)
    made = Assignment.objects.filter(policy_version=version).order_by("employee_id")
    assert made.count() == 4
    Assignment.objects.filter(pk=made[0].pk).update(completed_at=NOW)
    Assignment.objects.filter(pk__in=[made[1].pk, made[2].pk]).update(due_date=days(-1))
    return version, support


def test_recertification_progress_per_material_version(client, hr_user, recertification):
    _, support = recertification
    client.force_login(hr_user)
    html = page(client, "recertification")
    assert "Refunds" in html and "2.0" in html
    rows = exported(client, "recertification", "csv")
    assert rows[0] == [
        "Policy",
        "Version",
        "Effective",
        "Due from",
        "People affected",
        "Waiting for course update",
        "Open",
        "In progress",
        "Done",
        "Overdue",
        "Done %",
        "Fan-out",
    ]
    assert rows[1] == [
        "Refunds",
        "2.0",
        "2026-03-10",
        "2026-04-09",
        "4",
        "3",  # the course still teaches 1.0
        "0",
        "0",
        "1",
        "2",
        "25",
        "Reached everyone",
    ]
    assert len(rows) == 2  # version 1.0 started nothing
    in_support = exported(client, "recertification", "csv", department=support.pk)
    assert in_support[1][4:11] == ["2", "1", "0", "0", "1", "1", "50"]


def test_recertification_report_says_when_there_is_nothing_yet(client, hr_user, course):
    client.force_login(hr_user)
    html = page(client, "recertification")
    assert "No policy has had a material revision yet" in html
    rows = exported(client, "recertification", "xlsx")
    assert rows == [rows[0]] and rows[0][0] == "Policy"


# --- assessment results ----------------------------------------------------------------------


def sit(user, assessment, *, right: bool):
    attempt = attempt_start(user=user, assessment=assessment)
    item = served_items(attempt)[0]
    answer = SAMPLES["single_choice"][1 if right else 2]
    attempt_save(attempt=attempt, sequence=0, data=form((item, answer)), positions=[1])
    return attempt_submit(attempt=attempt)


@pytest.fixture
def results(course):
    question = make_question("single_choice", SAMPLES["single_choice"][0], title="Window")
    assessment = make_assessment([question], title="Refunds final", attempts_allowed=5)
    CoursePage.objects.filter(pk=course.pk).update(assessment=assessment)
    ada, bob, cy = (person(name, "Sitter") for name in ("Ada", "Bob", "Cy"))
    sit(ada.user, assessment, right=False)
    sit(ada.user, assessment, right=True)
    sit(bob.user, assessment, right=True)
    practice = sit(cy.user, assessment, right=True)
    Attempt.objects.filter(pk=practice.pk).update(mode=AssessmentMode.PRACTICE)
    make_course("No assessment")
    return assessment, ada


def test_assessment_results_per_course(client, hr_user, results):
    client.force_login(hr_user)
    html = page(client, "assessment-results")
    assert "Refunds final" in html and "No assessment" not in html
    rows = exported(client, "assessment-results", "csv")
    assert rows[0] == [
        "Course",
        "Final assessment",
        "Attempts",
        "Awaiting grading",
        "People",
        "People passed",
        "Pass rate %",
        "Average score %",
        "Last attempt",
    ]
    # Three certifying attempts by two people, two passed; Cy's practice is left out.
    assert rows[1] == [
        "Refunds Done Right",
        "Refunds final",
        "3",
        "0",
        "2",
        "2",
        "67",
        "67",
        "2026-03-10",
    ]
    assert len(rows) == 2


def test_assessment_results_filters(client, hr_user, results):
    _, ada = results
    client.force_login(hr_user)
    later = exported(client, "assessment-results", "csv", submitted_after="2026-03-11")
    assert later[1][2:] == ["0", "0", "0", "0", "", "", ""]
    support = DepartmentFactory(name="Support team")
    type(ada).objects.filter(pk=ada.pk).update(department=support)
    mine = exported(client, "assessment-results", "csv", department=support.pk)
    assert mine[1][2:6] == ["2", "0", "1", "1"]
    assert mine[1][6] == "50"


# --- permissions and query counts ----------------------------------------------------------


@pytest.mark.parametrize("role", ["trainer", "manager", "learner"])
@pytest.mark.parametrize("report", list(REPORTS))
def test_everyone_but_hr_is_refused(client, role, report, request):
    client.force_login(request.getfixturevalue(role))
    url = reverse(REPORTS[report])
    assert client.get(url).status_code == 403
    assert client.get(url + "results/").status_code == 403
    for fmt in ("csv", "xlsx"):
        assert client.get(url, {"export": fmt}).status_code == 403
    assert not ModelLogEntry.objects.filter(action="learning.export").exists()


def test_hr_sees_the_reports_in_the_reports_menu(client, hr_user, trainer):
    client.force_login(hr_user)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    for name in REPORTS.values():
        assert reverse(name) in html
    client.force_login(trainer)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert not any(reverse(name) in html for name in REPORTS.values())


def test_the_results_only_url_serves_the_filtered_table(client, hr_user, training):
    client.force_login(hr_user)
    response = client.get(reverse("learning_overdue_report_results"), {"status": "overdue"})
    html = response.content.decode()
    assert response.status_code == 200 and "Ada Lovelace" in html and "Bob Baker" not in html
    assert "<html" not in html


def _grow(report, size, course):
    """``size`` rows for ``report``."""
    if report == "overdue":
        for _ in range(size):
            assign(person(manager=person("Boss", "B")), course, days(-2))
    elif report == "expiring-certificates":
        for _ in range(size):
            employee = person()
            certificate_issue(user=employee.user, course=course, today=datetime.date(2025, 3, 20))
            assign(employee, course, days(10))
    elif report == "recertification":
        for index in range(size):
            policy = publish_policy(title=f"Policy {index}")
            revise(policy, kind=ChangeKind.MATERIAL, days=30, sections=DEFAULT_SECTIONS[1:])
    else:
        for index in range(size):
            other = make_course(f"Course {index}")
            question = make_question("single_choice", SAMPLES["single_choice"][0])
            assessment = make_assessment([question], title=f"Final {index}")
            CoursePage.objects.filter(pk=other.pk).update(assessment=assessment)
            sit(person().user, assessment, right=True)


@pytest.mark.parametrize("report", list(REPORTS))
@pytest.mark.parametrize("size", [2, 12])
def test_query_count_does_not_grow_with_rows(
    client, hr_user, course, report, size, django_assert_max_num_queries
):
    _grow(report, size, course)
    client.force_login(hr_user)
    url = reverse(REPORTS[report])
    params = {"expires_on_before": "2026-12-31"} if report == "expiring-certificates" else {}
    # The recertification report also reads its fan-outs' jobs and audit entries; every
    # admin page asks once whether the user may edit any course, for the Reports menu.
    with django_assert_max_num_queries(16 + (2 if report == "recertification" else 0)):
        response = client.get(url, params)
    assert response.status_code == 200
    with django_assert_max_num_queries(10 + (3 if report == "recertification" else 0)):
        rows = exported(client, report, "csv", **params)
    assert len(rows) == size + 1


# --- exports are logged ---------------------------------------------------------------------


@pytest.mark.parametrize("report", list(REPORTS))
def test_every_export_is_logged_with_who_when_and_what(client, hr_user, course, report):
    client.force_login(hr_user)
    for fmt in ("csv", "xlsx"):
        exported(client, report, fmt)
    entries = ModelLogEntry.objects.filter(action="learning.export").order_by("pk")
    assert [entry.data for entry in entries] == [
        {"report": report, "format": "csv"},
        {"report": report, "format": "xlsx"},
    ]
    assert {(entry.user_id, entry.object_id, entry.timestamp) for entry in entries} == {
        (hr_user.pk, str(hr_user.pk), NOW)
    }


# --- the audit trail of HR actions and certificate events -----------------------------------


def history(client, name, pk) -> str:
    response = client.get(reverse(name, args=[pk]))
    assert response.status_code == 200
    return response.content.decode()


def entry(action, **filters):
    found = ModelLogEntry.objects.get(action=action, **filters)
    assert found.timestamp == NOW
    return found


def test_assign_and_unassign_are_logged_and_in_the_history(client, hr_user, course):
    employee = person()
    [assignment] = assignments_create(employees=[employee], course=course, actor=hr_user)
    assert entry("learning.assign").user == hr_user
    client.force_login(hr_user)
    html = history(client, "learning_assignments:history", assignment.pk)
    assert "Course assigned" in html and hr_user.get_full_name() in html
    assignment_id = assignment.pk
    assignment_delete(assignment=assignment, actor=hr_user)
    unassigned = entry("learning.unassign")
    assert (unassigned.user, unassigned.object_id) == (hr_user, str(assignment_id))


def test_revoke_reissue_and_issue_are_logged_and_in_the_history(client, hr_user, course):
    holder = person()
    first = certificate_issue(user=holder.user, course=course, actor=holder.user)
    assert entry("certificates.issue", object_id=str(first.pk)).user == holder.user
    second = certificate_reissue(certificate_id=first.pk, reason="Name fixed", actor=hr_user)
    assert entry("certificates.reissue").user == hr_user
    assert entry("certificates.supersede", object_id=str(first.pk)).user == hr_user
    certificate_revoke(certificate_id=second.pk, reason="Error", actor=hr_user)
    assert entry("certificates.revoke").user == hr_user
    client.force_login(hr_user)
    old = history(client, "learning_certificates:history", first.pk)
    assert "Certificate issued" in old and "Certificate superseded" in old
    new = history(client, "learning_certificates:history", second.pk)
    assert "Certificate reissued" in new and "Certificate revoked" in new


def test_the_sweep_logs_each_certificate_it_expires(client, hr_user, course):
    lapsed = certificate_issue(user=person().user, course=course, today=datetime.date(2025, 3, 1))
    current = certificate_issue(user=person().user, course=course)
    recertification_sweep(today=TODAY)
    lapsed.refresh_from_db()
    assert lapsed.status == CertificateStatus.EXPIRED
    expired = entry("certificates.expire")
    assert expired.object_id == str(lapsed.pk) and expired.data == {"on": "2026-03-10"}
    assert not ModelLogEntry.objects.filter(
        action="certificates.expire", object_id=str(current.pk)
    ).exists()
    recertification_sweep(today=TODAY)  # nothing new to write down
    assert ModelLogEntry.objects.filter(action="certificates.expire").count() == 1
    client.force_login(hr_user)
    assert "Certificate expired" in history(client, "learning_certificates:history", lapsed.pk)


def test_a_material_version_logs_each_certificate_it_makes_due(client, hr_user, recertification):
    entries = ModelLogEntry.objects.filter(action="certificates.recertification_due")
    assert entries.count() == 4
    assert {e.data["version"] for e in entries} == {"Refunds 2.0"}
    certificate = Certificate.objects.filter(status=CertificateStatus.RECERTIFICATION_DUE).first()
    client.force_login(hr_user)
    html = history(client, "learning_certificates:history", certificate.pk)
    assert "Recertification due on a new policy version" in html


@pytest.mark.parametrize(
    ("listing", "name"),
    [
        ("learning_certificates:index", "certificates"),
        ("employees:index", "employees"),
        ("learning_assignments:index", "assignments"),
    ],
)
def test_admin_listing_exports_are_logged(client, hr_user, course, listing, name):
    certificate_issue(user=person().user, course=course)
    client.force_login(hr_user)
    for fmt in ("csv", "xlsx"):
        response = client.get(reverse(listing), {"export": fmt})
        assert response.status_code == 200
    entries = ModelLogEntry.objects.filter(action="learning.export", user=hr_user)
    assert sorted(e.data["format"] for e in entries) == ["csv", "xlsx"]
    assert {e.data["report"] for e in entries} == {name}


def test_exports_appear_in_the_site_history(client, admin_user, hr_user, course):
    client.force_login(hr_user)
    exported(client, "overdue", "csv")
    client.force_login(admin_user)
    response = client.get(reverse("wagtailadmin_reports:site_history"))
    assert "Report exported" in response.content.decode()


# --- who is behind each recertification count -------------------------------------------------


def people(client, version, **params):
    url = reverse("learning_recertification_people", args=[version.pk])
    return client.get(url, params)


def test_each_recertification_count_links_to_the_people_it_counts(client, hr_user, recertification):
    version, support = recertification
    client.force_login(hr_user)

    html = page(client, "recertification")

    base = reverse("learning_recertification_people", args=[version.pk])
    for show, count in (("affected", 4), ("waiting", 3), ("done", 1), ("overdue", 2)):
        assert f'<a href="{base}?show={show}">{count}</a>' in html
    assert f"{base}?show=open" not in html  # nobody to list behind a zero
    assert "25%" in html
    # Dates as the rest of the admin writes them.
    assert "10 Mar 2026" in html and "9 Apr 2026" in html and "09 Apr 2026" not in html
    in_support = page(client, "recertification", department=support.pk)
    assert f'{base}?show=overdue&amp;department={support.pk}">1</a>' in in_support


@pytest.mark.parametrize(
    "show, names",
    [
        ("affected", ["P0", "P1", "P2", "P3"]),
        ("done", ["P0"]),
        ("outstanding", ["P1", "P2", "P3"]),
        ("waiting", ["P1", "P2", "P3"]),
        ("open", []),
        ("overdue", ["P1", "P2"]),
    ],
)
def test_hr_sees_who_a_revision_affected(client, hr_user, recertification, show, names):
    version, _ = recertification
    client.force_login(hr_user)

    response = people(client, version, show=show)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Recertification: Refunds 2.0" in html
    listed = [f"P{i}" for i in range(4) if f"P{i} Cert" in html]
    assert listed == names
    label = RECERTIFICATION_LISTS[show].lower().capitalize()
    count = f"{len(names)} {'person' if len(names) == 1 else 'people'}"
    if names:
        assert f"{label}: {count}</caption>" in html
    else:
        assert "Nobody on this version is in the list" in html
    for assignment in Assignment.objects.filter(
        policy_version=version, employee__user__first_name__in=names
    ):
        record = reverse("learning_employee_record", args=[assignment.employee_id])
        assert f'href="{record}"' in html
    if show == "overdue":
        assert html.count(">Overdue</td>") == 2 and "9 Mar 2026" in html
    if show == "waiting":
        assert html.count(">Waiting for course update</td>") == 1  # P3; the others are late
        assert ">30 days after it opens</td>" in html
    if show == "done":
        assert ">Completed</td>" in html and "10 Mar 2026" in html


def test_the_people_list_keeps_the_department_chosen_on_the_report(
    client, hr_user, recertification
):
    version, support = recertification
    client.force_login(hr_user)

    html = people(client, version, show="affected", department=support.pk).content.decode()

    assert "P0 Cert" in html and "P1 Cert" in html
    assert "P2 Cert" not in html and "P3 Cert" not in html
    assert "People in Support only." in html


@pytest.mark.parametrize(
    "params",
    [
        {"show": "everyone"},
        {"show": "overdue", "department": "nope"},
        {"department": "99999"},
        {"department": "\u00b2"},  # a digit to str.isdigit, not to int()
    ],
)
def test_a_bad_people_list_is_not_found(client, hr_user, recertification, params):
    version, _ = recertification
    client.force_login(hr_user)
    assert people(client, version, **params).status_code == 404


def test_a_version_that_asked_nobody_to_recertify_has_no_people_list(
    client, hr_user, recertification
):
    version, _ = recertification
    client.force_login(hr_user)
    earlier = version.policy.versions.exclude(pk=version.pk).get()
    assert people(client, earlier).status_code == 404
    url = reverse("learning_recertification_people", args=[99999])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("role", ["trainer", "manager", "learner"])
def test_only_hr_sees_who_a_revision_affected(client, role, request, recertification):
    version, _ = recertification
    client.force_login(request.getfixturevalue(role))
    response = people(client, version, show="affected")
    assert response.status_code == 403
    assert "P0 Cert" not in response.content.decode()


def test_signed_out_visitors_are_sent_to_sign_in_for_the_people_list(client, recertification):
    version, _ = recertification
    response = people(client, version)
    assert response.status_code == 302


@pytest.mark.parametrize("size", [2, 12])
def test_the_people_list_costs_the_same_queries_for_few_or_many(
    client, hr_user, recertification, size, django_assert_max_num_queries
):
    version, _ = recertification
    course = Assignment.objects.filter(policy_version=version).first().course
    for index in range(size):
        employee = person(f"Extra{index}", "More", department=DepartmentFactory())
        assign(employee, course, days(3), policy_version=version)
    client.force_login(hr_user)
    with django_assert_max_num_queries(16):
        response = people(client, version, show="waiting")
    assert response.status_code == 200
    assert response.content.decode().count("More</a>") == size


def test_republishing_moves_the_waiting_to_open_and_in_progress(
    client, hr_user, recertification, django_capture_on_commit_callbacks
):
    version, _ = recertification
    waiting = Assignment.objects.filter(policy_version=version, completed_at__isnull=True)
    course = waiting.first().course
    with django_capture_on_commit_callbacks(execute=True):
        course.save_revision().publish()  # the course now teaches 2.0
    starter = waiting.order_by("employee_id").last()  # P3, not overdue
    module_open(user=starter.employee.user, course=course, module=course.get_modules()[0])
    client.force_login(hr_user)
    rows = exported(client, "recertification", "csv")
    assert rows[1][4:10] == ["4", "0", "2", "1", "1", "2"]
    html = people(client, version, show="in_progress").content.decode()
    assert "P3 Cert" in html and ">In progress</td>" in html
    html = people(client, version, show="open").content.decode()
    assert "P1 Cert" in html and "P2 Cert" in html and "P3 Cert" not in html


def test_the_report_shows_the_fan_out_job_and_links_to_it(
    client, hr_user, course, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    policy = course.policies.get()
    with django_capture_on_commit_callbacks(execute=True):
        revise(policy, kind=ChangeKind.MATERIAL, days=30, sections=DEFAULT_SECTIONS[1:])
    job = DBTaskResult.objects.get(task_path="learning.tasks.recertify_after_policy_change")
    client.force_login(hr_user)
    html = page(client, "recertification")
    assert f'<a href="{reverse("learning_job", args=[job.pk])}">Queued</a>' in html
    DBTaskResult.objects.filter(pk=job.pk).update(status=TaskResultStatus.FAILED)
    assert "Failed: see the job" in page(client, "recertification")
