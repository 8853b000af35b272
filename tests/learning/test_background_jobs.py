"""Background jobs: HR and trainers see them under Reports, the admin home warns when
jobs wait with no worker, jobs of a dead worker are put back, and the sweep queues the
work that should exist and does not, once."""

import datetime
import uuid
from unittest import mock

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from certificates.models import Certificate
from certificates.services import certificate_issue
from certificates.tasks import render_certificate
from cms.choices import ChangeKind
from learning.jobs import fan_outs_unfinished, tasks_reclaim, workers_alive
from learning.models import TaskWorker
from learning.tasks import missing_work_queue, recertify_after_policy_change, send_reminders
from learning.worker import HeartbeatWorker
from tests.cms.factories import DEFAULT_SECTIONS, revise, section
from tests.courses.factories import refunds_course
from tests.learning.factories import EmployeeFactory
from tests.learning.test_recertification import _publish_material_in_the_editor

pytestmark = pytest.mark.django_db

JOBS = reverse("learning_jobs")
QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def queue(settings):
    """Tasks go to the database queue, as under a real worker, instead of running now."""
    settings.TASKS = QUEUE


def _job(task, *args, status=TaskResultStatus.READY, **fields) -> DBTaskResult:
    result = DBTaskResult.objects.get(pk=task.enqueue(*args).id)
    for name, value in {"status": status, **fields}.items():
        setattr(result, name, value)
    result.save()
    return result


def _certificate(course) -> Certificate:
    person = EmployeeFactory()
    return certificate_issue(user=person.user, course=course)


def _material_revision(policy):
    return revise(
        policy,
        kind=ChangeKind.MATERIAL,
        summary="Forty-five days.",
        days=30,
        sections=[
            section("returns-window", "The returns window", "Within 45 days."),
            *DEFAULT_SECTIONS[1:],
        ],
    )


def _worker(worker_id="w-1", seen_ago=0, **fields) -> TaskWorker:
    seen = timezone.now() - datetime.timedelta(seconds=seen_ago)
    return TaskWorker.objects.create(
        worker_id=worker_id, hostname="box", pid=42, started_at=seen, last_seen_at=seen, **fields
    )


# --- who may see them ---------------------------------------------------------------------


@pytest.mark.parametrize("role", ["HR", "Trainers"])
def test_hr_and_trainers_see_the_jobs_page_and_its_menu_entry(client, make_user, role):
    client.force_login(make_user(role))
    response = client.get(JOBS)
    assert response.status_code == 200
    assert "No background jobs yet." in response.text
    assert JOBS in client.get(reverse("wagtailadmin_home")).text


@pytest.mark.parametrize("role", ["Managers", "Learners"])
def test_managers_and_learners_are_refused(client, make_user, role, queue):
    job = _job(render_certificate, 1)
    client.force_login(make_user(role))
    assert client.get(JOBS).status_code == 403
    assert client.get(reverse("learning_job", args=[job.pk])).status_code == 403


def test_an_admin_user_without_the_permission_is_refused(client, make_user, queue):
    editors = Group.objects.create(name="Admin only")
    editors.permissions.add(Permission.objects.get(codename="access_admin"))
    job = _job(render_certificate, 1)
    client.force_login(make_user("Admin only"))
    assert client.get(reverse("wagtailadmin_home")).status_code == 200
    assert client.get(JOBS).status_code == 403
    assert client.get(reverse("learning_job", args=[job.pk])).status_code == 403
    assert JOBS not in client.get(reverse("wagtailadmin_home")).text


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(JOBS)
    assert response.status_code == 302
    assert "login" in response["Location"]


# --- what the page says -------------------------------------------------------------------


def test_the_listing_names_each_job_and_says_how_it_went(client, hr_user, queue):
    course, policy = refunds_course(certificate_validity_months=12)
    certificate = _certificate(course)
    policy = _material_revision(policy)
    version = policy.current_version
    _worker("worker-alive-123456789")
    _job(
        recertify_after_policy_change,
        version.pk,
        status=TaskResultStatus.SUCCESSFUL,
        return_value=12,
        worker_ids=["worker-alive-123456789"],
        started_at=timezone.now(),
        finished_at=timezone.now(),
    )
    _job(
        recertify_after_policy_change,
        version.pk,
        status=TaskResultStatus.SUCCESSFUL,
        return_value=0,
        started_at=timezone.now(),
        finished_at=timezone.now(),
    )
    _job(render_certificate, certificate.pk, status=TaskResultStatus.RUNNING, worker_ids=["gone"])
    failed = _job(
        render_certificate,
        certificate.pk,
        status=TaskResultStatus.FAILED,
        traceback='Traceback (most recent call last):\n  File "x.py"\nOSError: font missing\n',
    )
    client.force_login(hr_user)
    html = client.get(JOBS).text
    assert f"Recertification after Refunds {version.label}" in html
    assert f"Certificate PDF {certificate.serial}" in html
    assert "12 certificates marked for recertification" in html
    # A run that found everyone reached already says so, rather than "0 marked".
    assert "Nothing left to mark: everyone it affects had been reached already" in html
    assert "0 certificates marked" not in html
    for words in ("Succeeded", "Running", "Failed", "Queued"):
        assert words in html
    assert "OSError: font missing" in html
    assert "Traceback" not in html  # the last line only; the whole of it on the job's page
    assert "worker-a<" in html
    assert "not seen lately" in html
    detail = client.get(reverse("learning_job", args=[failed.pk])).text
    assert "File &quot;x.py&quot;" in detail
    assert "What went wrong" in detail


