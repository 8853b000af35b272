"""HR's employee record: one person's whole training on one page, as a PDF evidence pack
and as JSON, each stamped and logged; nobody but HR gets in, and the query count does
not grow with the person's history."""

import datetime
import io
import json

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader
from wagtail.models import ModelLogEntry

from assessments.choices import AttemptStatus
from assessments.models import AttemptItem
from assessments.services import attempt_save, attempt_start, attempt_submit, served_items
from certificates.services import certificate_issue, certificate_render
from cms.services import policy_acknowledge
from courses.models import CoursePage
from learning.choices import AssignmentReason
from learning.evidence import employee_record
from learning.models import Employee, ModuleProgress
from learning.reminders import reminders_claim, reminders_deliver
from learning.services import scenario_run_choose, scenario_run_start
from tests.assessments.attempt_helpers import form
from tests.assessments.factories import SAMPLES, make_assessment, make_question
from tests.cms.factories import publish_policy
from tests.courses.factories import make_course, make_scenario, refund_steps, text
from tests.learning.factories import EmployeeFactory
from tests.learning.test_course_player import assign

pytestmark = pytest.mark.django_db

RIGHT = "Refund within 45 days"
WRONG = "Store credit only"


def url(name, employee_pk):
    return reverse(f"learning_employee_{name}", args=[employee_pk])


def pdf_text(data: bytes) -> str:
    return " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages
    )


def single_choice_question():
    value, _, _ = SAMPLES["single_choice"]
    return make_question("single_choice", value, title="Refund window", bank="Evidence")


def sit(user, assessment, *, answer, submit=True, versions=()):
    attempt = attempt_start(user=user, assessment=assessment, policy_versions=versions)
    items = served_items(attempt)
    attempt_save(
        attempt=attempt,
        sequence=attempt.save_sequence,
        data=form(*[(item, answer) for item in items]),
        positions=[item.position for item in items],
    )
    if submit:
        attempt = attempt_submit(attempt=attempt)
    return attempt


def play_best(user, course, scenario):
    """Play the refund role-play on its best route: sympathise, then offer credit."""
    run = scenario_run_start(user=user, course=course, scenario=scenario, mode="practice")
    for step in ("opening", "offer"):
        choice = run.script.graph.by_key[step].choices[0]
        run = scenario_run_choose(run=run, step_key=step, turn=run.turn, choice_id=choice.id).run
    return run


def history(tag: str, count: int, *, manager=None) -> Employee:
    """A person with ``count`` of everything: courses assigned (overdue, so reminders go
    out), certificates, policy acknowledgements, graded attempts and scenario runs."""
    employee = EmployeeFactory(manager=manager)
    user = employee.user
    assessment = make_assessment([single_choice_question()], title=f"{tag} check")
    courses = []
    for index in range(count):
        policy = publish_policy(title=f"{tag} policy {index}")
        course = make_course(f"{tag} course {index}", policies=[policy])
        courses.append(course)
        assign(user, course, due_in=-3)
        certificate_issue(user=user, course=course)
        policy_acknowledge(user=user, version=policy.current_version)
    CoursePage.objects.filter(pk=courses[0].pk).update(assessment=assessment)
    scenario = make_scenario(courses[0], steps=refund_steps())
    right = SAMPLES["single_choice"][1]
    for _ in range(count):
        sit(user, assessment, answer=right)
        play_best(user, courses[0], scenario)
    return Employee.objects.with_org().get(pk=employee.pk)


