"""Running the product's own commands as real processes against the test database: on
PostgreSQL the test database itself; on SQLite, whose test database lives in memory, a
copy in a file that is copied back when the processes are done."""

import os
import sqlite3
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection

MANAGE = str(Path(settings.BASE_DIR) / "manage.py")


class SharedDatabase:
    def __init__(self, env: dict, path: Path | None):
        self.env = env
        self.path = path

    def scalar(self, sql: str, params=()):
        """One value, read as another process would see it now."""
        if self.path is not None:
            with sqlite3.connect(self.path, timeout=20) as db:
                return db.execute(sql.replace("%s", "?"), params).fetchone()[0]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()[0]

    def start(self, *args: str, **env) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, MANAGE, *args],
            env={**self.env, **env},
            cwd=settings.BASE_DIR,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )


@contextmanager
def shared_database(tmp_path: Path, **env):
    """Yield a SharedDatabase whose ``env`` points a subprocess at the test database (with
    the database task queue and this test's media folder)."""
    base = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "SQLITE_PATH", "DJANGO_SETTINGS_MODULE"}
    }
    base.update(
        DJANGO_SETTINGS_MODULE="cms.settings.dev",
        MEDIA_ROOT=str(settings.MEDIA_ROOT),
        PYTHONUNBUFFERED="1",
        **env,
    )
    if connection.vendor != "sqlite":
        db = connection.settings_dict
        base["DATABASE_URL"] = (
            f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}"
        )
        yield SharedDatabase(base, None)
        return
    path = tmp_path / "shared.sqlite3"
    connection.ensure_connection()
    with sqlite3.connect(path) as copy:
        connection.connection.backup(copy)
    base["SQLITE_PATH"] = str(path)
    try:
        yield SharedDatabase(base, path)
    finally:
        with sqlite3.connect(path) as source:
            source.backup(connection.connection)


def wait_for(condition, *, timeout: float, every: float = 0.05, what: str = "it"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"Gave up waiting for {what} after {timeout} s")


def is_gone(pid: int) -> bool:
    """Ended (a zombie that nobody has reaped yet counts as ended)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            return any(line.startswith("State:\tZ") for line in status)
    except FileNotFoundError:
        return True