@pytest.mark.parametrize("role, sees_traceback", [("HR", True), ("Trainers", False)])
def test_only_hr_read_a_failed_jobs_whole_traceback(client, make_user, queue, role, sees_traceback):
    """A traceback can quote a learner's data: trainers read only what went wrong."""
    failed = _job(
        render_certificate,
        1,
        status=TaskResultStatus.FAILED,
        traceback=(
            "Traceback (most recent call last):\n"
            '  File "render.py", line 9, in render\n'
            "    name = 'Jo Learner <jo@example.com>'\n"
            "OSError: font missing\n"
        ),
    )
    client.force_login(make_user(role))
    detail = client.get(reverse("learning_job", args=[failed.pk]))
    assert detail.status_code == 200
    assert "What went wrong" in detail.text
    assert "OSError: font missing" in detail.text
    assert ("jo@example.com" in detail.text) is sees_traceback
    assert ("Traceback (most recent call last)" in detail.text) is sees_traceback


def test_an_unknown_job_is_not_found(client, hr_user):
    client.force_login(hr_user)
    assert client.get(reverse("learning_job", args=[uuid.uuid4()])).status_code == 404
    assert client.get(f"{JOBS}not-a-uuid/").status_code == 404


def _jobs(count: int, course):
    for _ in range(count):
        certificate = _certificate(course)
        _job(render_certificate, certificate.pk, status=TaskResultStatus.SUCCESSFUL)


@pytest.mark.parametrize("count", [3, 30])
def test_the_listing_reads_a_fixed_number_of_queries(
    client, hr_user, queue, count, django_assert_max_num_queries
):
    course, _ = refunds_course()
    _jobs(count, course)
    _worker()
    client.force_login(hr_user)
    own = DBTaskResult.objects.exclude(task_path__startswith="wagtail.").exclude(
        task_path__startswith="modelsearch."
    )
    # Sixteen, and one for the Reports menu asking whether the user may edit any course.
    with django_assert_max_num_queries(17):
        response = client.get(JOBS)
    assert response.text.count('class="job-status ') == min(own.count(), 50)
    with django_assert_max_num_queries(17):
        response = client.get(f"{JOBS}?housekeeping=1")
    assert response.text.count('class="job-status ') == min(DBTaskResult.objects.count(), 50)


REFERENCE_INDEX = "wagtail.tasks.update_reference_index_task"
SEARCH_INDEX = "modelsearch.tasks.insert_or_update_object_task"


def _index_job(path, *args) -> DBTaskResult:
    return DBTaskResult.objects.create(
        task_path=path,
        args_kwargs={"args": list(args), "kwargs": {}},
        queue_name="default",
        backend_name="default",
        priority=0,
        run_after=timezone.now(),
        status=TaskResultStatus.READY,
    )


def test_wagtails_index_jobs_are_listed_only_on_request_and_named_in_words(client, trainer, queue):
    DBTaskResult.objects.all().delete()
    own = _job(render_certificate, 1)
    _index_job(REFERENCE_INDEX, "certificates", "certificate", "21")
    _index_job(SEARCH_INDEX, "cms", "policypage", "8")
    _index_job(SEARCH_INDEX, "gone", "nothing", "3")
    client.force_login(trainer)

    html = client.get(JOBS).text
    assert html.count('class="job-status ') == 1
    assert reverse("learning_job", args=[own.pk]) in html
    assert "Reference index update" not in html
    assert f"{JOBS}?housekeeping=1" in html
    assert "3 search and reference index updates" in html

    html = client.get(f"{JOBS}?housekeeping=1").text
    assert html.count('class="job-status ') == 4
    assert "Reference index update for a certificate" in html
    assert "Search index update for a policy page" in html
    assert "Search index update for a record that no longer exists" in html
    assert "certificates.certificate" not in html and "cms.policypage" not in html