@pytest.fixture
def person(make_user):
    """Ada, with one course of each kind of evidence, and a manager for the reminders."""
    boss = EmployeeFactory(user=make_user(first_name="Grace", last_name="Hopper"))
    user = make_user(first_name="Ada", last_name="Lovelace", email="ada@example.com")
    employee = EmployeeFactory(user=user, employee_number="E-ADA", manager=boss)
    policy = publish_policy(title="Refunds")
    question = single_choice_question()
    assessment = make_assessment([question], title="Refunds check")
    course = make_course("Refunds Done Right", policies=[policy], certificate_validity_months=12)
    CoursePage.objects.filter(pk=course.pk).update(assessment=assessment)
    course = CoursePage.objects.get(pk=course.pk)
    scenario = make_scenario(course, title="The late refund", steps=refund_steps())
    assign(user, course, due_in=-2)
    version = policy.current_version
    graded = sit(user, assessment, answer=SAMPLES["single_choice"][1], versions=[version])
    run = play_best(user, course, scenario)
    certificate = certificate_issue(user=user, course=course)
    certificate_render(certificate_id=certificate.pk)
    certificate.refresh_from_db()
    policy_acknowledge(user=user, version=version)
    today = timezone.localdate()
    reminders_claim(today=today)
    reminders_deliver(today=today)
    # The question is reworded after Ada sat it: the record still shows what she was served.
    question.title = "Refund window (reworded)"
    question.save()
    question.save_revision()
    return {
        "employee": employee,
        "certificate": certificate,
        "version": version,
        "graded": graded,
        "run": run,
        "served": AttemptItem.objects.get(attempt=graded),
    }


# --- the page ------------------------------------------------------------------------


def test_hr_sees_the_whole_record_on_one_page(client, hr_user, person):
    employee, certificate = person["employee"], person["certificate"]
    client.force_login(hr_user)

    response = client.get(url("record", employee.pk))

    assert response.status_code == 200
    html = response.content.decode()
    for fact in (
        "Training record: Ada Lovelace",
        "E-ADA",
        "Grace Hopper",
        # standing, as the compliance matrix has it
        "Current on v1.0",
        # assignment and progress
        "Refunds Done Right",
        "Assigned by HR",
        "Overdue",
        # certificate, its versions and hashes
        certificate.serial,
        person["version"].content_hash,
        certificate.pdf_sha256,
        f"/verify/{certificate.code}/",
        # attempt: the answer given, the right one (it was graded) and the revision served
        "Refunds check, attempt 1",
        "Question text for Refund window",
        f"revision #{person['served'].revision_id}",
        "revised since",
        RIGHT,
        "Right (100%)",
        # scenario run and its path
        "The late refund (Practice)",
        "I bought this kettle six weeks ago",
        "I can offer store credit today.",
        "Resolved: passed",
        # acknowledgement and reminders
        "Policy acknowledgements",
        "Overdue, to the learner",
        "Overdue, to their manager",
        "ada@example.com",
    ):
        assert fact in html, fact
    assert url("evidence_pdf", employee.pk) in html
    assert url("evidence_json", employee.pk) in html


def test_someone_with_no_history_sees_real_empty_states(client, hr_user):
    employee = EmployeeFactory()
    client.force_login(hr_user)
    html = client.get(url("record", employee.pk)).content.decode()
    for empty in (
        "No course is required of this person yet.",
        "Nothing has been assigned yet.",
        "No certificates yet.",
        "No assessment attempts yet.",
        "No scenario runs yet.",
        "No policy acknowledgements yet.",
        "No reminders sent yet.",
    ):
        assert empty in html, empty


def test_opening_the_page_is_not_logged(client, hr_user, person):
    client.force_login(hr_user)
    client.get(url("record", person["employee"].pk))
    assert not ModelLogEntry.objects.filter(action="learning.evidence_pack").exists()


def test_the_employees_listing_and_edit_page_link_to_the_record(client, hr_user):
    employee = EmployeeFactory()
    client.force_login(hr_user)
    record = url("record", employee.pk)
    assert record in client.get(reverse("employees:index")).content.decode()
    assert record in client.get(reverse("employees:edit", args=[employee.pk])).content.decode()


# --- the exports -------------------------------------------------------------------


