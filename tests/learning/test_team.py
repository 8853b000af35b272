"""A manager's team at /learn/team/: their direct and indirect reports only, with the
compliance matrix's statuses, one member's training, and a reminder at most once a day per
course, logged; nobody else's data is reachable by editing the URL."""

import datetime
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends import locmem
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from certificates.services import certificate_issue
from learning.compliance import matrix_columns, matrix_rows
from learning.models import Assignment, Reminder
from learning.reminders import NudgeRefused, assignment_nudge, nudge_kind, reminders_deliver
from learning.team_selectors import member_token
from tests.courses.factories import make_course, refunds_course
from tests.learning.factories import EmployeeFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)
TEAM_URL = "/learn/team/"


def assign(employee, course, *, due, started=False, completed=False):
    now = timezone.now()
    return Assignment.objects.create(
        employee=employee,
        course=course,
        reason="manual",
        assigned_at=now - 30 * DAY,
        due_date=due,
        started_at=now if started or completed else None,
        completed_at=now if completed else None,
    )


def member_url(employee) -> str:
    return reverse("learning:team_member", kwargs={"member": member_token(employee.pk)})


def remind_url(assignment) -> str:
    return reverse(
        "learning:team_member_remind",
        kwargs={"member": member_token(assignment.employee_id), "assignment_id": assignment.pk},
    )


@pytest.fixture
def course():
    course, _ = refunds_course(certificate_validity_months=12)
    return course


@pytest.fixture
def org(course):
    """boss -> manager -> (direct, lead -> indirect) and an inactive report; boss -> peer;
    an outsider elsewhere. Each has the course assigned in a different state."""
    boss = EmployeeFactory(user__first_name="Bea", user__last_name="Boss")
    manager = EmployeeFactory(
        manager=boss, user__first_name="Mo", user__last_name="Manager", user__groups=["Managers"]
    )
    peer = EmployeeFactory(manager=boss, user__first_name="Pat", user__last_name="Peer")
    direct = EmployeeFactory(manager=manager, user__first_name="Dee", user__last_name="Direct")
    lead = EmployeeFactory(manager=manager, user__first_name="Lee", user__last_name="Lead")
    indirect = EmployeeFactory(manager=lead, user__first_name="Ivy", user__last_name="Indirect")
    gone = EmployeeFactory(
        manager=manager, active=False, user__first_name="Gus", user__last_name="Gone"
    )
    outsider = EmployeeFactory(user__first_name="Otto", user__last_name="Outsider")
    assignments = {
        "direct": assign(direct, course, due=TODAY - 3 * DAY, started=True),
        "lead": assign(lead, course, due=TODAY + 10 * DAY, started=True),
        "indirect": assign(indirect, course, due=TODAY + 20 * DAY),
        "peer": assign(peer, course, due=TODAY - 5 * DAY),
        "outsider": assign(outsider, course, due=TODAY - 5 * DAY),
        "gone": assign(gone, course, due=TODAY - 5 * DAY),
    }
    # A course only the outsider has: not one of the team's columns.
    assign(outsider, make_course("Outside Course"), due=TODAY + 5 * DAY)
    return {
        "boss": boss,
        "manager": manager,
        "peer": peer,
        "direct": direct,
        "lead": lead,
        "indirect": indirect,
        "gone": gone,
        "outsider": outsider,
        "assignments": assignments,
    }


@pytest.fixture
def as_manager(client, org):
    client.force_login(org["manager"].user)
    return client


