"""``manage.py serve`` (what ``make run`` starts) runs the web server and the background
worker together, and one Ctrl-C stops both: real processes on a free port."""

import signal
import socket
import urllib.request
from pathlib import Path

import pytest
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from assessments.tasks import close_expired_attempts
from tests.processes import is_gone, shared_database, wait_for

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _children(pid: int) -> set[int]:
    found = set()
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        if f"\nPPid:\t{pid}\n" in text:
            found.add(int(status.parent.name))
    return found


def _processes_marked(mark: str) -> set[int]:
    """Live processes started with this value in their environment."""
    found = set()
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if f"SERVE_TEST_MARK={mark}".encode() in environ.read_bytes().split(b"\0"):
                pid = int(environ.parent.name)
                if not is_gone(pid):
                    found.add(pid)
        except OSError:
            continue
    return found


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310
            return response.status == 200
    except OSError:
        return False


def test_one_command_serves_pages_runs_jobs_and_stops_on_ctrl_c(settings, tmp_path):
    settings.TASKS = QUEUE
    job = close_expired_attempts.enqueue()
    port = _free_port()
    with shared_database(tmp_path, SERVE_TEST_MARK=str(tmp_path)) as db:
        serve = db.start("serve", f"127.0.0.1:{port}", "--noreload")
        try:
            wait_for(
                lambda: _answers(f"http://127.0.0.1:{port}/healthz"),
                timeout=90,
                what="the page",
            )
            wait_for(
                lambda: (
                    db.scalar(
                        f"SELECT status FROM {DBTaskResult._meta.db_table} WHERE id = %s",  # noqa: S608
                        (job.id.replace("-", "") if db.path else job.id,),
                    )
                    == TaskResultStatus.SUCCESSFUL
                ),
                timeout=90,
                what="the queued job to be done",
            )
            children = _children(serve.pid)
            assert len(children) == 2  # the web server and the worker
        finally:
            serve.send_signal(signal.SIGINT)
            output, _ = serve.communicate(timeout=60)
    assert serve.returncode == 0, output
    assert all(is_gone(pid) for pid in children)
    assert not _processes_marked(str(tmp_path))
    assert not _answers(f"http://127.0.0.1:{port}/healthz")


def test_a_server_that_cannot_start_stops_the_worker_and_says_so(tmp_path):
    with socket.socket() as taken, shared_database(tmp_path, SERVE_TEST_MARK=str(tmp_path)) as db:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        serve = db.start("serve", f"127.0.0.1:{port}", "--noreload")
        output, _ = serve.communicate(timeout=90)
    assert serve.returncode != 0
    assert output.strip().splitlines()[-1] == (
        "CommandError: The web server stopped (exit code 1), so everything was stopped."
    )
    assert not _processes_marked(str(tmp_path))  # the worker was stopped too