@pytest.mark.parametrize("role, sees_path", [("HR", True), ("Trainers", False)])
def test_a_jobs_page_names_it_in_words_and_only_hr_see_the_task_path(
    client, make_user, queue, role, sees_path
):
    _, policy = refunds_course()
    version = _material_revision(policy).current_version
    job = _job(recertify_after_policy_change, version.pk)
    client.force_login(make_user(role))
    html = client.get(reverse("learning_job", args=[job.pk])).text
    assert f"Recertification after Refunds {version.label}" in html
    assert ("learning.tasks.recertify_after_policy_change" in html) is sees_path


def test_the_admin_home_warns_when_jobs_wait_and_no_worker_is_seen(client, hr_user, queue):
    client.force_login(hr_user)
    home = reverse("wagtailadmin_home")
    assert "Background jobs are waiting" not in client.get(home).text  # nothing waits
    _job(render_certificate, 1)
    _worker(seen_ago=3600)
    html = client.get(home).text
    assert "Background jobs are waiting" in html
    assert "1 job is waiting" in html
    assert JOBS in html
    _worker("w-2")  # a live worker: the job will be taken
    assert "Background jobs are waiting" not in client.get(home).text


def test_the_warning_is_not_shown_to_those_who_cannot_see_jobs(client, make_user, queue):
    editors = Group.objects.create(name="Admin only")
    editors.permissions.add(Permission.objects.get(codename="access_admin"))
    _job(render_certificate, 1)
    client.force_login(make_user("Admin only"))
    assert "Background jobs are waiting" not in client.get(reverse("wagtailadmin_home")).text


def test_a_stopped_worker_does_not_count_as_running(client, trainer, queue):
    _job(render_certificate, 1)
    _worker(stopped_at=timezone.now())
    client.force_login(trainer)
    html = client.get(JOBS).text
    assert "No worker is running" in html
    assert "1 job is waiting" in html


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_publish_message_links_to_the_job_it_queued(client, trainer, queue):
    # Committed as in a real request, so the job is queued before the message is made.
    course, policy = refunds_course(certificate_validity_months=12)
    _certificate(course)
    client.force_login(trainer)
    said = _publish_material_in_the_editor(client, policy)
    version = policy.versions.newest_first().first()
    job = DBTaskResult.objects.get(
        task_path=recertify_after_policy_change.module_path, args_kwargs__args=[version.pk]
    )
    message = next(m for m in said if "is being given a refresher" in m)
    assert reverse("learning_job", args=[job.pk]) in message
    page = client.get(reverse("learning_job", args=[job.pk])).text
    assert f"Recertification after Refunds {version.label}" in page
    assert "Queued" in page


# --- putting back the jobs of a dead worker -----------------------------------------------


def test_a_running_job_whose_worker_went_quiet_is_put_back(queue, settings):
    settings.TASK_WORKER_LEASE_SECONDS = 60
    _worker("dead", seen_ago=120)
    _worker("alive", seen_ago=5)
    started = timezone.now() - datetime.timedelta(minutes=5)
    orphan = _job(render_certificate, 1, status="RUNNING", worker_ids=["dead"], started_at=started)
    busy = _job(render_certificate, 2, status="RUNNING", worker_ids=["alive"], started_at=started)
    unowned = _job(render_certificate, 3, status="RUNNING", worker_ids=[], started_at=started)
    assert sorted(tasks_reclaim()) == sorted([str(orphan.pk), str(unowned.pk)])
    orphan.refresh_from_db()
    busy.refresh_from_db()
    assert orphan.status == TaskResultStatus.READY
    assert busy.status == TaskResultStatus.RUNNING
    assert tasks_reclaim() == []  # nothing twice


def test_a_job_claimed_again_meanwhile_is_left_alone(queue):
    _worker("dead", seen_ago=3600)
    result = _job(render_certificate, 1, status="RUNNING", worker_ids=["dead"])
    # Another worker put it back and claimed it a moment ago: its start time moved on.
    DBTaskResult.objects.filter(pk=result.pk).update(
        worker_ids=["dead", "other"], started_at=timezone.now()
    )
    _worker("other")
    assert tasks_reclaim() == []


def _fast_clock(hours: float):
    """This machine's clock running ``hours`` ahead of the database's."""
    real_now = timezone.now
    return mock.patch(
        "django.utils.timezone.now",
        lambda: real_now() + datetime.timedelta(hours=hours),
    )


