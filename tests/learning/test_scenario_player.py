"""Playing a role-play: one step at a time, state on the server, tampering refused,
practice against assessed, and the debrief."""

import copy
import re

import pytest
from django.urls import reverse

from courses.models import ScenarioPage
from learning.models import Assignment, ScenarioRun
from learning.services import scenario_run_choose, scenario_run_start
from tests.courses.factories import (
    choice,
    make_course,
    make_scenario,
    refund_steps,
    refunds_course,
    scene,
)
from tests.learning.test_course_player import assign

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(client, learner):
    course, policy = refunds_course()
    scenario = make_scenario(course, steps=refund_steps(policy), required_outcomes=["resolved"])
    assign(learner, course)
    client.force_login(learner)
    return course, scenario, policy


def start(client, course, scenario, mode="practice"):
    response = client.post(
        reverse("learning:scenario_start", args=[course.slug, scenario.slug]), {"mode": mode}
    )
    assert response.status_code == 302
    return response["Location"], ScenarioRun.objects.latest("started_at")


def choice_id(run, step_key, number):
    return run.script.graph.by_key[step_key].choices[number].id


def say(client, url, run, step_key, number, turn):
    return client.post(
        url, {"step": step_key, "turn": turn, "choice": choice_id(run, step_key, number)}
    )


def test_the_learner_sees_only_the_current_step_and_its_replies(client, setup):
    course, scenario, _ = setup
    url, run = start(client, course, scenario)

    html = client.get(url).content.decode()

    assert "I bought this kettle six weeks ago" in html
    assert "Let me look at what we can do" in html
    graph = run.script.graph
    later = [s for s in graph.steps if s.key != "opening"]
    for step in later:
        assert step.customer_line not in html
        assert f'value="{step.key}"' not in html
        for option in step.choices:
            assert option.line not in html
    for option in graph.by_key["opening"].choices:
        assert option.feedback not in html, "feedback only after choosing"
        assert option.next_step not in re.sub(r"<[^>]+>", "", html.split("<main")[1]).split()
    assert "policy_compliance" not in html and "score" not in html.lower().split("<main")[1]


def test_each_reply_shows_its_feedback_then_the_next_step(client, setup):
    course, scenario, _ = setup
    url, run = start(client, course, scenario)

    response = say(client, url, run, "opening", 0, turn=0)
    assert response.status_code == 302 and response["Location"] == url
    html = client.get(url).content.decode()

    assert "Feedback on “I&#x27;m sorry to hear that." in html
    assert "So can I have my money back?" in html
    run.refresh_from_db()
    assert (run.current_step, run.turn, run.mood) == ("offer", 1, 4)
    assert run.scores == {
        "communication": 2,
        "de_escalation": 1,
        "complaint_handling": 0,
        "policy_compliance": 0,
    }


def unchanged(run):
    before = ScenarioRun.objects.filter(pk=run.pk).values().get()
    return lambda: ScenarioRun.objects.filter(pk=run.pk).values().get() == before


@pytest.mark.parametrize(
    "post",
    [
        {"step": "offer", "turn": 0},  # a step that is not the current one
        {"step": "opening", "turn": 3},  # a turn that has not come
        {"step": "opening", "turn": "abc"},
        {"step": "opening", "turn": 0, "choice": "not-a-choice"},
        {"step": "opening", "turn": 0, "choice": ""},
    ],
    ids=["other step", "future turn", "junk turn", "unknown choice", "no choice"],
)
def test_tampered_posts_are_refused_with_409_and_change_nothing(client, setup, post):
    course, scenario, _ = setup
    url, run = start(client, course, scenario)
    post.setdefault("choice", choice_id(run, "opening", 0))
    same = unchanged(run)

    response = client.post(url, post)

    assert response.status_code == 409
    assert "Nothing in your run has changed." in response.content.decode()
    assert same()


def test_a_choice_from_another_step_is_refused(client, setup):
    course, scenario, _ = setup
    url, run = start(client, course, scenario)
    same = unchanged(run)
    response = client.post(
        url, {"step": "opening", "turn": 0, "choice": choice_id(run, "offer", 0)}
    )
    assert response.status_code == 409
    assert same()


def test_a_double_submit_is_taken_once(client, setup):
    course, scenario, _ = setup
    url, run = start(client, course, scenario)

    first = say(client, url, run, "opening", 0, turn=0)
    second = say(client, url, run, "opening", 0, turn=0)

    assert first.status_code == second.status_code == 302
    run.refresh_from_db()
    assert run.turn == 1 and len(run.path) == 1
    assert run.scores["communication"] == 2


def test_replaying_an_old_form_with_a_different_reply_is_refused(client, setup):
    course, scenario, _ = setup
    url, run = start(client, course, scenario)
    say(client, url, run, "opening", 0, turn=0)
    run.refresh_from_db()
    same = unchanged(run)

    response = say(client, url, run, "opening", 1, turn=0)

    assert response.status_code == 409
    assert same()


