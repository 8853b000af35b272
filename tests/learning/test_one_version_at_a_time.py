"""Everything a learner meets inside a course comes from the policy versions the course is
pinned to: module excerpts, role-play replies, feedback and "read again" links, assessment
questions, their marking and feedback, and the result page's links. A course pinned to 1.1
keeps teaching and testing 1.1 after 2.0 comes out, until it is republished on 2.0."""

import pytest
from django.urls import reverse

from assessments.choices import AttemptStatus
from assessments.models import Attempt, Question, QuestionBank, SelectionRule
from assessments.services import (
    AttemptRefused,
    attempt_start,
    question_confirm_for_version,
    served_items,
)
from cms.choices import ChangeKind
from courses.models import CoursePage, ScenarioPage
from courses.scripts import ScenarioNotReady, scenario_script_for_course
from learning.models import Employee, ScenarioRun
from tests.assessments.attempt_helpers import answer_fields
from tests.assessments.factories import make_assessment, make_question
from tests.cms.factories import publish_policy, revise, section
from tests.courses.factories import choice, excerpt, make_course, make_scenario, scene
from tests.learning.test_course_player import assign

pytestmark = pytest.mark.django_db


def sections(window, credit="£50", method="the card they paid with"):
    return [
        section("returns-window", "The returns window", f"Customers may return within {window}."),
        section("refund-method", "How refunds are paid", f"Refunds go to {method}."),
        section("store-credit", "Store credit", f"Agents may offer store credit up to {credit}."),
    ]


def window_answer(days: int) -> list:
    return [
        {
            "type": "numerical",
            "value": {
                "answers": [
                    {"value": days, "tolerance": 0, "credit": 100, "feedback": f"Yes: {days}."}
                ],
                "other_feedback": f"The window is {days} days.",
            },
        }
    ]


def steps(policy, days: int) -> list[dict]:
    return [
        scene(
            "opening",
            "I bought this kettle 40 days ago and want to send it back.",
            choice(
                f"Returns are within {days} days of delivery; let me see what I can offer.",
                "credit",
                feedback=f"Right: the window is {days} days.",
                policy=policy,
                section="returns-window",
                policy_compliance=2,
            ),
            choice(
                "Of course, a full refund.",
                "breach",
                feedback=f"Past {days} days a full refund is not yours to give.",
                policy=policy,
                section="returns-window",
                policy_compliance=-3,
            ),
        ),
        scene("credit", "Store credit is fine.", outcome="resolved", debrief="Well handled."),
        scene("breach", "Great, thanks!", outcome="policy_breached", debrief="Outside policy."),
    ]


@pytest.fixture
def on_one_one(client, learner):
    """A course pinned to Refunds 1.1 (excerpt, role-play, question on the returns window,
    another on how refunds are paid), then a material 2.0 that rewords the window, and the
    trainer's revision of the window question and of the role-play for 2.0."""
    policy = publish_policy(sections=sections("30 days"))
    policy = revise(policy, kind=ChangeKind.EDITORIAL, sections=sections("thirty days"))
    window = make_question(
        "numerical",
        window_answer(30)[0]["value"],
        title="The window",
        stem="<p>How many days is the returns window (1.1)?</p>",
        competencies=["policy_knowledge"],
        policy=policy,
        section_keys="returns-window",
    )
    method = make_question(
        "numerical",
        window_answer(5)[0]["value"],
        title="Working days to pay",
        stem="<p>How many working days does a refund take?</p>",
        competencies=["policy_knowledge"],
        policy=policy,
        section_keys="refund-method",
    )
    assessment = make_assessment([window, method], questions_per_page=5)
    course = make_course(
        policies=[policy],
        modules=[("The window", [excerpt(policy, "returns-window")])],
        assessment=assessment,
    )
    scenario = make_scenario(
        course,
        title="The late kettle",
        steps=steps(policy, 30),
        persona_wants="A full refund, 40 days on, past the 30-day window.",
    )
    assign(learner, course)

    policy = revise(
        policy,
        kind=ChangeKind.MATERIAL,
        summary="A longer window.",
        days=30,
        sections=sections("45 days"),
    )
    window = Question.objects.get(pk=window.pk)
    window.stem = "<p>How many days is the returns window (2.0)?</p>"
    window.answer = window_answer(45)
    window.save()
    window.save_revision()
    scenario = ScenarioPage.objects.get(pk=scenario.pk)
    scenario.steps = steps(policy, 45)
    scenario.persona_wants = "A full refund, 40 days on, inside the 45-day window."
    scenario.save_revision().publish()
    client.force_login(learner)
    return CoursePage.objects.get(pk=course.pk), scenario, policy


