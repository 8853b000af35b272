"""Production settings refuse to start half-configured; SQLite is set up for concurrent writers."""

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db.backends.sqlite3.base import DatabaseWrapper

from cms.settings.base import database_config

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "SECRET_KEY": "x" * 24 + "-production-check-key-that-is-long-enough-1234",
    "ALLOWED_HOSTS": "training.example.com",
    "DATABASE_URL": "sqlite:///" + str(ROOT / ".deploy-check.sqlite3"),
}


def run_manage(*args, env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in PRODUCTION_ENV and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    clean.update(env, DJANGO_SETTINGS_MODULE="cms.settings.production")
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("missing", sorted(PRODUCTION_ENV))
def test_production_refuses_without_each_required_variable(missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert missing in lines[0]


def test_production_refuses_a_short_secret_key():
    result = run_manage("check", env={**PRODUCTION_ENV, "SECRET_KEY": "short"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_passes_the_deployment_checklist():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr


SHOW_ADDRESS = (
    "from django.conf import settings; print(settings.BASE_URL, settings.WAGTAILADMIN_BASE_URL)"
)


def test_production_links_default_to_https_on_the_first_allowed_host():
    env = {
        **PRODUCTION_ENV,
        "ALLOWED_HOSTS": "localhost,127.0.0.1,.example.org,training.example.com",
    }
    result = run_manage("shell", "-c", SHOW_ADDRESS, env={**env, "BASE_URL": ""})
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == ["https://example.org", "https://example.org"]


def test_production_links_take_base_url_when_given():
    env = {**PRODUCTION_ENV, "BASE_URL": "https://learn.example.com/"}
    result = run_manage("shell", "-c", SHOW_ADDRESS, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == [
        "https://learn.example.com",
        "https://learn.example.com",
    ]


def sqlite_settings(path: Path) -> dict:
    config = database_config()
    config["NAME"] = str(path)
    return {
        **config,
        "TIME_ZONE": None,
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": False,
        "AUTOCOMMIT": True,
        "ATOMIC_REQUESTS": False,
        "TEST": {},
    }


@pytest.fixture
def sqlite_file(tmp_path, monkeypatch, django_db_blocker):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with django_db_blocker.unblock():
        yield sqlite_settings(tmp_path / "site.sqlite3")


def test_sqlite_default_uses_wal_and_immediate_transactions(sqlite_file):
    assert sqlite_file["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    wrapper = DatabaseWrapper(sqlite_file, alias="wal-check")
    with wrapper.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
    wrapper.close()


def test_concurrent_sqlite_writers_wait_instead_of_failing(sqlite_file):
    setup = DatabaseWrapper(sqlite_file, alias="setup")
    with setup.cursor() as cursor:
        cursor.execute("CREATE TABLE counter (n INTEGER)")
        cursor.execute("INSERT INTO counter VALUES (0)")
    setup.close()
    errors: list[Exception] = []

    def writer():
        # Read-then-write, as a service does; with deferred transactions two of these
        # deadlock on the upgrade to a write lock and one fails with "database is locked".
        connection = DatabaseWrapper(sqlite_file, alias="writer")
        try:
            for _ in range(5):
                connection.ensure_connection()
                connection.set_autocommit(
                    False, force_begin_transaction_with_broken_autocommit=True
                )
                with connection.cursor() as cursor:
                    cursor.execute("SELECT n FROM counter")
                    value = cursor.fetchone()[0]
                    time.sleep(0.01)
                    cursor.execute("UPDATE counter SET n = %s", [value + 1])
                connection.commit()
                connection.set_autocommit(True)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    check = DatabaseWrapper(sqlite_file, alias="check")
    with check.cursor() as cursor:
        cursor.execute("SELECT n FROM counter")
        assert cursor.fetchone()[0] == 20
    check.close()