# --- who sees what ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", TEAM_URL),
        ("get", "/learn/team/anything/"),
        ("post", "/learn/team/x/assignments/1/remind/"),
    ],
)
def test_anonymous_visitors_are_sent_to_sign_in(client, method, url):
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_the_team_is_the_direct_and_indirect_reports_and_nobody_else(as_manager, org):
    page = as_manager.get(TEAM_URL).content.decode()
    for name in ("Dee Direct", "Lee Lead", "Ivy Indirect"):
        assert name in page
    for name in ("Bea Boss", "Pat Peer", "Otto Outsider", "Gus Gone"):
        assert name not in page
    assert "reports to Lee Lead" in page  # the indirect report says through whom
    assert "Outside Course" not in page  # nobody in the team needs it
    assert "3 people (2 direct)" in page
    assert "1 person, 1 course" in page  # overdue


def test_the_team_shows_the_same_status_text_as_the_compliance_matrix(as_manager, org, course):
    complaints = make_course("Complaints")
    assign(org["outsider"], complaints, due=TODAY + 9 * DAY)
    certificate_issue(user=org["direct"].user, course=complaints, today=TODAY)
    page = as_manager.get(TEAM_URL).content.decode()
    people = [org["direct"], org["lead"], org["indirect"]]
    (column,) = [c for c in matrix_columns() if c.pk == course.pk]
    cells = {row.employee.pk: row.cells[0] for row in matrix_rows(people, [column], today=TODAY)}
    texts = {pk: cell.text for pk, cell in cells.items()}
    assert texts[org["direct"].pk].startswith("Overdue since")
    assert texts[org["lead"].pk].startswith("In progress, due")
    assert texts[org["indirect"].pk].startswith("Not started, due")
    # The status is a one-line badge of its own; the dates follow it as plain words.
    for cell in cells.values():
        badge = f'<span class="badge badge--{cell.status}">{cell.label}</span>'
        assert f'{badge} <span class="status-detail">{cell.detail}</span>' in page
    assert cells[org["direct"].pk].detail.startswith("since ")
    # A certificate earned without an assignment still shows, as in HR's matrix.
    assert "Complaints" in page
    assert ">Current" in page


def test_someone_nobody_reports_to_gets_a_403_that_says_what_the_page_is_for(client, learner):
    client.force_login(learner)
    response = client.get(TEAM_URL)
    assert response.status_code == 403
    assert "This page is for managers" in response.content.decode()


def test_a_manager_whom_nobody_reports_to_yet_is_told_so(client, manager):
    EmployeeFactory(user=manager)
    client.force_login(manager)
    response = client.get(TEAM_URL)
    assert response.status_code == 200
    assert "Nobody reports to you in the staff records yet" in response.content.decode()


def test_a_manager_whose_reports_have_all_left_is_told_so(client, course):
    manager = EmployeeFactory()
    EmployeeFactory(manager=manager, active=False)
    client.force_login(manager.user)
    page = client.get(TEAM_URL).content.decode()
    assert "Nobody in your team is active" in page


def test_the_dashboard_links_to_the_team_for_managers_only(client, org):
    client.force_login(org["manager"].user)
    assert TEAM_URL in client.get("/learn/").content.decode()
    client.force_login(org["direct"].user)
    assert TEAM_URL not in client.get("/learn/").content.decode()


# --- one member ------------------------------------------------------------------------


