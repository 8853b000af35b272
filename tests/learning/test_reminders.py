"""Reminder emails: at the configured offsets before the due date and once overdue, the
manager told when it is overdue, each sent once, none for finished training."""

import datetime
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends import locmem
from django.core.management import call_command
from django.utils import timezone

from learning.choices import AssignmentReason
from learning.models import Assignment, Reminder
from learning.reminders import reminder_kind, reminders_claim, reminders_deliver
from tests.courses.factories import refunds_course
from tests.learning.factories import EmployeeFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 1)


@pytest.mark.parametrize(
    ("days_left", "kind"),
    [
        (45, None),
        (30, "due-30"),
        (20, "due-30"),
        (14, "due-14"),
        (1, "due-1"),
        (0, "due-1"),
        (-1, "overdue"),
    ],
)
def test_the_reminder_due_is_the_nearest_offset_reached(days_left, kind):
    assert reminder_kind(days_left, [30, 14, 7, 1]) == kind


@pytest.fixture
def course():
    course, _ = refunds_course()
    return course


def assign(course, due: datetime.date, **employee) -> Assignment:
    return Assignment.objects.create(
        employee=EmployeeFactory(**employee),
        course=course,
        reason=AssignmentReason.MANUAL,
        assigned_at=timezone.now(),
        due_date=due,
    )


def send(today=TODAY) -> int:
    reminders_claim(today=today)
    return reminders_deliver(today=today)


def test_a_reminder_names_the_learner_and_links_to_the_training(course):
    assignment = assign(course, TODAY + datetime.timedelta(days=7))
    assert send() == 1
    (message,) = mail.outbox
    user = assignment.employee.user
    assert message.to == [user.email]
    assert message.subject == f"Due in 7 days: {course.title}"
    assert f"Hello {user.get_full_name()}," in message.body
    assert f"http://localhost/learn/courses/{course.slug}/" in message.body  # the default Site


def test_each_reminder_is_sent_once_however_often_it_runs(course):
    assign(course, TODAY + datetime.timedelta(days=14))
    assert send() == 1
    assert send() == 0
    assert send(TODAY + datetime.timedelta(days=1)) == 0  # still the 14-day reminder
    assert send(TODAY + datetime.timedelta(days=7)) == 1  # now the 7-day one
    assert len(mail.outbox) == 2


def test_overdue_training_tells_the_learner_and_their_manager(course):
    boss = EmployeeFactory()
    assignment = assign(course, TODAY - datetime.timedelta(days=3), manager=boss)
    assert send() == 2
    to = {message.to[0]: message for message in mail.outbox}
    learner = to[assignment.employee.user.email]
    assert learner.subject == f"Overdue: {course.title}" and "Your manager has been told" in (
        learner.body
    )
    manager = to[boss.user.email]
    assert assignment.employee.user.get_full_name() in manager.subject
    assert "3 days overdue" in manager.body


def test_completed_training_and_inactive_people_get_nothing(course):
    done = assign(course, TODAY + datetime.timedelta(days=1))
    done.completed_at = timezone.now()
    done.save()
    gone = assign(course, TODAY + datetime.timedelta(days=1))
    gone.employee.active = False
    gone.employee.save()
    assert send() == 0
    assert mail.outbox == []


def test_training_finished_between_claim_and_send_is_not_reminded(course):
    assignment = assign(course, TODAY + datetime.timedelta(days=1))
    reminders_claim(today=TODAY)
    Assignment.objects.filter(pk=assignment.pk).update(completed_at=timezone.now())
    assert reminders_deliver(today=TODAY) == 0
    assert not Reminder.objects.exists()


def test_a_claim_left_unsent_by_a_crash_goes_out_on_the_next_run(course):
    assign(course, TODAY + datetime.timedelta(days=1))
    reminders_claim(today=TODAY)  # the process died before sending
    assert mail.outbox == []
    assert send() == 1
    assert Reminder.objects.get().sent_at is not None


def test_the_offsets_come_from_settings(course, settings):
    settings.REMINDER_DAYS_BEFORE = [3]
    assign(course, TODAY + datetime.timedelta(days=7))
    assert send() == 0
    assert send(TODAY + datetime.timedelta(days=4)) == 1


def test_the_command_prints_what_it_did(course, capsys):
    assign(course, timezone.localdate() + datetime.timedelta(days=1))
    call_command("send_reminders")
    assert capsys.readouterr().out.strip() == (
        "Expired 0 certificates; assigned 0 recertifications; sent 1 reminder."
    )
    call_command("send_reminders")
    assert capsys.readouterr().out.strip().endswith("sent 0 reminders.")


@pytest.mark.parametrize("people", [5, 40])
def test_claiming_takes_the_same_statements_for_any_number(
    course, people, django_assert_max_num_queries
):
    for _ in range(people):
        assign(course, TODAY + datetime.timedelta(days=1))
    with django_assert_max_num_queries(4):
        reminders_claim(today=TODAY)
    assert Reminder.objects.count() == people


class RefusingBackend(locmem.EmailBackend):
    """A mail server that refuses one address, as a real one sometimes does."""

    def send_messages(self, messages):
        for message in messages:
            if any("refused" in address for address in message.to):
                raise smtplib.SMTPRecipientsRefused({message.to[0]: (550, b"No such user")})
        return super().send_messages(messages)


def test_an_address_the_server_refuses_does_not_hold_up_the_rest(course, settings):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    assign(course, TODAY + datetime.timedelta(days=1), user__email="refused@example.com")
    fine = assign(course, TODAY + datetime.timedelta(days=1))
    assert send() == 1
    assert [message.to for message in mail.outbox] == [[fine.employee.user.email]]
    assert Reminder.objects.filter(sent_at__isnull=True).count() == 1  # tried again later


def test_the_learner_hears_of_the_manager_only_when_the_manager_is_told(course):
    boss = EmployeeFactory(active=False)
    assignment = assign(course, TODAY - datetime.timedelta(days=3), manager=boss)
    assert send() == 1
    (message,) = mail.outbox
    assert message.to == [assignment.employee.user.email]
    assert "manager" not in message.body


def test_a_reminder_says_start_before_anything_is_done_and_pick_up_after(course):
    fresh = assign(course, TODAY + datetime.timedelta(days=7))
    begun = assign(course, TODAY + datetime.timedelta(days=7))
    Assignment.objects.filter(pk=begun.pk).update(started_at=timezone.now())
    assert send() == 2
    bodies = {message.to[0]: message.body for message in mail.outbox}
    fresh_body = bodies[fresh.employee.user.email]
    begun_body = bodies[begun.employee.user.email]
    assert "Start your training:" in fresh_body
    assert "Pick up where you left off" not in fresh_body
    assert "Pick up where you left off:" in begun_body