def test_the_pdf_evidence_pack_holds_the_record_and_the_stamp(client, hr_user, person):
    employee, certificate = person["employee"], person["certificate"]
    client.force_login(hr_user)

    response = client.get(url("evidence_pdf", employee.pk))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="evidence-e-ada-')
    reader = PdfReader(io.BytesIO(response.content))
    text = pdf_text(response.content)
    stamp = f"Generated by {hr_user.get_full_name()} <hr@example.com> on "
    assert stamp in text
    assert timezone.localdate().strftime("%B %Y") in text
    assert reader.metadata.author.startswith(stamp)
    for fact in (
        "Ada Lovelace",
        "E-ADA",
        certificate.serial,
        "Refunds Done Right",
        RIGHT,
        "I can offer store credit today.",
        "Overdue, to their manager",
        f"revision #{person['served'].revision_id}",
    ):
        assert fact in text, fact
    # Hashes may wrap inside their table cell.
    squeezed = "".join(text.split())
    assert person["version"].content_hash in squeezed
    assert certificate.pdf_sha256 in squeezed


def test_the_json_export_is_the_record_field_by_field(client, hr_user, person):
    employee, certificate, version = person["employee"], person["certificate"], person["version"]
    served, graded, run = person["served"], person["graded"], person["run"]
    client.force_login(hr_user)
    before = timezone.now().replace(microsecond=0)

    response = client.get(url("evidence_json", employee.pk))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].endswith('.json"')
    data = json.loads(response.content)
    assert data["generated_by"] == f"{hr_user.get_full_name()} <hr@example.com>"
    generated_at = datetime.datetime.fromisoformat(data["generated_at"])
    assert before <= generated_at <= timezone.now()
    assert data["person"] == {
        "id": employee.pk,
        "employee_number": "E-ADA",
        "name": "Ada Lovelace",
        "email": "ada@example.com",
        "department": employee.department.name,
        "job_role": employee.job_role.name,
        "location": employee.location.name,
        "manager": "Grace Hopper",
        "hire_date": None,
        "active": True,
    }
    (standing,) = data["standing"]
    assert (standing["course"], standing["status"]) == ("Refunds Done Right", "current")
    assert standing["policies"] == ["Refunds 1.0"]

    (assignment,) = data["assignments"]
    assert assignment["course"] == "Refunds Done Right"
    assert assignment["reason"] == "Assigned by HR"
    assert assignment["status"] == "overdue"
    assert assignment["due_date"] == (timezone.localdate() - datetime.timedelta(days=2)).isoformat()
    assert assignment["completed_at"] is None
    assert assignment["progress_total"] == 3  # one module, one role-play, the assessment

    (entry,) = data["certificates"]
    assert entry["serial"] == certificate.serial
    assert entry["status_today"] == "valid"
    assert entry["attempt_id"] == graded.pk
    assert entry["pdf_sha256"] == certificate.pdf_sha256
    assert entry["verification_url"].endswith(f"/verify/{certificate.code}/")
    assert entry["policy_versions"] == [
        {"policy": "Refunds", "label": "1.0", "content_hash": version.content_hash}
    ]

    (attempt,) = data["attempts"]
    assert attempt["id"] == graded.pk
    assert attempt["status"] == AttemptStatus.GRADED
    assert (attempt["percent"], attempt["passed"]) == (100.0, True)
    assert attempt["policy_versions"] == ["Refunds 1.0"]
    assert attempt["answer_key_shown"] is True
    (item,) = attempt["items"]
    assert item["question"] == "Refund window"  # as served, not as reworded since
    assert item["revision_id"] == served.revision_id
    assert item["revised_since"] is True
    assert (item["given"], item["right"]) == ([RIGHT], [RIGHT])
    assert (item["state"], item["percent"]) == ("right", 100)

    (played,) = data["scenario_runs"]
    assert played["public_id"] == str(run.public_id)
    assert (played["mode"], played["outcome"], played["passed"]) == (
        "Practice",
        "resolved",
        True,
    )
    assert [(step["step"], step["reply"]) for step in played["path"]] == [
        ("opening", "I'm sorry to hear that. Let me look at what we can do."),
        ("offer", "I can offer store credit today."),
    ]
    assert [step["choice"] for step in played["path"]] == [e["choice"] for e in run.path]

    (acknowledgement,) = data["acknowledgements"]
    assert acknowledgement["policy"] == "Refunds"
    assert acknowledgement["version"] == "1.0"
    assert acknowledgement["content_hash"] == version.content_hash

    reminders = {r["kind"]: r for r in data["reminders"]}
    assert set(reminders) == {"overdue", "manager"}
    assert reminders["overdue"]["recipient"] == "ada@example.com"
    assert reminders["manager"]["recipient"] == employee.manager.email
    assert all(r["sent_at"] for r in reminders.values())
    assert len(mail.outbox) == 2


