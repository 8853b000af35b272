"""Run every benchmark against a throwaway database and print one line each.

``python -m bench compliance`` (or ``recertification``, or ``policy-impact``) runs that
benchmark alone."""

import logging
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.test")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import QueryDict  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

from assessments.answers import form_fields  # noqa: E402
from assessments.services import (  # noqa: E402
    answer_name,
    attempt_save,
    attempt_start,
    served_items,
)
from bench import certificates as certificate_bench  # noqa: E402
from bench import compliance as compliance_bench  # noqa: E402
from bench import policy_impact as policy_impact_bench  # noqa: E402
from bench import recertification as recertification_bench  # noqa: E402
from bench.harness import HEADER, compare  # noqa: E402
from cms.models import PolicyPage  # noqa: E402
from courses.models import CoursePage  # noqa: E402
from learning.models import Employee  # noqa: E402
from learning.services import assignments_create, scenario_run_start  # noqa: E402
from tests.assessments.factories import SAMPLES, make_assessment, make_question  # noqa: E402
from tests.courses.factories import (  # noqa: E402
    WINDOW_CHECK,
    choice,
    excerpt,
    make_course,
    make_scenario,
    scene,
    text,
)


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


def role_play_round_trip(user) -> object:
    """Reply on the current step, then load the next: what one click costs a learner.

    The role-play is a chain long enough for every timed and warm-up call to have a
    step of its own."""
    length = 120
    steps = [
        scene(
            f"s{n}",
            f"Customer line {n}: I still need an answer about my order.",
            choice(f"Reply {n}: let me check that for you.", f"s{n + 1}", communication=1),
            choice(f"Reply {n}: that is not my department.", "lost", communication=-1),
            choice(f"Reply {n}: please hold.", "lost", de_escalation=-1),
        )
        for n in range(length)
    ]
    steps[-1]["value"]["choices"][0]["next_step"] = "resolved"
    steps.append(scene("resolved", "Thanks.", outcome="resolved", debrief="Done."))
    steps.append(scene("lost", "Goodbye.", outcome="customer_lost", debrief="Lost."))
    course = make_course("Benchmark Role-play", modules=[], open_to_all=True)
    scenario = make_scenario(course, "Long call", steps=steps)
    run = scenario_run_start(user=user, course=course, scenario=scenario, mode="practice")
    graph = run.script.graph
    url = f"/learn/courses/{course.slug}/role-plays/{scenario.slug}/runs/{run.public_id}/"
    client = Client()
    client.force_login(user)
    turn = iter(range(length))

    def round_trip():
        n = next(turn)
        step = graph.by_key[f"s{n}"]
        posted = client.post(url, {"step": step.key, "turn": n, "choice": step.choices[0].id})
        if posted.status_code != 302:
            raise RuntimeError(f"the reply on step {n} answered {posted.status_code}")
        return ok(client, url)()

    return round_trip


def submit_50_questions() -> object:
    """Submit a fully answered 50-question attempt and follow to the result: grading on
    the server from stored answers. Each call needs an attempt of its own, so one learner
    per call is made ready beforehand."""
    questions = [
        make_question(
            "single_choice",
            SAMPLES["single_choice"][0],
            title=f"Benchmark question {n}",
            bank="Benchmark bank",
            competencies=["policy_knowledge"],
        )
        for n in range(50)
    ]
    assessment = make_assessment(questions, title="Benchmark assessment", questions_per_page=50)
    course = make_course("Benchmark Assessment Course", modules=[], open_to_all=True)
    CoursePage.objects.filter(pk=course.pk).update(assessment=assessment)
    ready = []
    for n in range(80):
        user = get_user_model().objects.create_user(email=f"bench-sitter-{n}@example.com")
        attempt = attempt_start(user=user, assessment=assessment)
        data = QueryDict(mutable=True)
        items = served_items(attempt)
        for item in items:
            fields = form_fields(item.kind, item.order, SAMPLES[item.kind][1], answer_name(item))
            for key, values in fields.items():
                data.setlist(key, values)
        attempt_save(attempt=attempt, sequence=0, data=data, positions=[i.position for i in items])
        client = Client()
        client.force_login(user)
        base = f"/learn/courses/{course.slug}/assessments/final/attempts/{attempt.public_id}/"
        ready.append((client, base))
    queue = iter(ready)

    def submit():
        client, base = next(queue)
        posted = client.post(base + "submit/")
        if posted.status_code != 302:
            raise RuntimeError(f"the submission answered {posted.status_code}")
        return ok(client, base + "result/")()

    return submit


def run(only: set[str]) -> tuple[list, list[str]]:
    call_command("seed_demo", verbosity=0)
    anonymous = Client()
    if only:  # some benchmarks alone: compliance, recertification, policy-impact
        results, notes = [], []
        if "recertification" in only:
            notes.extend(recertification_bench.run())
        if "compliance" in only:
            results, more = compliance_bench.run(ok(anonymous, "/healthz"))
            notes.extend(more)
        if "policy-impact" in only:
            more_results, more = policy_impact_bench.run(ok(anonymous, "/healthz"))
            results += more_results
            notes.extend(more)
        return results, notes
    agent = Client()
    agent.force_login(get_user_model().objects.get(email="agent@example.com"))
    baseline = ok(anonymous, "/healthz")
    module_url = module_of_30_blocks()
    agent_employee = Employee.objects.get(user__email="agent@example.com")
    assignments_create(
        employees=[agent_employee], course=CoursePage.objects.get(slug="benchmark-course")
    )
    busy = learner_with_40_assignments()
    round_trip = role_play_round_trip(get_user_model().objects.get(email="newhire@example.com"))
    submit = submit_50_questions()
    certificate_results, notes = certificate_bench.run(baseline)
    notes.extend(recertification_bench.run())
    compliance_results, compliance_notes = compliance_bench.run(baseline)
    notes.extend(compliance_notes)
    impact_results, impact_notes = policy_impact_bench.run(baseline)
    notes.extend(impact_notes)
    return [
        compare("submit a 50-question attempt, then its result", submit, baseline),
        compare("role-play step: reply, then next step", round_trip, baseline),
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
        *certificate_results,
        *compliance_results,
        *impact_results,
    ], notes


def main() -> int:
    logging.disable(logging.INFO)  # the demo's publish messages would bury the figures
    # No setup_test_environment(): its template instrumentation would slow every
    # rendered page and flatter the baseline, which renders none.
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        # Background work is queued as in production (to the database), not run inline.
        with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
            results, notes = run(set(sys.argv[1:]))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    print(f"database: {connection.vendor}; ratios are target time / /healthz time")
    print(HEADER)
    for result in results:
        print(result.line())
    for note in notes:
        print(note)
    return 0


if __name__ == "__main__":
    sys.exit(main())
