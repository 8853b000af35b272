"""Background work for learning (django-tasks)."""

import datetime

from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from learning.recertification import recertification_fan_out, recertification_sweep
from learning.reminders import reminders_claim, reminders_deliver

BATCHES_PER_TASK = 20


@task()
def recertify_after_policy_change(version_id: int) -> int:
    """Fan a material policy version out to the people it affects, a bounded number of
    batches per run; a run that leaves work queues the next one. Returns the number of
    certificates this run marked."""
    progress = recertification_fan_out(version_id=version_id, max_batches=BATCHES_PER_TASK)
    if not progress.finished:
        recertify_after_policy_change.enqueue(version_id)
    return progress.certificates


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
        return send_reminders_now(today=timezone.localdate())
    finally:
        # Queued even when this run fails, so one bad run does not end the schedule.
        backend = send_reminders.get_backend()
        if backend.supports_defer and not _reminder_job_waiting():
            send_reminders.using(run_after=timezone.now() + REMINDER_INTERVAL).enqueue()