@pytest.mark.parametrize("export", ["pdf", "json"])
def test_each_export_is_in_the_audit_log(client, hr_user, person, export):
    employee = person["employee"]
    client.force_login(hr_user)
    client.get(url(f"evidence_{export}", employee.pk))
    (entry,) = ModelLogEntry.objects.filter(action="learning.evidence_pack")
    assert entry.user_id == hr_user.pk
    assert entry.object_id == str(employee.pk)
    assert entry.data == {"format": export}
    history = client.get(reverse("employees:history", args=[employee.pk])).content.decode()
    assert "Evidence pack generated" in history


def test_an_attempt_still_being_sat_shows_no_right_answers(client, hr_user, make_user):
    user = make_user(first_name="Lin", last_name="Mei")
    employee = EmployeeFactory(user=user)
    assessment = make_assessment([single_choice_question()], title="Refunds check")
    wrong = SAMPLES["single_choice"][2]
    attempt = sit(user, assessment, answer=wrong, submit=False)
    assert attempt.status == AttemptStatus.IN_PROGRESS
    client.force_login(hr_user)

    html = client.get(url("record", employee.pk)).content.decode()
    data = json.loads(client.get(url("evidence_json", employee.pk)).content)
    text = pdf_text(client.get(url("evidence_pdf", employee.pk)).content)

    assert "right answers are not shown until it is submitted" in html
    assert WRONG in html and RIGHT not in html
    assert RIGHT not in text
    (entry,) = data["attempts"]
    assert entry["answer_key_shown"] is False
    (item,) = entry["items"]
    assert item["given"] == [WRONG]
    assert (item["right"], item["state"], item["percent"]) == ([], None, None)
    assert RIGHT not in json.dumps(data)


# --- who may see it ----------------------------------------------------------------


@pytest.mark.parametrize("role", ["trainer", "manager", "learner"])
@pytest.mark.parametrize("name", ["record", "evidence_pdf", "evidence_json"])
def test_everyone_but_hr_is_refused(client, request, role, name):
    employee = EmployeeFactory()
    client.force_login(request.getfixturevalue(role))
    response = client.get(url(name, employee.pk))
    assert response.status_code == 403
    assert not ModelLogEntry.objects.filter(action="learning.evidence_pack").exists()


@pytest.mark.parametrize("name", ["record", "evidence_pdf", "evidence_json"])
def test_signed_out_visitors_are_sent_to_sign_in(client, name):
    response = client.get(url(name, EmployeeFactory().pk))
    assert response.status_code == 302
    assert "login" in response["Location"]


@pytest.mark.parametrize("name", ["record", "evidence_pdf", "evidence_json"])
def test_an_unknown_person_is_not_found(client, hr_user, name):
    client.force_login(hr_user)
    assert client.get(url(name, 999_999)).status_code == 404


# --- queries ----------------------------------------------------------------------


