"""Run the background worker: django-tasks-db's db_worker with a heartbeat, the taking up
of tasks whose worker died, and a sweep at start for work that should exist and does not."""

import logging
import os

from django.core.management.base import CommandError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands.db_worker import Command as DBWorkerCommand

from learning.worker import HeartbeatWorker


class Command(DBWorkerCommand):
    help = (
        "Run the background task worker. It records a heartbeat; a task whose worker has not "
        "been seen for TASK_WORKER_LEASE_SECONDS is put back in the queue by any live worker; "
        "on start it queues any certificate PDF or recertification fan-out that is missing."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        # Reloading would stop a task half way at every code change: off unless asked for.
        parser.set_defaults(reload=False)
        parser.add_argument(
            "--no-sweep",
            action="store_false",
            dest="sweep",
            help="Do not queue missing certificate PDFs and fan-outs at start.",
        )

    def configure_logging(self, verbosity: int) -> None:
        super().configure_logging(verbosity)
        jobs_logger = logging.getLogger("learning.jobs")
        jobs_logger.setLevel(logging.CRITICAL if verbosity == 0 else logging.INFO)
        if not jobs_logger.hasHandlers():
            jobs_logger.addHandler(logging.StreamHandler(self.stdout))

    def handle(self, *, verbosity, queue_name, exclude_queues, reload, sweep=True, **options):
        self.configure_logging(verbosity)
        queue_names = queue_name.split(",")
        excluded = exclude_queues.split(",") if exclude_queues else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = HeartbeatWorker(
            queue_names=queue_names,
            excluded_queue_names=excluded,
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
            sweep=sweep,
        )
        if reload and not options["batch"]:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
