"""Under production settings without CACHE_URL, rate limits hold across processes: two
separate processes against the same database share one client's /verify/ allowance,
and ``migrate`` makes the cache table so nobody has to remember to."""

import os
import secrets
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# 20 lookups from one client; prints how many were allowed and the minute(s) they fell in.
LOOKUPS = """
import time
from django.test import RequestFactory
from certificates.views import WINDOW_SECONDS, _over_limit
request = RequestFactory().get("/verify/x/", REMOTE_ADDR="{client}")
start = int(time.time()) // WINDOW_SECONDS
allowed = sum(not _over_limit(request) for _ in range(20))
print(allowed, start, int(time.time()) // WINDOW_SECONDS)
"""


def lookups(env, client: str) -> tuple[int, set[int]]:
    allowed, start, end = manage(env, "shell", "-c", LOOKUPS.format(client=client)).split()[-3:]
    return int(allowed), {int(start), int(end)}


def production_env(database: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"CACHE_URL", "DJANGO_SETTINGS_MODULE", "DATABASE_URL"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="cms.settings.production",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="training.example.com",
        DATABASE_URL=f"sqlite:///{database}",
        VERIFY_LOOKUPS_PER_MINUTE="30",
    )
    return env


def manage(env, *args) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_two_processes_share_one_verify_allowance(tmp_path):
    database = tmp_path / "shared.sqlite3"
    env = production_env(database)

    # Any migrate makes the database cache's table (here, the smallest one there is).
    manage(env, "migrate", "contenttypes", "-v0")
    tables = {row[0] for row in sqlite3.connect(database).execute("SELECT name FROM sqlite_master")}
    assert "cms_cache" in tables

    # The allowance is per minute: a run that straddles two minutes is tried again with
    # another client.
    for attempt in range(3):
        client = f"198.51.100.{attempt + 1}"
        first, first_minutes = lookups(env, client)
        second, second_minutes = lookups(env, client)
        if len(first_minutes | second_minutes) == 1:
            break
    # 30 a minute in all: the second process sees what the first used.
    assert (first, second) == (20, 10)
