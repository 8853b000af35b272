"""Background work for learning (django-tasks)."""

import datetime

from django.conf import settings
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from certificates.tasks import render_certificate
from courses.models import CoursePage
from learning.jobs import (
    certificates_without_pdf,
    fan_outs_unfinished,
    tasks_enqueue_once,
    workers_prune,
)
from learning.recertification import (
    recertification_fan_out,
    recertification_sweep,
    recertifications_open,
)
from learning.reminders import reminders_claim, reminders_deliver
from learning.services import recertifications_complete_waiting

BATCHES_PER_TASK = 20


@task()
def recertify_after_policy_change(version_id: int) -> int:
    """Fan a material policy version out to the people it affects, a bounded number of
    batches per run; a run that leaves work queues the next one. Returns the number of
    certificates this run marked."""
    progress = recertification_fan_out(
        version_id=version_id,
        batch_size=settings.RECERTIFICATION_BATCH_SIZE,
        max_batches=BATCHES_PER_TASK,
    )
    if not progress.finished:
        # Not while a copy waits already (a run put back after its worker died).
        tasks_enqueue_once(recertify_after_policy_change, [(version_id,)], running_counts=False)
    return progress.certificates


@task()
def complete_waiting_recertifications(course_id: int) -> dict[str, int]:
    """Once a course is republished on a newer policy version, open the refreshers that
    waited for it (setting their due dates) and finish those that had nothing left to
    do. Returns how many it opened and completed."""
    course = CoursePage.objects.filter(pk=course_id).first()
    if course is None:
        return {"opened": 0, "completed": 0}
    opened = recertifications_open(course_ids=[course.pk]).opened
    return {"opened": opened, "completed": recertifications_complete_waiting(course=course)}


def missing_work_queue() -> dict[str, int]:
    """Queue, once, the work that should exist and does not: the PDF of every certificate
    that has none, and the fan-out of every material version that has not finished (a
    worker killed half way leaves both). A job queued or running for the same thing
    already is left to do it. Also removes the records of workers stopped or not seen
    for a week. Returns how many of each it queued, and how many workers it removed."""
    return {
        "pdfs_queued": tasks_enqueue_once(
            render_certificate, [(pk,) for pk in certificates_without_pdf()]
        ),
        "fan_outs_queued": tasks_enqueue_once(
            recertify_after_policy_change, [(pk,) for pk in fan_outs_unfinished()]
        ),
        "workers_removed": workers_prune(),
    }


REMINDER_INTERVAL = datetime.timedelta(hours=1)


def send_reminders_now(*, today: datetime.date) -> dict[str, int]:
    """The sweep, then reminders: claimed in one transaction, sent after it commits."""
    result = recertification_sweep(today=today)
    reminders_claim(today=today)
    result["sent"] = reminders_deliver(today=today)
    return result


def _reminder_job_waiting() -> bool:
    backend = send_reminders.get_backend()
    if not backend.supports_defer:
        return False
    return DBTaskResult.objects.filter(
        task_path=send_reminders.module_path, status=TaskResultStatus.READY
    ).exists()


def schedule_reminders() -> bool:
    """Queue the hourly reminder job unless one is already waiting. Returns whether it
    queued one; on a backend that cannot wait (tests, development) it runs it now."""
    if _reminder_job_waiting():
        return False
    send_reminders.enqueue()
    return True


@task()
def send_reminders() -> dict[str, int]:
    """Run the daily upkeep, then queue the next run an hour on, on backends that can
    wait; cron running ``send_reminders`` does the same without the worker."""
    try:
        result = send_reminders_now(today=timezone.localdate())
        result.update(missing_work_queue())
        return result
    finally:
        # Queued even when this run fails, so one bad run does not end the schedule.
        backend = send_reminders.get_backend()
        if backend.supports_defer and not _reminder_job_waiting():
            send_reminders.using(run_after=timezone.now() + REMINDER_INTERVAL).enqueue()
