"""Two posts of a reply racing each other, on PostgreSQL where requests truly overlap."""

import threading

import pytest
from django.db import connection

from learning.models import ScenarioRun
from learning.services import ScenarioRunConflict, scenario_run_choose, scenario_run_start
from tests.courses.factories import make_course, make_scenario

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite serialises writers, so the requests cannot overlap there",
    ),
]


def race(run_id, posts):
    """Each post runs in its own thread and connection, released together."""
    barrier = threading.Barrier(len(posts))
    outcomes = [None] * len(posts)

    def play(n, step, turn, choice):
        try:
            barrier.wait()
            run = ScenarioRun.objects.select_related("script").get(pk=run_id)
            result = scenario_run_choose(run=run, step_key=step, turn=turn, choice_id=choice)
            outcomes[n] = "repeat" if result.repeated else "moved"
        except ScenarioRunConflict:
            outcomes[n] = "conflict"
        finally:
            connection.close()

    threads = [threading.Thread(target=play, args=(n, *post)) for n, post in enumerate(posts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


@pytest.fixture
def run(learner):
    course = make_course(modules=[])
    scenario = make_scenario(course)
    return scenario_run_start(user=learner, course=course, scenario=scenario, mode="assessed")


def test_the_same_reply_posted_twice_at_once_is_taken_once(run):
    reply = run.script.graph.by_key["opening"].choices[0].id
    outcomes = race(run.pk, [("opening", 0, reply)] * 4)
    run.refresh_from_db()
    assert outcomes == ["moved", "repeat", "repeat", "repeat"]
    assert run.turn == 1 and len(run.path) == 1


def test_two_different_replies_at_once_move_the_run_once(run):
    first, second = (c.id for c in run.script.graph.by_key["opening"].choices)
    outcomes = race(run.pk, [("opening", 0, first), ("opening", 0, second)])
    run.refresh_from_db()
    assert outcomes == ["conflict", "moved"]
    assert run.turn == 1 and len(run.path) == 1
