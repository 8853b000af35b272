"""The background worker: django-tasks-db's database worker, plus a heartbeat, so that a
task left running by a worker that died is taken up again by any live one, and a sweep
at start for work that should exist and does not."""

import logging
import os
import socket
import threading

from django.conf import settings
from django.db import close_old_connections, connection
from django.db.models.functions import Now
from django_tasks_db.management.commands.db_worker import Worker

from learning.jobs import tasks_reclaim, tasks_release
from learning.models import TaskWorker
from learning.tasks import missing_work_queue

logger = logging.getLogger("learning.jobs")


def heartbeat_interval(lease_seconds: float) -> float:
    """Beat several times per lease, so a slow beat or two never loses it."""
    return min(10.0, max(0.2, lease_seconds / 6))


class HeartbeatWorker(Worker):
    """Records itself as a ``TaskWorker``: on start, every few seconds from a thread, and
    with the task it runs. Before its first claim, and then on every beat, it puts back
    the tasks of workers that have not been seen for the lease; on start it first puts
    back the tasks left running under its own id (a worker restarted with a fixed
    ``--worker-id``). Times are the database's, so the clocks of machines never matter."""

    def __init__(self, *, sweep: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.sweep = sweep
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _register(self) -> None:
        now = Now()
        TaskWorker.objects.update_or_create(
            worker_id=self.worker_id,
            defaults={
                "hostname": socket.gethostname()[:255],
                "pid": os.getpid(),
                "started_at": now,
                "last_seen_at": now,
                "stopped_at": None,
                "current_task_id": None,
            },
        )

    def _beat(self, **fields) -> None:
        TaskWorker.objects.filter(worker_id=self.worker_id).update(last_seen_at=Now(), **fields)

    def _beat_or_log(self, **fields) -> None:
        """A beat that a locked or lost database cannot turn into the worker's end (nor,
        under ``manage.py serve``, the web server's): the next one tries again."""
        try:
            self._beat(**fields)
        except Exception:
            logger.exception("Worker %s could not record its heartbeat", self.worker_id)
            close_old_connections()

    def _beating(self) -> None:
        interval = heartbeat_interval(settings.TASK_WORKER_LEASE_SECONDS)
        try:
            while not self._stop.wait(interval):
                try:
                    self._beat()
                    tasks_reclaim()
                except Exception:
                    # A locked or lost database: the next beat tries again.
                    logger.exception("Worker %s could not record its heartbeat", self.worker_id)
                    close_old_connections()
        finally:
            connection.close()

    def run(self) -> None:
        # Before registering: once registered, this id counts as alive, and what it held
        # when it last died would never be put back.
        tasks_release(worker_id=self.worker_id)
        self._register()
        tasks_reclaim()
        if self.sweep:
            queued = missing_work_queue()
            if any(queued.values()):
                logger.info("Queued work that was missing: %s", queued)
        self._thread = threading.Thread(target=self._beating, name="heartbeat", daemon=True)
        self._thread.start()
        try:
            super().run()
        finally:
            self._stop.set()
            self._thread.join(timeout=5)
            TaskWorker.objects.filter(worker_id=self.worker_id).update(
                stopped_at=Now(), current_task_id=None
            )

    def run_task(self, db_task_result) -> None:
        self._beat_or_log(current_task_id=db_task_result.pk)
        try:
            super().run_task(db_task_result)
        finally:
            self._beat_or_log(current_task_id=None)