def play_best(client, url, run):
    say(client, url, run, "opening", 0, turn=0)
    say(client, url, run, "offer", 0, turn=1)
    run.refresh_from_db()
    return run


def test_a_finished_run_takes_no_more_replies(client, setup):
    course, scenario, _ = setup
    url, run = start(client, course, scenario)
    run = play_best(client, url, run)
    assert run.is_finished and run.outcome == "resolved"
    same = unchanged(run)

    repeat = say(client, url, run, "offer", 0, turn=1)  # the last reply, posted again
    assert repeat.status_code == 302
    again = client.post(url, {"step": "credit", "turn": 2, "choice": "anything"})
    assert again.status_code == 409
    assert "This run has finished" in again.content.decode()
    assert same()


def test_the_debrief_shows_outcome_scores_both_paths_and_the_policy_behind_misses(client, setup):
    course, scenario, policy = setup
    url, run = start(client, course, scenario, mode="assessed")
    say(client, url, run, "opening", 1, turn=0)  # the poor reply citing store credit
    say(client, url, run, "angry", 0, turn=1)

    html = client.get(url).content.decode()

    assert "How it ended: Escalated correctly" in html
    assert "A fair escalation." in html
    assert "Not passed." in html and "an ending of the kind this scenario requires" in html
    assert '<th scope="row">Communication</th><td>-2</td><td>2</td>' in html
    assert "The best path" in html and "I can offer store credit today." in html
    link = reverse("policy_version", args=[policy.slug, "1.0"]) + "#section-store-credit"
    assert f'href="{link}"' in html
    assert "Refunds 1.0: Store credit" in html


def test_the_debrief_sends_back_to_a_section_only_where_a_reply_departed_from_it(client, learner):
    course, policy = refunds_course()
    steps = [
        scene(
            "opening",
            "These stools are too tall. I want my money back.",
            choice("Would lower stools fit? Your credit covers them.", "fit", communication=3),
            choice(
                "I can give you store credit for them.",
                "credit",
                communication=1,
                policy_compliance=1,
                policy=policy,
                section="store-credit",
            ),
            choice(
                "I'll refund you in full.",
                "breach",
                policy_compliance=-3,
                policy=policy,
                section="returns-window",
            ),
        ),
        scene("fit", "Perfect.", outcome="resolved", debrief="Best."),
        scene("credit", "Fine.", outcome="resolved", debrief="Good."),
        scene("breach", "Great!", outcome="policy_breached", debrief="Outside policy."),
    ]
    scenario = make_scenario(course, steps=steps)
    assign(learner, course)
    client.force_login(learner)

    url, run = start(client, course, scenario)
    say(client, url, run, "opening", 1, turn=0)  # within policy, though not the best reply
    html = client.get(url).content.decode()
    assert "(a better reply was available)" in html
    assert "Policy to read again" not in html

    url, run = start(client, course, scenario)
    say(client, url, run, "opening", 2, turn=0)  # against the returns window
    html = client.get(url).content.decode()
    assert "Policy to read again" in html
    assert "#section-returns-window" in html and "#section-store-credit" not in html


def test_practice_never_completes_the_course_and_a_passed_assessed_run_does(client, learner):
    course = make_course(modules=[])
    scenario = make_scenario(course, required_outcomes=["resolved"])
    assignment = assign(learner, course)
    client.force_login(learner)

    url, run = start(client, course, scenario, mode="practice")
    run = play_best(client, url, run)
    assert run.passed
    assignment.refresh_from_db()
    assert assignment.completed_at is None
    assert assignment.started_at is not None

    url, run = start(client, course, scenario, mode="assessed")
    play_best(client, url, run)
    assignment.refresh_from_db()
    assert assignment.completed_at is not None


def test_a_failed_assessed_run_leaves_the_course_open(client, learner):
    course = make_course(modules=[])
    scenario = make_scenario(course, required_outcomes=["resolved"])
    assignment = assign(learner, course)
    client.force_login(learner)
    url, run = start(client, course, scenario, mode="assessed")
    say(client, url, run, "opening", 1, turn=0)
    say(client, url, run, "angry", 1, turn=1)
    run.refresh_from_db()
    assert run.is_finished and run.passed is False and run.outcome == "customer_lost"
    assignment.refresh_from_db()
    assert assignment.completed_at is None


def test_a_run_records_its_path_times_and_policy_versions(client, setup):
    course, scenario, policy = setup
    scenario.policies.set([policy])
    scenario.save_revision().publish()
    url, run = start(client, course, scenario, mode="assessed")
    run = play_best(client, url, run)
    assert [(p["step"], p["choice"]) for p in run.path] == [
        ("opening", choice_id(run, "opening", 0)),
        ("offer", choice_id(run, "offer", 0)),
    ]
    assert all(p["at"] for p in run.path)
    assert [str(v) for v in run.policy_versions.all()] == ["Refunds 1.0"]