def test_a_member_page_shows_their_training_without_answers(as_manager, org, course):
    assign(org["indirect"], make_course("Privacy Basics"), due=TODAY - 40 * DAY, completed=True)
    response = as_manager.get(member_url(org["indirect"]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Ivy Indirect" in page
    assert "Reports to" in page and "Lee Lead" in page
    assert course.title in page
    assert "Not started" in page
    assert (TODAY + 20 * DAY).strftime("%-d %b %Y") in page
    assert "0 of 2 modules" in page
    assert "Privacy Basics" in page  # completed, listed as history
    assert "Send reminder" in page
    # The knowledge check's feedback (its answer key) is not on a manager's page.
    assert "20 days is within 30" not in page


@pytest.mark.parametrize("who", ["boss", "peer", "outsider", "gone", "manager"])
def test_a_member_page_outside_the_tree_is_a_404(as_manager, org, who):
    assert as_manager.get(member_url(org[who])).status_code == 404


@pytest.mark.parametrize(
    "identifier",
    ["pk", "employee_number", "forged", "tampered"],
)
def test_identifiers_other_than_a_signed_token_are_a_404(as_manager, org, identifier):
    direct = org["direct"]
    token = member_token(direct.pk)
    value = {
        "pk": str(direct.pk),
        "employee_number": direct.employee_number,
        "forged": token.split(":")[0] + ":not-the-signature",
        "tampered": member_token(direct.pk + 1).split(":")[0] + ":" + token.split(":")[1],
    }[identifier]
    assert as_manager.get(f"/learn/team/{value}/").status_code == 404


def test_a_member_page_is_a_404_for_someone_who_manages_nobody(client, org):
    client.force_login(org["direct"].user)
    assert client.get(member_url(org["indirect"])).status_code == 404


def test_a_middle_manager_sees_only_their_own_part_of_the_tree(client, org):
    client.force_login(org["lead"].user)
    page = client.get(TEAM_URL).content.decode()
    assert "Ivy Indirect" in page
    assert "Dee Direct" not in page
    assert client.get(member_url(org["direct"])).status_code == 404
    assert client.get(member_url(org["manager"])).status_code == 404


# --- reminders -------------------------------------------------------------------------


def test_a_reminder_is_emailed_in_the_learners_name_and_logged(
    as_manager, org, course, django_capture_on_commit_callbacks
):
    assignment = org["assignments"]["direct"]
    with django_capture_on_commit_callbacks(execute=True):
        response = as_manager.post(remind_url(assignment), follow=True)
    assert "Reminder sent to Dee Direct" in response.content.decode()
    (message,) = mail.outbox
    assert message.to == [org["direct"].user.email]
    assert message.subject == f"Reminder from Mo Manager: {course.title}"
    assert "Hello Dee Direct," in message.body
    assert "Mo Manager asked us to remind you" in message.body
    assert "is now overdue" in message.body
    assert f"http://localhost/learn/courses/{course.slug}/" in message.body  # the default Site
    reminder = Reminder.objects.get(assignment=assignment)
    # The day it was sent on (the suite may run across midnight).
    assert reminder.kind == nudge_kind(timezone.localdate(reminder.claimed_at))
    assert reminder.sent_at is not None
    entry = ModelLogEntry.objects.get(action="learning.nudge")
    assert entry.object_id == str(assignment.pk)
    assert entry.user == org["manager"].user
    # The page now says so instead of offering the button again.
    assert "Reminded today" in as_manager.get(member_url(org["direct"])).content.decode()


def test_a_second_reminder_the_same_day_is_refused_and_sends_nothing(
    as_manager, org, django_capture_on_commit_callbacks
):
    assignment = org["assignments"]["indirect"]
    with django_capture_on_commit_callbacks(execute=True):
        as_manager.post(remind_url(assignment))
    client_of_lead = as_manager
    client_of_lead.force_login(org["lead"].user)  # another manager in the line, same day
    with django_capture_on_commit_callbacks(execute=True):
        response = client_of_lead.post(remind_url(assignment), follow=True)
    assert "already been reminded about" in response.content.decode()
    assert "today" in response.content.decode()
    assert len(mail.outbox) == 1
    assert ModelLogEntry.objects.filter(action="learning.nudge").count() == 1


def test_a_reminder_can_be_sent_again_the_next_day(org, django_capture_on_commit_callbacks):
    assignment = org["assignments"]["lead"]
    actor = org["manager"].user
    with django_capture_on_commit_callbacks(execute=True):
        assignment_nudge(assignment=assignment, actor=actor, today=TODAY)
    with pytest.raises(NudgeRefused):
        assignment_nudge(assignment=assignment, actor=actor, today=TODAY)
    with django_capture_on_commit_callbacks(execute=True):
        assignment_nudge(assignment=assignment, actor=actor, today=TODAY + DAY)
    assert len(mail.outbox) == 2


def test_a_completed_assignment_gets_no_reminder(
    as_manager, org, course, django_capture_on_commit_callbacks
):
    done = assign(org["direct"], make_course("Done Already"), due=TODAY, completed=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = as_manager.post(remind_url(done), follow=True)
    assert "has already completed Done Already" in response.content.decode()
    assert mail.outbox == []
    assert not Reminder.objects.exists()
    assert not ModelLogEntry.objects.filter(action="learning.nudge").exists()


@pytest.mark.parametrize("whose", ["peer", "outsider", "gone"])
def test_a_reminder_outside_the_tree_is_a_404(as_manager, org, whose):
    assignment = org["assignments"][whose]
    assert as_manager.post(remind_url(assignment)).status_code == 404
    # Nor under a team member's token with someone else's assignment.
    url = reverse(
        "learning:team_member_remind",
        kwargs={"member": member_token(org["direct"].pk), "assignment_id": assignment.pk},
    )
    assert as_manager.post(url).status_code == 404
    assert not Reminder.objects.exists()


def test_a_reminder_needs_a_post_with_a_csrf_token(client, org):
    client.force_login(org["manager"].user)
    assignment = org["assignments"]["direct"]
    assert client.get(remind_url(assignment)).status_code == 405
    client.handler.enforce_csrf_checks = True
    assert client.post(remind_url(assignment)).status_code == 403
    assert not Reminder.objects.exists()


class RefusingBackend(locmem.EmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("down")


def test_a_reminder_the_mail_server_refused_goes_with_the_next_reminder_run(
    org, settings, django_capture_on_commit_callbacks
):
    assignment = org["assignments"]["direct"]
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        assignment_nudge(assignment=assignment, actor=org["manager"].user, today=TODAY)
    assert Reminder.objects.get(assignment=assignment).sent_at is None
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert reminders_deliver(today=TODAY) == 1
    (message,) = mail.outbox
    assert message.subject.startswith("Reminder from Mo Manager:")
    assert reminders_deliver(today=TODAY) == 0


# --- queries ---------------------------------------------------------------------------


def _count(client, url) -> int:
    # The first requests create and cache the site's branding settings; after them,
    # both sizes stand on the same footing.
    client.get(url)
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_team_page_query_count_does_not_grow_with_the_team(
    client, course, django_assert_max_num_queries
):
    """Two levels below the manager at both sizes: 3 reports, then 30."""
    other = make_course("Complaints")
    manager = EmployeeFactory()
    lead = EmployeeFactory(manager=manager)
    assign(lead, course, due=TODAY + 5 * DAY)
    certificate_issue(user=lead.user, course=other, today=TODAY)

    def add_reports(count):
        for n in range(count):
            person = EmployeeFactory(manager=lead)
            assign(person, course, due=TODAY + (n % 3 - 1) * DAY, started=n % 2 == 0)
            assign(person, other, due=TODAY + 9 * DAY)

    add_reports(2)
    client.force_login(manager.user)
    small = _count(client, TEAM_URL)
    add_reports(27)
    with django_assert_max_num_queries(small):
        page = client.get(TEAM_URL).content.decode()
    assert page.count('<th scope="row">') == 30
    # Session, user, the manager, one per reporting level (and the empty one below),
    # the team, two for the columns, four for the cells, two for the navigation's perms.
    assert small <= 14


def test_a_member_page_query_count_does_not_grow_with_their_training(client, course):
    manager = EmployeeFactory()
    member = EmployeeFactory(manager=manager)
    assign(member, course, due=TODAY + 5 * DAY)
    client.force_login(manager.user)
    small = _count(client, member_url(member))
    for n in range(8):
        assign(member, make_course(f"Course {n}"), due=TODAY + n * DAY, completed=n % 2 == 0)
    assert _count(client, member_url(member)) == small
