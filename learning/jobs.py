"""Background jobs: queuing a job only once, putting back the jobs of a worker that died,
the sweep that queues work that should exist and does not, and what HR and trainers
read about jobs and workers."""

import datetime
import logging
import zlib
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q
from django.db.models.functions import Now
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult, get_date_max
from wagtail.models import PageLogEntry

from certificates.models import Certificate
from cms.models import PolicyVersion
from learning.models import TaskWorker
from learning.recertification import FAN_OUT_DONE, recertifying_versions

logger = logging.getLogger("learning.jobs")

ACTIVE = (TaskResultStatus.READY, TaskResultStatus.RUNNING)
# A worker row stopped or unseen for this long is removed by the sweep.
WORKER_KEPT_FOR = datetime.timedelta(days=7)


def lease() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.TASK_WORKER_LEASE_SECONDS)


# --- queuing once ------------------------------------------------------------------------


def _lock_queue() -> None:
    """Serialise the check-then-queue of every caller. SQLite's write transactions
    (BEGIN IMMEDIATE) already do; PostgreSQL takes a transaction-scoped advisory lock."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [zlib.crc32(b"job-queue")])


def _active_args(task, statuses) -> set[tuple]:
    rows = DBTaskResult.objects.filter(task_path=task.module_path, status__in=statuses)
    return {
        tuple(args_kwargs["args"])
        for args_kwargs in rows.values_list("args_kwargs", flat=True)
        if not args_kwargs.get("kwargs")
    }


def tasks_enqueue_once(task, args_list: list[tuple], *, running_counts: bool = True) -> int:
    """Queue the task once for each tuple of arguments that has no copy queued (or, unless
    ``running_counts`` is off, running) already. Returns how many it queued. Backends
    without a queue (tests) just run it."""
    if not isinstance(task.get_backend(), DatabaseBackend):
        for args in args_list:
            task.enqueue(*args)
        return len(args_list)
    with transaction.atomic():
        _lock_queue()
        active = _active_args(task, ACTIVE if running_counts else [TaskResultStatus.READY])
        queued = 0
        for args in args_list:
            if tuple(args) not in active:
                task.enqueue(*args)
                active.add(tuple(args))
                queued += 1
    return queued


# --- workers and their leases -------------------------------------------------------------
#
# Workers write ``last_seen_at`` with the database's clock, and leases are judged by it,
# so machines whose clocks disagree never take a live worker for a dead one.


def workers_alive(*, now: datetime.datetime | None = None):
    """Workers seen within the lease that have not said they stopped (by the database's
    clock unless ``now`` is given)."""
    return TaskWorker.objects.filter(
        stopped_at__isnull=True, last_seen_at__gte=(now or Now()) - lease()
    )


def workers_prune() -> int:
    """Remove the rows of workers stopped, or not seen, for longer than a week. Returns
    how many it removed."""
    cutoff = Now() - WORKER_KEPT_FOR
    removed, _ = TaskWorker.objects.filter(
        Q(stopped_at__lt=cutoff) | Q(last_seen_at__lt=cutoff)
    ).delete()
    return removed


def tasks_release(*, worker_id: str) -> list[str]:
    """Put back in the queue the running tasks last claimed by ``worker_id``. For a worker
    starting under the id of one that died: the new process cannot be running them, and
    its own heartbeat would otherwise keep them marked running for ever. Returns their
    ids."""
    released = []
    for task_id, worker_ids, started_at, task_path in DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING
    ).values_list("id", "worker_ids", "started_at", "task_path"):
        if not worker_ids or worker_ids[-1] != worker_id:
            continue
        put_back = DBTaskResult.objects.filter(
            pk=task_id, status=TaskResultStatus.RUNNING, started_at=started_at
        ).update(status=TaskResultStatus.READY)
        if put_back:
            logger.warning(
                "Put task %s (%s) back in the queue: worker %s started again while it was "
                "still marked running.",
                task_id,
                task_path,
                worker_id,
            )
            released.append(str(task_id))
    return released


def tasks_reclaim(*, now: datetime.datetime | None = None) -> list[str]:
    """Put back in the queue every running task whose worker has not been seen for the
    lease (or that no worker of ours claimed, started longer ago than that), by the
    database's clock unless ``now`` is given. Each is put back only if nobody has claimed
    it again meanwhile. Returns their ids."""
    running = list(
        DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING)
        .annotate(database_now=Now())
        .values_list("id", "worker_ids", "started_at", "task_path", "database_now")
    )
    if not running:
        return []
    cutoff = (now or running[0][4]) - lease()
    running = [row[:4] for row in running]
    owners = {worker_ids[-1] for _, worker_ids, _, _ in running if worker_ids}
    seen = dict(
        TaskWorker.objects.filter(worker_id__in=owners, stopped_at__isnull=True).values_list(
            "worker_id", "last_seen_at"
        )
    )
    reclaimed = []
    for task_id, worker_ids, started_at, task_path in running:
        owner = worker_ids[-1] if worker_ids else None
        last_seen = seen.get(owner) or started_at
        if last_seen is not None and last_seen >= cutoff:
            continue
        put_back = DBTaskResult.objects.filter(
            pk=task_id, status=TaskResultStatus.RUNNING, started_at=started_at
        ).update(status=TaskResultStatus.READY)
        if put_back:
            logger.warning(
                "Put task %s (%s) back in the queue: its worker %s was last seen at %s.",
                task_id,
                task_path,
                owner or "(none)",
                last_seen.isoformat() if last_seen else "never",
            )
            reclaimed.append(str(task_id))
    return reclaimed


# --- the sweep ----------------------------------------------------------------------------


def certificates_without_pdf() -> list[int]:
    return list(
        Certificate.objects.filter(pdf_sha256="").order_by("pk").values_list("pk", flat=True)
    )


def fan_outs_unfinished() -> list[int]:
    """Material policy versions whose fan-out has not reached everyone: the newest material
    version of each policy without the audit entry a finished fan-out writes. An older
    version needs nothing more: the newest one's fan-out reaches its holders too."""
    newest: dict[int, tuple[int, str]] = {}
    for pk, policy_id, major, minor in (
        recertifying_versions()
        .order_by("policy_id", "-major", "-minor")
        .values_list("pk", "policy_id", "major", "minor")
    ):
        newest.setdefault(policy_id, (pk, f"{major}.{minor}"))
    if not newest:
        return []
    done = {
        (page_id, (data or {}).get("version"))
        for page_id, data in PageLogEntry.objects.filter(
            action=FAN_OUT_DONE, page_id__in=newest
        ).values_list("page_id", "data")
    }
    return [pk for policy_id, (pk, label) in newest.items() if (policy_id, label) not in done]


