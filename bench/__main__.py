"""Run every benchmark against a throwaway database and print one line each."""

import logging
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.test")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment, teardown_test_environment  # noqa: E402

from bench.harness import HEADER, compare  # noqa: E402


def ok(client: Client, url: str):
    def fetch():
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        return response

    return fetch


def run() -> list:
    call_command("seed_demo", verbosity=0)
    anonymous = Client()
    agent = Client()
    agent.force_login(get_user_model().objects.get(email="agent@example.com"))
    baseline = ok(anonymous, "/healthz")
    return [
        compare("sign-in page /accounts/login/", ok(anonymous, "/accounts/login/"), baseline),
        compare(
            "policy page /policies/refunds-and-returns/",
            ok(agent, "/policies/refunds-and-returns/"),
            baseline,
        ),
        compare(
            "policy changes 1.1 -> 2.0",
            ok(agent, "/policies/refunds-and-returns/changes/1.1/2.0/"),
            baseline,
        ),
        compare(
            "policy history",
            ok(agent, "/policies/refunds-and-returns/versions/"),
            baseline,
        ),
    ]


def main() -> int:
    logging.disable(logging.INFO)  # the demo's publish messages would bury the figures
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        results = run()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()
    print(f"database: {connection.vendor}; ratios are target time / /healthz time")
    print(HEADER)
    for result in results:
        print(result.line())
    return 0


if __name__ == "__main__":
    sys.exit(main())