def sit(client, course, *, answer: int) -> tuple[Attempt, str]:
    """Start the final assessment, answer every question ``answer``, submit; the attempt
    and the pages' text as the learner saw it."""
    response = client.post(reverse("learning:assessment_start", args=[course.slug, "final"]))
    assert response.status_code == 302
    attempt = Attempt.objects.latest("started_at")
    attempt_url = reverse("learning:attempt", args=[course.slug, "final", attempt.public_id])
    seen = client.get(attempt_url).content.decode()
    data = {"sequence": attempt.save_sequence, "page": 1, "action": "finish"}
    for item in served_items(attempt):
        data |= answer_fields(item, str(answer))
    client.post(attempt_url, data)
    client.post(reverse("learning:attempt_submit", args=[course.slug, "final", attempt.public_id]))
    attempt.refresh_from_db()
    result = reverse("learning:attempt_result", args=[course.slug, "final", attempt.public_id])
    seen += client.get(result).content.decode()
    return attempt, seen


def play(client, course, scenario, *, best: bool) -> tuple[ScenarioRun, str]:
    start = reverse("learning:scenario_start", args=[course.slug, scenario.slug])
    response = client.post(start, {"mode": "practice"})
    assert response.status_code == 302, response.content
    run = ScenarioRun.objects.latest("started_at")
    url = response["Location"]
    seen = client.get(url).content.decode()
    reply = run.script.graph.by_key["opening"].choices[0 if best else 1]
    client.post(url, {"step": "opening", "turn": 0, "choice": reply.id})
    seen += client.get(url).content.decode()
    run.refresh_from_db()
    return run, seen


def test_the_learner_meets_only_the_version_the_course_is_pinned_to(client, on_one_one):
    course, scenario, policy = on_one_one
    module = course.get_modules().get()

    # Pinned to 1.1: the module quotes 1.1.
    page = client.get(reverse("learning:module", args=[course.slug, module.slug]))
    assert "thirty days" in page.content.decode()
    assert "45 days" not in page.content.decode()

    # The role-play plays the script written for 1.1: its replies, feedback and the
    # "read again" link are 1.1's.
    page = client.get(reverse("learning:scenario", args=[course.slug, scenario.slug]))
    assert "past the 30-day window" in page.content.decode()
    run, seen = play(client, course, scenario, best=False)
    assert "Returns are within 30 days" in seen
    assert "Past 30 days a full refund" in seen
    assert "45 days" not in seen and "45-day" not in seen
    assert f"/policies/{policy.slug}/versions/1.1/#section-returns-window" in seen
    assert sorted(str(v) for v in run.script.policy_versions.all()) == ["Refunds 1.1"]

    # The assessment serves and marks the 1.1 wording: 30 is right, 45 would not be.
    attempt, seen = sit(client, course, answer=30)
    assert "returns window (1.1)" in seen and "(2.0)" not in seen
    assert attempt.status == AttemptStatus.GRADED
    window_item = attempt.items.get(question__title="The window")
    assert window_item.fraction == 1.0
    assert "Yes: 30." in seen
    assert [str(v) for v in attempt.policy_versions.all()] == ["Refunds 1.1"]
    assert f"/policies/{policy.slug}/versions/1.1/#section-refund-method" in seen
    assert "versions/2.0" not in seen

    # The trainer republishes the course on 2.0: from now on, only 2.0.
    course.save_revision().publish()
    page = client.get(reverse("learning:module", args=[course.slug, module.slug]))
    assert "45 days" in page.content.decode() and "thirty days" not in page.content.decode()

    page = client.get(reverse("learning:scenario", args=[course.slug, scenario.slug]))
    assert "inside the 45-day window" in page.content.decode()
    run, seen = play(client, course, scenario, best=False)
    assert "Returns are within 45 days" in seen and "Past 45 days" in seen
    assert "30 days" not in seen
    assert f"/policies/{policy.slug}/versions/2.0/#section-returns-window" in seen

    attempt, seen = sit(client, course, answer=30)
    assert "returns window (2.0)" in seen and "(1.1)" not in seen
    assert attempt.items.get(question__title="The window").fraction == 0.0
    assert f"/policies/{policy.slug}/versions/2.0/#section-returns-window" in seen
    assert "versions/1.1" not in seen
    # The question on an unchanged section was not revised: its 1.1 wording still holds.
    assert attempt.items.filter(question__title="Working days to pay").exists()

    # The first run and attempt keep what they were served.
    first = Attempt.objects.filter(user=attempt.user).order_by("started_at").first()
    assert first.items.get(question__title="The window").fraction == 1.0


def test_hr_reads_which_versions_each_revision_and_script_was_written_for(
    client, on_one_one, learner, hr_user
):
    course, scenario, _ = on_one_one
    play(client, course, scenario, best=True)
    sit(client, course, answer=30)
    employee = Employee.objects.get(user=learner)

    client.force_login(hr_user)
    html = client.get(reverse("learning_employee_record", args=[employee.pk])).content
    html = html.decode()
    assert "written for Refunds 1.1" in html
    data = client.get(reverse("learning_employee_evidence_json", args=[employee.pk])).json()
    (run,) = data["scenario_runs"]
    assert run["script_written_for"] == ["Refunds 1.1"]
    (attempt,) = data["attempts"]
    assert {item["revision_written_for"] for item in attempt["items"]} == {"Refunds 1.1"}