def test_a_run_finishes_on_the_version_it_started_on(client, setup):
    course, scenario, _ = setup
    url, run = start(client, course, scenario)
    steps = copy.deepcopy(refund_steps())
    steps[1]["value"]["customer_line"] = "Changed words the run never sees."
    page = ScenarioPage.objects.get(pk=scenario.pk)
    page.steps = steps
    page.save_revision().publish()

    say(client, url, run, "opening", 0, turn=0)  # the old choice ids still count
    assert "So can I have my money back?" in client.get(url).content.decode()

    new_url, _ = start(client, course, scenario)
    say(client, new_url, ScenarioRun.objects.latest("started_at"), "opening", 0, turn=0)
    assert "Changed words the run never sees." in client.get(new_url).content.decode()


def test_runs_belong_to_their_learner(client, setup, make_user):
    course, scenario, _ = setup
    url, run = start(client, course, scenario)
    other = make_user("Learners")
    assign(other, course)
    client.force_login(other)

    assert client.get(url).status_code == 404
    assert say(client, url, run, "opening", 0, turn=0).status_code == 404
    run.refresh_from_db()
    assert run.turn == 0


def test_a_scenario_in_a_course_not_assigned_is_not_found(client, make_user, setup):
    course, scenario, _ = setup
    client.force_login(make_user("Learners"))
    page = reverse("learning:scenario", args=[course.slug, scenario.slug])
    start_url = reverse("learning:scenario_start", args=[course.slug, scenario.slug])
    assert client.get(page).status_code == 404
    assert client.post(start_url, {"mode": "practice"}).status_code == 404
    assert not ScenarioRun.objects.exists()


def test_unknown_scenarios_modes_and_run_ids_are_refused(client, setup):
    course, scenario, _ = setup
    unknown = reverse("learning:scenario", args=[course.slug, "no-such-role-play"])
    assert client.get(unknown).status_code == 404
    start_url = reverse("learning:scenario_start", args=[course.slug, scenario.slug])
    assert client.post(start_url, {"mode": "exam"}).status_code == 400
    assert client.post(start_url, {}).status_code == 400
    assert not ScenarioRun.objects.exists()
    fake = reverse(
        "learning:scenario_run",
        args=[course.slug, scenario.slug, "6f1c0c43-5d0a-4c9a-9d7e-3b1f5a8d2e10"],
    )
    assert client.get(fake).status_code == 404
    bad = f"/learn/courses/{course.slug}/role-plays/{scenario.slug}/runs/12/"
    assert client.get(bad).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, setup):
    course, scenario, _ = setup
    client.logout()
    response = client.get(reverse("learning:scenario", args=[course.slug, scenario.slug]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_course_page_lists_role_plays_with_their_state(client, setup):
    course, scenario, _ = setup
    page = reverse("learning:course", args=[course.slug])
    assert "Not played" in client.get(page).content.decode()
    url, run = start(client, course, scenario, mode="assessed")
    play_best(client, url, run)
    html = client.get(page).content.decode()
    assert "The late refund" in html and "Passed" in html


def linear_steps(count: int) -> list[dict]:
    """A chain of ``count`` steps with two replies each, then two endings."""
    steps = []
    for n in range(count):
        following = f"s{n + 1}" if n + 1 < count else "good-end"
        steps.append(
            scene(
                f"s{n}",
                f"Customer line {n}.",
                choice(f"Good reply {n}.", following, communication=1),
                choice(f"Poor reply {n}.", "bad-end", communication=-1),
            )
        )
    steps.append(scene("good-end", "Thanks.", outcome="resolved", debrief="Good."))
    steps.append(scene("bad-end", "Bye.", outcome="customer_lost", debrief="Lost."))
    return steps


@pytest.mark.parametrize("size", [8, 80])
def test_a_step_costs_the_same_queries_however_long_the_scenario(
    client, learner, django_assert_max_num_queries, size
):
    course = make_course(modules=[])
    scenario = make_scenario(course, steps=linear_steps(size))
    assign(learner, course)
    client.force_login(learner)
    url, run = start(client, course, scenario)
    say(client, url, run, "s0", 0, turn=0)

    with django_assert_max_num_queries(13):
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(10):
        assert say(client, url, run, "s1", 0, turn=1).status_code == 302


def test_the_service_refuses_what_the_view_refuses(learner):
    course = make_course(modules=[])
    scenario = make_scenario(course)
    run = scenario_run_start(user=learner, course=course, scenario=scenario, mode="assessed")
    from learning.services import ScenarioRunConflict

    with pytest.raises(ScenarioRunConflict):
        scenario_run_choose(run=run, step_key="opening", turn=0, choice_id="nope")
    with pytest.raises(ValueError):
        scenario_run_start(user=learner, course=course, scenario=scenario, mode="exam")
    assert Assignment.objects.count() == 0


def test_the_role_play_page_reveals_no_step_before_a_run_starts(client, setup):
    course, scenario, _ = setup
    html = client.get(reverse("learning:scenario", args=[course.slug, scenario.slug])).content
    html = html.decode()
    assert "Sam" in html and "Start an assessed run" in html
    for step in scenario.graph().steps:
        assert step.customer_line not in html
        for option in step.choices:
            assert option.line not in html and option.feedback not in html
