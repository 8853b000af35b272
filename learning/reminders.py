"""Reminder emails about training that is due: to the learner at set offsets before the
due date and once overdue, and to their manager once overdue. Each is recorded before it
is sent and sent once, however often ``send_reminders`` runs."""

import datetime
import logging
import smtplib
import uuid

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from learning.models import Assignment, Reminder

logger = logging.getLogger(__name__)

OVERDUE = "overdue"
MANAGER = "manager"


def reminder_kind(days_left: int, offsets: list[int]) -> str | None:
    """The reminder due for an assignment ``days_left`` days from its due date: the
    nearest offset not yet passed, so a missed run sends the most urgent one only."""
    if days_left < 0:
        return OVERDUE
    reached = [offset for offset in sorted(offsets) if days_left <= offset]
    return f"due-{reached[0]}" if reached else None


@transaction.atomic
def reminders_claim(*, today: datetime.date) -> uuid.UUID:
    """Record the reminders now due, each (assignment, kind) once, in a few statements.
    Returns this run's token; the rows it claimed carry it."""
    offsets = settings.REMINDER_DAYS_BEFORE
    horizon = today + datetime.timedelta(days=max(offsets, default=0))
    run, now = uuid.uuid4(), timezone.now()
    rows = []
    for pk, due_date, email, manager_email, manager_active in (
        Assignment.objects.open()
        .filter(employee__active=True, due_date__lte=horizon)
        .values_list(
            "pk",
            "due_date",
            "employee__user__email",
            "employee__manager__user__email",
            "employee__manager__active",
        )
    ):
        kind = reminder_kind((due_date - today).days, offsets)
        if kind is None:
            continue
        rows.append(Reminder(assignment_id=pk, kind=kind, recipient=email))
        if kind == OVERDUE and manager_email and manager_active:
            rows.append(Reminder(assignment_id=pk, kind=MANAGER, recipient=manager_email))
    for row in rows:
        row.run, row.claimed_at = run, now
    Reminder.objects.bulk_create(rows, ignore_conflicts=True)
    return run


def _message(reminder: Reminder, today: datetime.date) -> EmailMessage:
    assignment = reminder.assignment
    employee = assignment.employee
    context = {
        "reminder": reminder,
        "assignment": assignment,
        "learner": employee.user.get_full_name() or employee.user.email,
        "manager": reminder.kind == MANAGER,
        "manager_told": reminder.kind == OVERDUE
        and Reminder.objects.filter(assignment=assignment, kind=MANAGER).exists(),
        "days_left": (assignment.due_date - today).days,
        "days_late": (today - assignment.due_date).days,
        "link": settings.WAGTAILADMIN_BASE_URL.rstrip("/")
        + reverse("learning:course", kwargs={"course_slug": assignment.course.slug}),
    }
    subject = " ".join(render_to_string("learning/email/reminder_subject.txt", context).split())
    body = render_to_string("learning/email/reminder_body.txt", context)
    return EmailMessage(subject, body, to=[reminder.recipient])


def reminders_deliver(*, today: datetime.date | None = None) -> int:
    """Send every claimed reminder not sent yet (this run's and any a crash left
    behind). One at a time under a row lock, so two runs never send the same one; a
    reminder whose training was completed meanwhile is dropped unsent."""
    today = today or timezone.localdate()
    sent = 0
    connection = get_connection()
    pending = Reminder.objects.filter(sent_at__isnull=True).values_list("pk", flat=True)
    for pk in list(pending):
        with transaction.atomic():
            reminder = (
                Reminder.objects.select_for_update(skip_locked=True)
                .select_related("assignment__employee__user", "assignment__course")
                .filter(pk=pk, sent_at__isnull=True)
                .first()
            )
            if reminder is None:
                continue
            if (
                reminder.assignment.completed_at is not None
                or not reminder.assignment.employee.active
            ):
                reminder.delete()
                continue
            try:
                connection.send_messages([_message(reminder, today)])
            except (OSError, smtplib.SMTPException):
                # One address the mail server refuses must not hold up the rest; this
                # one stays unsent and is tried again on the next run.
                logger.warning("Reminder %s to %s could not be sent", pk, reminder.recipient)
                continue
            reminder.sent_at = timezone.now()
            reminder.save(update_fields=["sent_at"])
            sent += 1
    return sent
