"""Background work for assessments (django-tasks)."""

from django.dispatch import receiver
from django_tasks import task

from assessments.services import attempts_close_expired
from assessments.signals import attempt_started


@task()
def close_expired_attempts() -> int:
    """Submit, with what was saved, every attempt whose time (and grace) has run out."""
    return attempts_close_expired()


@receiver(attempt_started, dispatch_uid="assessments.schedule_close")
def schedule_close(sender, attempt, **kwargs):
    """Queue the closing of a timed attempt for the moment its grace period ends, on a
    backend that can wait; ``manage.py close_attempts`` from cron covers any other."""
    if attempt.closes_at is None:
        return
    if close_expired_attempts.get_backend().supports_defer:
        close_expired_attempts.using(run_after=attempt.closes_at).enqueue()
