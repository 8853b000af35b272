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

from bench.harness import HEADER, compare  # noqa: E402
from cms.models import PolicyPage  # noqa: E402
from courses.models import CoursePage  # noqa: E402
from learning.models import Employee  # noqa: E402
from learning.services import assignments_create  # noqa: E402
from tests.courses.factories import WINDOW_CHECK, excerpt, make_course, text  # noqa: E402


def ok(client: Client, url: str):
    def fetch():
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        return response

    return fetch


def module_of_30_blocks() -> str:
    """A module as long as a real one gets: text, excerpts, dialogue, callouts and checks."""
    policy = PolicyPage.objects.get(slug="refunds-and-returns")
    key = policy.current_version.sections[0]["key"]
    dialogue = {
        "type": "example_dialogue",
        "value": {
            "title": "Owning the problem",
            "lines": [
                {"speaker": "customer", "line": "This is the third time I have called."},
                {"speaker": "staff", "line": "Sorry. I will stay with this until it is fixed."},
            ],
            "verdict": "good",
            "why": "It acknowledges the history and commits to an outcome.",
        },
    }
    callout = {"type": "callout", "value": {"title": "Key behaviour", "text": "<p>Name it.</p>"}}
    kinds = [
        text("<p>Listen to the whole story before you answer.</p>"),
        excerpt(policy, key),
        dialogue,
        callout,
        WINDOW_CHECK,
    ]
    course = make_course(
        "Benchmark Course",
        policies=[policy],
        modules=[("Everything at once", [kinds[n % len(kinds)] for n in range(30)])],
    )
    return f"/learn/courses/{course.slug}/{course.get_modules().get().slug}/"


def learner_with_40_assignments() -> Client:
    user = get_user_model().objects.create_user(email="busy@example.com")
    employee = Employee.objects.create(user=user, employee_number="BENCH-1")
    courses = [
        make_course(f"Benchmark Topic {n}", modules=[("One", []), ("Two", [])]) for n in range(40)
    ]
    for course in courses:
        assignments_create(employees=[employee], course=course)
    client = Client()
    client.force_login(user)
    return client


def run() -> list:
    call_command("seed_demo", verbosity=0)
    anonymous = Client()
    agent = Client()
    agent.force_login(get_user_model().objects.get(email="agent@example.com"))
    baseline = ok(anonymous, "/healthz")
    module_url = module_of_30_blocks()
    agent_employee = Employee.objects.get(user__email="agent@example.com")
    assignments_create(
        employees=[agent_employee], course=CoursePage.objects.get(slug="benchmark-course")
    )
    busy = learner_with_40_assignments()
    return [
        compare("module page, 30 blocks", ok(agent, module_url), baseline),
        compare("/learn/ with 40 assignments", ok(busy, "/learn/"), baseline),
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
    # No setup_test_environment(): its template instrumentation would slow every
    # rendered page and flatter the baseline, which renders none.
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        results = run()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    print(f"database: {connection.vendor}; ratios are target time / /healthz time")
    print(HEADER)
    for result in results:
        print(result.line())
    return 0


if __name__ == "__main__":
    sys.exit(main())