# --- reading jobs -------------------------------------------------------------------------

STATUS_WORDS = {
    TaskResultStatus.READY: "Queued",
    TaskResultStatus.RUNNING: "Running",
    TaskResultStatus.SUCCESSFUL: "Succeeded",
    TaskResultStatus.FAILED: "Failed",
}


def _plural(count, noun: str, plural: str = "") -> str:
    return f"{count} {noun if count == 1 else (plural or noun + 's')}"


def _names_for_fan_outs(args_list) -> dict[tuple, str]:
    ids = {args[0] for args in args_list if args}
    versions = {
        pk: f"{title} {major}.{minor}"
        for pk, title, major, minor in PolicyVersion.objects.filter(pk__in=ids).values_list(
            "pk", "title", "major", "minor"
        )
    }
    return {
        tuple(args): f"Recertification after {versions.get(args[0], 'a deleted policy version')}"
        for args in args_list
        if args
    }


def _names_for_certificates(args_list) -> dict[tuple, str]:
    ids = {args[0] for args in args_list if args}
    serials = dict(Certificate.objects.filter(pk__in=ids).values_list("pk", "serial"))
    return {
        tuple(args): f"Certificate PDF {serials.get(args[0], '(certificate deleted)')}"
        for args in args_list
        if args
    }