def test_a_question_with_no_revision_for_the_pinned_major_is_left_out(learner):
    policy = publish_policy(sections=sections("30 days"))
    one = policy.current_version
    old = make_question(
        "numerical", window_answer(30)[0]["value"], policy=policy, section_keys="returns-window"
    )
    policy = revise(
        policy, kind=ChangeKind.MATERIAL, summary="Longer.", days=30, sections=sections("45 days")
    )
    two = policy.current_version
    new = make_question(
        "numerical",
        window_answer(45)[0]["value"],
        title="Written for 2.0",
        policy=policy,
        section_keys="returns-window",
    )
    assessment = make_assessment([old, new])

    on_one = attempt_start(user=learner, assessment=assessment, policy_versions=[one])
    assert [item.question_id for item in on_one.items.all()] == [old.pk]
    Attempt.objects.filter(pk=on_one.pk).update(status=AttemptStatus.GRADED)

    on_two = attempt_start(user=learner, assessment=assessment, policy_versions=[two])
    assert [item.question_id for item in on_two.items.all()] == [new.pk]
    Attempt.objects.filter(pk=on_two.pk).update(status=AttemptStatus.GRADED)

    # A trainer confirms the old question still correct for 2.0: it is served again.
    question_confirm_for_version(question=old, version=two)
    confirmed = attempt_start(user=learner, assessment=assessment, policy_versions=[two])
    assert sorted(item.question_id for item in confirmed.items.all()) == [old.pk, new.pk]


def test_an_assessment_with_nothing_written_for_its_versions_says_so(learner):
    policy = publish_policy(sections=sections("30 days"))
    one = policy.current_version
    revise(
        policy, kind=ChangeKind.MATERIAL, summary="Longer.", days=30, sections=sections("45 days")
    )
    only_new = make_question(
        "numerical", window_answer(45)[0]["value"], policy=policy, section_keys="returns-window"
    )
    assessment = make_assessment([only_new])
    with pytest.raises(AttemptRefused, match="no questions written for the policy versions"):
        attempt_start(user=learner, assessment=assessment, policy_versions=[one])
    assert not Attempt.objects.exists()


def test_a_role_play_written_only_for_a_later_version_does_not_start(client, learner):
    policy = publish_policy(sections=sections("30 days"))
    course = make_course(policies=[policy])
    policy = revise(
        policy, kind=ChangeKind.MATERIAL, summary="Longer.", days=30, sections=sections("45 days")
    )
    scenario = make_scenario(course, title="Written late", steps=steps(policy, 45))
    assign(learner, course)
    client.force_login(learner)

    page = client.get(reverse("learning:scenario", args=[course.slug, scenario.slug]))
    assert "has not yet been written for Refunds 1.0" in page.content.decode()
    assert "Start a practice run" not in page.content.decode()
    response = client.post(
        reverse("learning:scenario_start", args=[course.slug, scenario.slug]), {"mode": "practice"}
    )
    assert response.status_code == 302
    assert not ScenarioRun.objects.exists()
    with pytest.raises(ScenarioNotReady):
        scenario_script_for_course(
            scenario=scenario, pinned={policy.pk: policy.versions.get(major=1)}
        )


@pytest.mark.parametrize("pool", [4, 40])
def test_the_draw_costs_the_same_queries_for_any_pool(learner, pool, django_assert_num_queries):
    """Starting an attempt that draws from a bank of 4 or of 40 questions, each with two
    revisions for different major versions, takes the same number of queries."""
    policy = publish_policy(sections=sections("30 days"))
    questions = [
        make_question(
            "numerical",
            window_answer(30)[0]["value"],
            title=f"Question {n}",
            bank="Big bank",
            policy=policy,
            section_keys="returns-window",
        )
        for n in range(pool)
    ]
    policy = revise(
        policy, kind=ChangeKind.MATERIAL, summary="Longer.", days=30, sections=sections("45 days")
    )
    for question in questions:
        question.answer = window_answer(45)
        question.save()
        question.save_revision()
    assessment = make_assessment(
        rules=[SelectionRule(count=4, bank=QuestionBank.objects.get(name="Big bank"))]
    )
    one = policy.versions.get(major=1)
    with django_assert_num_queries(QUERIES_TO_START):
        attempt = attempt_start(user=learner, assessment=assessment, policy_versions=[one])
    served = served_items(attempt)
    assert len(served) == 4
    # Every question served as written for 1.0.
    assert all(item.block["answers"][0]["value"] == 30 for item in served)


# The same whatever the size of the bank or the number of revisions.
QUERIES_TO_START = 18
