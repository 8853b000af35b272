"""Queue, once, the background work that should exist and does not."""

from django.core.management.base import BaseCommand

from learning.jobs import tasks_reclaim
from learning.tasks import missing_work_queue


class Command(BaseCommand):
    help = (
        "Put back in the queue the tasks of workers not seen for TASK_WORKER_LEASE_SECONDS, "
        "then queue the PDF of every certificate without one and the fan-out of every "
        "material policy version that has not finished; never a second copy of a job "
        "queued or running already. Removes the records of workers stopped or unseen for "
        "a week. Safe to run from cron."
    )

    def handle(self, *args, **options):
        put_back = tasks_reclaim()
        queued = missing_work_queue()
        self.stdout.write(
            f"Put back {_count(len(put_back), 'task')} of workers not seen; queued "
            f"{_count(queued['pdfs_queued'], 'certificate PDF')} and "
            f"{_count(queued['fan_outs_queued'], 'recertification fan-out')}; removed "
            f"{_count(queued['workers_removed'], 'worker record')} stopped or unseen for a week."
        )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