def _names_for_objects(label: str):
    """Wagtail's index jobs name an object by app label, model name and primary key: named
    in words by the model's verbose name, with no query."""

    def names(args_list) -> dict[tuple, str]:
        return {
            tuple(args): f"{label} for {_a_model(args[0], args[1])}"
            for args in args_list
            if len(args) == 3
        }

    return names


def _a_model(app_label: str, model_name: str) -> str:
    try:
        noun = str(apps.get_model(app_label, model_name)._meta.verbose_name)
    except LookupError:
        return "a record that no longer exists"
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


def _counts(value) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{key.replace('_', ' ')} {number}" for key, number in value.items())
    return "" if value is None else str(value)


def _opened_and_completed(value) -> str:
    if value is None:
        return ""
    if isinstance(value, int):  # recorded before refreshers opened
        return f"{_plural(value, 'recertification')} completed"
    return (
        f"{_plural(value.get('opened', 0), 'recertification')} opened, "
        f"{value.get('completed', 0)} completed"
    )


@dataclass(frozen=True)
class JobKind:
    name: str  # for jobs without arguments worth naming
    names: object = None  # callable: list of args -> {tuple(args): name}, in one query
    done: object = _counts  # callable: return value -> words


JOB_KINDS: dict[str, JobKind] = {
    "learning.tasks.recertify_after_policy_change": JobKind(
        "Recertification",
        _names_for_fan_outs,
        lambda n: (
            ""
            if n is None
            else f"{_plural(n, 'certificate')} marked for recertification"
            if n
            else "Nothing left to mark: everyone it affects had been reached already"
        ),
    ),
    "certificates.tasks.render_certificate": JobKind(
        "Certificate PDF", _names_for_certificates, lambda digest: "PDF stored" if digest else ""
    ),
    "learning.tasks.send_reminders": JobKind("Hourly expiries, windows and reminders"),
    "learning.tasks.complete_waiting_recertifications": JobKind(
        "Opening recertifications waiting for a republished course",
        done=lambda n: _opened_and_completed(n),
    ),
    "wagtail.tasks.update_reference_index_task": JobKind(
        "Reference index update", _names_for_objects("Reference index update")
    ),
    "modelsearch.tasks.insert_or_update_object_task": JobKind(
        "Search index update", _names_for_objects("Search index update")
    ),
    "modelsearch.tasks.delete_object_task": JobKind(
        "Search index removal", _names_for_objects("Search index removal")
    ),
    "assessments.tasks.close_expired_attempts": JobKind(
        "Close timed attempts at their deadline",
        done=lambda n: "" if n is None else f"{_plural(n, 'attempt')} closed",
    ),
}


@dataclass(frozen=True)
class JobRow:
    id: str
    name: str
    status: str  # READY, RUNNING, ...
    status_words: str
    enqueued_at: datetime.datetime
    run_after: datetime.datetime | None
    started_at: datetime.datetime | None
    finished_at: datetime.datetime | None
    done: str
    error: str  # the last line of the traceback
    traceback: str
    worker: str
    worker_alive: bool
    task_path: str
    arguments: str


