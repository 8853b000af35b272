"""Run the whole product on one machine: the development web server and the background
worker, as two child processes stopped together."""

import contextlib
import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cms.site_address import ServingAddressError, default_site_adopt_serving_address

# How long the worker may take to finish the task in hand after Ctrl-C; after that it is
# killed, and the task is taken up again by the next worker once its lease runs out.
STOP_GRACE_SECONDS = 10
POLL_SECONDS = 0.2


class Command(BaseCommand):
    help = (
        "Start the development web server and the background worker (manage.py worker) "
        "together. Ctrl-C stops both; if either stops, the other is stopped too."
    )

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument(
            "--noreload", action="store_true", help="Do not reload the web server on changes."
        )

    def handle(self, *args, addrport: str, noreload: bool, **options):
        try:
            default_site_adopt_serving_address(addrport)
        except ServingAddressError as exc:
            raise CommandError(str(exc)) from exc
        manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
        web = [*manage, "runserver", addrport, *(["--noreload"] if noreload else [])]
        children = {}
        stop = {"signal": None}

        def request_stop(signum, frame):
            stop["signal"] = signum

        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)
        try:
            for name, command in (("web server", web), ("worker", [*manage, "worker"])):
                try:
                    # Each child leads its own process group, so that the group (runserver's
                    # reloader and the process it serves from) stops as one, and Ctrl-C in
                    # the terminal reaches only this command, which passes it on.
                    children[name] = subprocess.Popen(command, start_new_session=True)  # noqa: S603
                except OSError as exc:
                    raise CommandError(f"Could not start the {name}: {exc}") from exc
            failed = self._watch(children, stop)
        finally:
            _stop_all(children)
        if failed:
            name, code = failed
            raise CommandError(f"The {name} stopped (exit code {code}), so everything was stopped.")

    def _watch(self, children, stop) -> tuple[str, int] | None:
        """Wait for Ctrl-C (None) or for a child to end on its own (its name and code)."""
        while stop["signal"] is None:
            for name, process in children.items():
                code = process.poll()
                if code is not None:
                    return name, code
            time.sleep(POLL_SECONDS)
        return None


def _signal_group(process, signum) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signum)


def _stop_all(children) -> None:
    """SIGINT to every child's group, a grace period, then SIGKILL to what is left."""
    for process in children.values():
        _signal_group(process, signal.SIGINT)
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for process in children.values():
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        # Whatever is left of the group (a reloader's child, say) goes too.
        _signal_group(process, signal.SIGKILL)
        process.wait()
