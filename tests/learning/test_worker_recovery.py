"""A worker killed with SIGKILL half way through a task loses nothing: a new worker puts
the task back once its lease has run out, and everything is done exactly once. Real
worker processes on the test database (a file copy of it on SQLite)."""

import logging
import os
import signal
import time
from contextlib import contextmanager

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import OperationalError, connection
from django.db.models import Count
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from wagtail.models import PageLogEntry

from certificates.choices import CertificateStatus
from certificates.models import Certificate, CertificateVersion
from certificates.services import certificate_issue
from certificates.tasks import render_certificate
from learning.choices import AssignmentReason
from learning.models import Assignment, Employee, TaskWorker
from learning.tasks import complete_waiting_recertifications, recertify_after_policy_change
from learning.worker import HeartbeatWorker
from tests.courses.factories import refunds_course
from tests.learning.factories import EmployeeFactory
from tests.learning.test_background_jobs import QUEUE, _material_revision
from tests.processes import shared_database, wait_for

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

LEASE = 2
HOLDERS = 240
TASKS_TABLE = DBTaskResult._meta.db_table
ASSIGNMENTS_TABLE = Assignment._meta.db_table


@pytest.fixture
def queue(settings):
    settings.TASKS = QUEUE


def _certified_in_bulk(course, version, count: int) -> None:
    """Holders of a valid certificate on ``version``, made in bulk (their PDFs stored)."""
    password = make_password(None)
    users = get_user_model().objects.bulk_create(
        get_user_model()(email=f"holder-{n}@example.com", password=password) for n in range(count)
    )
    Employee.objects.bulk_create(
        Employee(user=user, employee_number=f"H-{n}") for n, user in enumerate(users)
    )
    certificates = Certificate.objects.bulk_create(
        Certificate(
            serial=f"H-{n:06d}",
            code=f"holder-{n:06d}",
            user=user,
            course=course,
            learner_name=user.email,
            course_title=course.title,
            version_set=str(version.pk),
            issued_on=timezone.localdate(),
            pdf="certificates/stored.pdf",
            pdf_sha256="0" * 64,
        )
        for n, user in enumerate(users)
    )
    CertificateVersion.objects.bulk_create(
        CertificateVersion(
            certificate=certificate,
            version=version,
            policy_title=version.title,
            label=version.label,
            content_hash=version.content_hash,
        )
        for certificate in certificates
    )


def _running(db, task) -> int:
    return db.scalar(
        f"SELECT COUNT(*) FROM {TASKS_TABLE} WHERE task_path = %s AND status = %s",  # noqa: S608
        (task.module_path, TaskResultStatus.RUNNING),
    )


def _kill(process) -> None:
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def _finish_with_a_new_worker(db) -> str:
    """A second worker, started once the dead one's lease has run out, works through the
    queue and stops. Returns what it printed."""
    time.sleep(LEASE + 0.5)
    worker = db.start("worker", "--batch", "--no-startup-delay", "--interval", "0.2")
    output, _ = worker.communicate(timeout=240)
    assert worker.returncode == 0, output
    return output


def test_a_fan_out_killed_half_way_is_finished_once_by_the_next_worker(queue, tmp_path):
    course, policy = refunds_course(certificate_validity_months=12)
    _certified_in_bulk(course, policy.current_version, HOLDERS)
    policy = _material_revision(policy)  # queues the fan-out; nobody runs it yet
    version = policy.current_version
    with shared_database(
        tmp_path, TASK_WORKER_LEASE_SECONDS=str(LEASE), RECERTIFICATION_BATCH_SIZE="1"
    ) as db:
        worker = db.start("worker", "--no-startup-delay", "--interval", "0.2")

        def half_way():
            made = db.scalar(
                f"SELECT COUNT(*) FROM {ASSIGNMENTS_TABLE} WHERE policy_version_id = %s",  # noqa: S608
                (version.pk,),
            )
            return HOLDERS // 4 < made < HOLDERS // 2 and _running(
                db, recertify_after_policy_change
            )

        wait_for(half_way, timeout=120, every=0.01, what="the fan-out to be half way")
        _kill(worker)
        assert _running(db, recertify_after_policy_change) == 1  # left running by the dead
        output = _finish_with_a_new_worker(db)
    assert "back in the queue" in output
    per_holder = (
        Assignment.objects.filter(
            course=course, reason=AssignmentReason.RECERTIFICATION, policy_version=version
        )
        .values("employee_id")
        .annotate(n=Count("pk"))
    )
    assert len(per_holder) == HOLDERS
    assert {row["n"] for row in per_holder} == {1}
    assert set(Certificate.objects.filter(course=course).values_list("status", flat=True)) == {
        CertificateStatus.RECERTIFICATION_DUE
    }
    jobs = DBTaskResult.objects.filter(task_path=recertify_after_policy_change.module_path)
    assert set(jobs.values_list("status", flat=True)) == {TaskResultStatus.SUCCESSFUL}
    assert PageLogEntry.objects.filter(
        page_id=policy.pk, action="learning.recertification", data__version=version.label
    ).exists()


