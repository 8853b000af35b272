"""Reminder emails about training that is due: to the learner at set offsets before the
due date and once overdue, to their manager once overdue, and when a manager asks for one
(a nudge). Each is recorded before it is sent and sent once, however often
``send_reminders`` runs."""

import datetime
import logging
import smtplib
import uuid
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry

from cms.site_address import site_base_url
from learning.models import Assignment, Reminder

logger = logging.getLogger(__name__)

OVERDUE = "overdue"
MANAGER = "manager"
NUDGE = "nudge"
NUDGE_ACTION = "learning.nudge"


def reminder_kind(days_left: int, offsets: list[int]) -> str | None:
    """The reminder due for an assignment ``days_left`` days from its due date: the
    nearest offset not yet passed, so a missed run sends the most urgent one only."""
    if days_left < 0:
        return OVERDUE
    reached = [offset for offset in sorted(offsets) if days_left <= offset]
    return f"due-{reached[0]}" if reached else None


# A recertification after a policy change that has not opened (its course does not teach
# the new version yet): there is nothing the learner can do, so nobody is reminded of it.
# ``recertifications_open``, run just before reminders are claimed, records the opening.
_not_opened = Q(policy_version__isnull=False, opened_at__isnull=True)


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
        .exclude(_not_opened)
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


def nudge_kind(today: datetime.date) -> str:
    """The kind of a manager's reminder sent on ``today``: with the (assignment, kind)
    constraint, one per assignment per day, whichever manager sends it."""
    return f"{NUDGE}-{today.isoformat()}"


def _nudged_by(reminder: Reminder) -> str:
    """Who asked for a nudge, as the audit log recorded it."""
    entry = (
        ModelLogEntry.objects.for_instance(reminder.assignment)
        .filter(action=NUDGE_ACTION, data__reminder=reminder.kind)
        .select_related("user")
        .order_by("-timestamp")
        .first()
    )
    if entry is None or entry.user is None:
        return "Your manager"
    return entry.user.get_full_name() or entry.user.email


def _message(reminder: Reminder, today: datetime.date, base_url: str) -> EmailMessage:
    assignment = reminder.assignment
    employee = assignment.employee
    nudge = reminder.kind.startswith(f"{NUDGE}-")
    context = {
        "reminder": reminder,
        "assignment": assignment,
        "learner": employee.user.get_full_name() or employee.user.email,
        "manager": reminder.kind == MANAGER,
        "nudge": nudge,
        "nudged_by": _nudged_by(reminder) if nudge else "",
        "manager_told": reminder.kind == OVERDUE
        and Reminder.objects.filter(assignment=assignment, kind=MANAGER).exists(),
        "days_left": (assignment.due_date - today).days,
        "days_late": (today - assignment.due_date).days,
        "link": base_url
        + reverse("learning:course", kwargs={"course_slug": assignment.course.slug}),
    }
    subject = " ".join(render_to_string("learning/email/reminder_subject.txt", context).split())
    body = render_to_string("learning/email/reminder_body.txt", context)
    return EmailMessage(subject, body, to=[reminder.recipient])


def _deliver(pk: int, *, connection, today: datetime.date, base_url: str) -> bool:
    """Send one claimed reminder if nobody has yet, under a row lock; True if it went."""
    with transaction.atomic():
        reminder = (
            Reminder.objects.select_for_update(skip_locked=True)
            .select_related("assignment__employee__user", "assignment__course")
            .filter(pk=pk, sent_at__isnull=True)
            .first()
        )
        if reminder is None:
            return False
        assignment = reminder.assignment
        if (
            assignment.completed_at is not None
            or not assignment.employee.active
            or (assignment.policy_version_id and assignment.opened_at is None)
        ):
            reminder.delete()
            return False
        try:
            connection.send_messages([_message(reminder, today, base_url)])
        except (OSError, smtplib.SMTPException):
            # One address the mail server refuses must not hold up the rest; this
            # one stays unsent and is tried again on the next run.
            logger.warning("Reminder %s to %s could not be sent", pk, reminder.recipient)
            return False
        reminder.sent_at = timezone.now()
        reminder.save(update_fields=["sent_at"])
        return True


def reminders_deliver(*, today: datetime.date | None = None) -> int:
    """Send every claimed reminder not sent yet (this run's and any a crash left
    behind). One at a time under a row lock, so two runs never send the same one; a
    reminder whose training was completed meanwhile is dropped unsent."""
    today = today or timezone.localdate()
    connection, base_url = get_connection(), site_base_url()
    pending = Reminder.objects.filter(sent_at__isnull=True).values_list("pk", flat=True)
    return sum(
        _deliver(pk, connection=connection, today=today, base_url=base_url) for pk in list(pending)
    )


class NudgeRefused(Exception):
    """A manager's reminder that is not sent; the message says why, in the manager's words."""


@transaction.atomic
def assignment_nudge(*, assignment: Assignment, actor, today: datetime.date) -> Reminder:
    """A manager's reminder to one person about one open assignment: at most one per
    assignment per day, whoever sends it. Recorded and logged here, sent once the
    transaction commits; if the mail server refuses it then, the next ``send_reminders``
    run sends it like any other claimed reminder."""
    employee = assignment.employee
    who, what = employee.full_name, assignment.course.title
    if assignment.completed_at is not None:
        raise NudgeRefused(
            f"{who} has already completed {what}: there is nothing to remind them of."
        )
    if not employee.active:
        raise NudgeRefused(f"{who} is no longer active, so no reminder was sent.")
    if assignment.policy_version_id and assignment.opened_at is None:
        raise NudgeRefused(
            f"{who}'s refresher of {what} has not opened yet: it opens when the course is "
            "updated to the new policy version, so no reminder was sent."
        )
    kind = nudge_kind(today)
    try:
        with transaction.atomic():
            reminder = Reminder.objects.create(
                assignment=assignment,
                kind=kind,
                recipient=employee.user.email,
                run=uuid.uuid4(),
                claimed_at=timezone.now(),
            )
    except IntegrityError:
        raise NudgeRefused(
            f"{who} has already been reminded about {what} today, so nothing was sent. "
            "You can send another reminder tomorrow."
        ) from None
    log(
        instance=assignment,
        action=NUDGE_ACTION,
        user=actor,
        data={"reminder": kind, "recipient": reminder.recipient},
    )
    transaction.on_commit(partial(_deliver_now, reminder.pk, today))
    return reminder


def _deliver_now(pk: int, today: datetime.date) -> None:
    _deliver(pk, connection=get_connection(), today=today, base_url=site_base_url())