def _last_line(traceback: str) -> str:
    lines = [line for line in (traceback or "").strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else ""


def job_rows(results: list[DBTaskResult], *, now: datetime.datetime | None = None) -> list[JobRow]:
    """Rows to show for task results, in a fixed number of queries: one per kind of job
    that has names to look up, and one for the workers."""
    by_path: dict[str, list] = {}
    for result in results:
        by_path.setdefault(result.task_path, []).append(result.args_kwargs.get("args") or [])
    names: dict[tuple[str, tuple], str] = {}
    for path, args_list in by_path.items():
        kind = JOB_KINDS.get(path)
        if kind and kind.names:
            for args, name in kind.names(args_list).items():
                names[(path, args)] = name
    owners = {result.worker_ids[-1] for result in results if result.worker_ids}
    alive = set(
        workers_alive(now=now).filter(worker_id__in=owners).values_list("worker_id", flat=True)
    )
    now = now or timezone.now()
    rows = []
    for result in results:
        kind = JOB_KINDS.get(result.task_path)
        args = tuple(result.args_kwargs.get("args") or [])
        fallback = kind.name if kind else result.task_path.rsplit(".", 1)[-1].replace("_", " ")
        owner = result.worker_ids[-1] if result.worker_ids else ""
        run_after = result.run_after if result.run_after.year < 9999 else None
        words = STATUS_WORDS.get(result.status, result.status.title())
        if result.status == TaskResultStatus.READY and run_after and run_after > now:
            words = "Scheduled"
        rows.append(
            JobRow(
                id=str(result.pk),
                name=names.get((result.task_path, args), fallback.capitalize()),
                status=result.status,
                status_words=words,
                enqueued_at=result.enqueued_at,
                run_after=run_after,
                started_at=result.started_at,
                finished_at=result.finished_at,
                done=(kind.done if kind else _counts)(result.return_value)
                if result.status == TaskResultStatus.SUCCESSFUL
                else "",
                error=_last_line(result.traceback)
                if result.status == TaskResultStatus.FAILED
                else "",
                traceback=result.traceback if result.status == TaskResultStatus.FAILED else "",
                worker=owner,
                worker_alive=owner in alive,
                task_path=result.task_path,
                arguments=", ".join(str(arg) for arg in args),
            )
        )
    return rows


# Wagtail's own housekeeping: keeping its reference and search indexes up to date after
# a save. Listed only on request: a demo or an import queues hundreds of them.
HOUSEKEEPING_PREFIXES = ("wagtail.", "modelsearch.")


def _housekeeping() -> Q:
    query = Q()
    for prefix in HOUSEKEEPING_PREFIXES:
        query |= Q(task_path__startswith=prefix)
    return query


def is_housekeeping(task_path: str) -> bool:
    return task_path.startswith(HOUSEKEEPING_PREFIXES)


def jobs_recent(*, housekeeping: bool = False):
    """The product's own jobs, newest first, for paging; Wagtail's index jobs as well with
    ``housekeeping``."""
    results = DBTaskResult.objects.order_by("-enqueued_at", "-pk")
    return results if housekeeping else results.exclude(_housekeeping())


def jobs_counts() -> tuple[int, int]:
    """How many of the product's own jobs there are, and how many of Wagtail's
    housekeeping, in one query."""
    counts = DBTaskResult.objects.aggregate(
        own=Count("pk", filter=~_housekeeping()), housekeeping=Count("pk", filter=_housekeeping())
    )
    return counts["own"], counts["housekeeping"]


def jobs_waiting(*, now: datetime.datetime | None = None) -> int:
    """Jobs due to run now that no worker has taken."""
    now = now or timezone.now()
    return (
        DBTaskResult.objects.filter(status=TaskResultStatus.READY)
        .filter(Q(run_after__lte=now) | Q(run_after=get_date_max()))
        .count()
    )


@dataclass(frozen=True)
class WorkerStatus:
    alive: list[TaskWorker]
    last_seen: datetime.datetime | None  # of any worker, alive or not
    waiting: int

    @property
    def stalled(self) -> bool:
        """Jobs are waiting and no worker is there to take them."""
        return self.waiting > 0 and not self.alive


def worker_status(*, now: datetime.datetime | None = None) -> WorkerStatus:
    alive = list(workers_alive(now=now).order_by("started_at"))
    newest = TaskWorker.objects.order_by("-last_seen_at").values_list("last_seen_at", flat=True)
    return WorkerStatus(alive=alive, last_seen=newest.first(), waiting=jobs_waiting(now=now))


def job_for_task(task, args: tuple) -> DBTaskResult | None:
    """The newest job of a task with these arguments, if one was queued in the database."""
    for result in DBTaskResult.objects.filter(task_path=task.module_path).order_by("-enqueued_at")[
        :50
    ]:
        if tuple(result.args_kwargs.get("args") or []) == tuple(args):
            return result
    return None