def test_the_record_costs_the_same_queries_for_one_or_eight_of_everything(
    client, hr_user, django_assert_max_num_queries
):
    small = history("Small", 1)
    large = history("Large", 8)
    record = employee_record(employee=large)
    assert (len(record.assignments), len(record.attempts), len(record.scenario_runs)) == (8, 8, 8)
    assert (len(record.certificates), len(record.acknowledgements)) == (8, 8)

    counts = []
    for employee in (small, large):
        with CaptureQueriesContext(connection) as queries:
            employee_record(employee=employee)
        counts.append(len(queries))
    assert counts[0] == counts[1]

    client.force_login(hr_user)
    for employee in (small, large):
        for name in ("record", "evidence_json"):
            # Fixed costs: the admin menus (whether the user may edit any course) and the
            # versions each role-play script was written for.
            with django_assert_max_num_queries(36):
                assert client.get(url(name, employee.pk)).status_code == 200


def test_no_page_of_the_evidence_pack_is_left_with_only_a_heading(client, hr_user, make_user):
    """An attempt whose answers run past a page starts under its section heading and
    carries on over the page, rather than leaving the heading alone on a page."""
    user = make_user(first_name="Leo", last_name="Long")
    employee = EmployeeFactory(user=user, employee_number="E-LONG")
    value, right, _ = SAMPLES["single_choice"]
    questions = [
        make_question("single_choice", value, title=f"Refund window {n}", bank="Long")
        for n in range(40)
    ]
    sit(user, make_assessment(questions, title="Long check"), answer=right)
    client.force_login(hr_user)

    data = client.get(url("evidence_pdf", employee.pk)).content

    pages = PdfReader(io.BytesIO(data)).pages
    assert len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        lines = [
            line
            for line in page.extract_text().splitlines()
            if line.strip() and not line.startswith(("Generated by", "Page "))
        ]
        assert len(lines) > 3, f"page {number} holds only {lines}"
    first_attempt_page = next(
        number for number, page in enumerate(pages) if "Assessment attempts" in page.extract_text()
    )
    assert "Long check, attempt 1" in pages[first_attempt_page].extract_text()


def test_the_record_is_titled_with_the_name_and_the_employee_number(client, hr_user, person):
    client.force_login(hr_user)
    html = client.get(url("record", person["employee"].pk)).content.decode()
    assert "<title>Training record: Ada Lovelace (E-ADA)" in html
    assert "Lovelace: E-ADA" not in html


@pytest.mark.parametrize("carried_over", [True, False])
def test_a_recertification_status_agrees_with_the_progress_beside_it(
    client, hr_user, make_user, carried_over
):
    """Modules finished before a recertification that it does not ask for again count
    towards it, as the progress says: so it reads in progress, not "Not started"."""
    user = make_user(first_name="Rhea", last_name="Recert")
    employee = EmployeeFactory(user=user)
    course = make_course(
        "Refunds Done Right",
        modules=[("Inside", [text("<p>In.</p>")]), ("Outside", [text("<p>Out.</p>")])],
    )
    if carried_over:
        now = timezone.now()
        module = course.get_modules().first()
        ModuleProgress.objects.create(
            user=user,
            course=course,
            module=module,
            first_opened_at=now - datetime.timedelta(days=300),
            last_opened_at=now - datetime.timedelta(days=300),
            completed_at=now - datetime.timedelta(days=300),
        )
    assign(user, course, due_in=20, reason=AssignmentReason.RECERTIFICATION)
    client.force_login(hr_user)

    html = client.get(url("record", employee.pk)).content.decode()
    data = json.loads(client.get(url("evidence_json", employee.pk)).content)

    (entry,) = data["assignments"]
    if carried_over:
        assert "1 of 2 modules" in html
        assert "<td>In progress</td>" in html and "<td>Not started</td>" not in html
        assert entry["status"] == "in_progress"
    else:
        assert "0 of 2 modules" in html
        assert "<td>Not started</td>" in html
        assert entry["status"] == "not_started"
