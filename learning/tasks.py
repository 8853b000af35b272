"""Background work for learning (django-tasks)."""

from django_tasks import task

from learning.recertification import recertification_fan_out

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