def test_leases_are_judged_by_the_databases_clock(queue, settings):
    settings.TASK_WORKER_LEASE_SECONDS = 60
    _worker("alive", seen_ago=5)
    busy = _job(
        render_certificate, 1, status="RUNNING", worker_ids=["alive"], started_at=timezone.now()
    )
    with _fast_clock(hours=1):
        assert tasks_reclaim() == []
        assert list(workers_alive().values_list("worker_id", flat=True)) == ["alive"]
    busy.refresh_from_db()
    assert busy.status == TaskResultStatus.RUNNING


def test_a_worker_records_itself_by_the_databases_clock(queue):
    worker = HeartbeatWorker(
        queue_names=["default"],
        excluded_queue_names=[],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="fast-clock",
    )
    before = timezone.now()
    with _fast_clock(hours=1):
        worker._register()
        registered = TaskWorker.objects.get(worker_id="fast-clock")
        worker._beat()
        beaten = TaskWorker.objects.get(worker_id="fast-clock")
    after = timezone.now()
    for moment in (registered.started_at, registered.last_seen_at, beaten.last_seen_at):
        assert before - datetime.timedelta(seconds=5) <= moment <= after


# --- the sweep ----------------------------------------------------------------------------


def test_the_sweep_queues_each_missing_pdf_once(queue):
    course, _ = refunds_course()
    first, second = _certificate(course), _certificate(course)
    DBTaskResult.objects.all().delete()  # as if the renders queued at issue were lost
    Certificate.objects.filter(pk=second.pk).update(pdf_sha256="0" * 64)
    assert missing_work_queue() == {"pdfs_queued": 1, "fan_outs_queued": 0, "workers_removed": 0}
    assert missing_work_queue() == {"pdfs_queued": 0, "fan_outs_queued": 0, "workers_removed": 0}
    DBTaskResult.objects.update(status=TaskResultStatus.RUNNING)
    assert missing_work_queue()["pdfs_queued"] == 0  # running: not a second copy
    jobs = DBTaskResult.objects.filter(task_path=render_certificate.module_path)
    assert [job.args_kwargs["args"] for job in jobs] == [[first.pk]]


def test_the_sweep_queues_an_unfinished_fan_out_once(queue, django_capture_on_commit_callbacks):
    course, policy = refunds_course(certificate_validity_months=12)
    _certificate(course)
    with django_capture_on_commit_callbacks(execute=True):
        policy = _material_revision(policy)
    version = policy.current_version
    assert fan_outs_unfinished() == [version.pk]
    DBTaskResult.objects.all().delete()  # its worker died and the row was lost with it
    assert missing_work_queue()["fan_outs_queued"] == 1
    assert missing_work_queue()["fan_outs_queued"] == 0
    # The fan-out runs to the end: nothing more to queue.
    recertify_after_policy_change.call(version.pk)
    assert fan_outs_unfinished() == []


def test_the_sweep_removes_workers_stopped_or_unseen_for_a_week(queue):
    week = 7 * 24 * 3600
    _worker(
        "stopped-long-ago",
        seen_ago=week + 3600,
        stopped_at=timezone.now() - datetime.timedelta(days=8),
    )
    _worker("unseen-for-8-days", seen_ago=week + 3600)
    _worker(
        "stopped-yesterday",
        seen_ago=24 * 3600,
        stopped_at=timezone.now() - datetime.timedelta(days=1),
    )
    _worker("unseen-for-6-days", seen_ago=week - 24 * 3600)
    _worker("alive", seen_ago=5)
    assert missing_work_queue()["workers_removed"] == 2
    assert set(TaskWorker.objects.values_list("worker_id", flat=True)) == {
        "stopped-yesterday",
        "unseen-for-6-days",
        "alive",
    }
    assert missing_work_queue()["workers_removed"] == 0


def test_the_command_says_what_it_put_back_and_queued(queue, capsys):
    course, _ = refunds_course()
    _certificate(course)
    DBTaskResult.objects.all().delete()
    _worker("dead", seen_ago=3600)
    _worker("gone-for-a-fortnight", seen_ago=14 * 24 * 3600)
    _job(render_certificate, 999, status="RUNNING", worker_ids=["dead"])
    call_command("queue_missing_work")
    assert capsys.readouterr().out.strip() == (
        "Put back 1 task of workers not seen; queued 1 certificate PDF and "
        "0 recertification fan-outs; removed 1 worker record stopped or unseen for a week."
    )


def test_the_hourly_job_runs_the_sweep(queue):
    course, _ = refunds_course()
    certificate = _certificate(course)
    DBTaskResult.objects.all().delete()
    result = send_reminders.call()
    assert result["pdfs_queued"] == 1
    assert DBTaskResult.objects.filter(
        task_path=render_certificate.module_path, args_kwargs__args=[certificate.pk]
    ).exists()