def test_a_certificate_render_killed_half_way_is_finished_by_the_next_worker(queue, tmp_path):
    course, _ = refunds_course(certificate_validity_months=12)
    certificates = [
        certificate_issue(user=EmployeeFactory().user, course=course) for _ in range(4)
    ]  # each queues its PDF
    with shared_database(tmp_path, TASK_WORKER_LEASE_SECONDS=str(LEASE)) as db:
        worker = db.start("worker", "--no-startup-delay", "--interval", "0.2")
        wait_for(
            lambda: _running(db, render_certificate),
            timeout=120,
            every=0.01,
            what="a certificate to be rendering",
        )
        _kill(worker)
        assert _running(db, render_certificate) == 1
        left = db.scalar(
            f"SELECT COUNT(*) FROM {Certificate._meta.db_table} WHERE pdf_sha256 = ''"  # noqa: S608
        )
        assert left >= 1
        output = _finish_with_a_new_worker(db)
    assert "back in the queue" in output
    for certificate in certificates:
        certificate.refresh_from_db()
        assert certificate.pdf_sha256
        assert certificate.pdf.storage.exists(certificate.pdf.name)
    jobs = DBTaskResult.objects.filter(task_path=render_certificate.module_path)
    # One job per certificate: the sweep at start queued no second copy of any.
    assert sorted(job.args_kwargs["args"][0] for job in jobs) == sorted(
        certificate.pk for certificate in certificates
    )
    assert set(jobs.values_list("status", flat=True)) == {TaskResultStatus.SUCCESSFUL}


# --- in one process -----------------------------------------------------------------------


def _worker(worker_id: str) -> HeartbeatWorker:
    """A worker that runs what is queued and stops, as ``manage.py worker --batch``."""
    return HeartbeatWorker(
        queue_names=["default"],
        excluded_queue_names=[],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        sweep=False,
    )


def _claimed_by(worker_id: str, course_id: int) -> DBTaskResult:
    result = DBTaskResult.objects.get(pk=complete_waiting_recertifications.enqueue(course_id).id)
    result.claim(worker_id)
    return result


def test_a_worker_restarted_under_its_id_runs_again_the_task_it_died_holding(queue, caplog):
    """Under systemd or Kubernetes a worker comes back with the same --worker-id, before
    any lease runs out; it takes up again what it held, and nobody else's task."""
    held = _claimed_by("worker-0", 998)
    others = _claimed_by("worker-1", 999)
    _worker("worker-1")._register()  # alive elsewhere
    with caplog.at_level(logging.WARNING, logger="learning.jobs"):
        _worker("worker-0").run()
    held.refresh_from_db()
    others.refresh_from_db()
    assert held.status == TaskResultStatus.SUCCESSFUL
    assert held.worker_ids == ["worker-0", "worker-0"]
    assert others.status == TaskResultStatus.RUNNING
    assert f"Put task {held.pk}" in caplog.text
    assert "worker-0 started again" in caplog.text
    assert str(others.pk) not in caplog.text


@contextmanager
def _heartbeats_locked():
    """The database refuses the heartbeats of running tasks, as SQLite does while the web
    server holds its write lock."""

    def refuse(execute, sql, params, many, context):
        if (
            sql.startswith("UPDATE")
            and TaskWorker._meta.db_table in sql
            and "current_task_id" in sql
            and "stopped_at" not in sql
        ):
            raise OperationalError("database is locked")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(refuse):
        yield


def test_a_locked_database_during_a_heartbeat_does_not_stop_the_worker(queue, caplog):
    first = complete_waiting_recertifications.enqueue(998)
    second = complete_waiting_recertifications.enqueue(999)
    with caplog.at_level(logging.ERROR, logger="learning.jobs"), _heartbeats_locked():
        _worker("worker-0").run()  # returns once the queue is empty, without raising
    statuses = DBTaskResult.objects.filter(pk__in=[first.id, second.id]).values_list(
        "status", flat=True
    )
    assert list(statuses) == [TaskResultStatus.SUCCESSFUL] * 2
    assert "could not record its heartbeat" in caplog.text
    assert "database is locked" in caplog.text
    assert TaskWorker.objects.get(worker_id="worker-0").stopped_at is not None
