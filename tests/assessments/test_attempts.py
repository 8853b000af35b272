"""Attempts on the server: the draw is fixed at the start, saves carry a sequence number,
submission happens once, the clock is enforced, and only stored answers are marked."""

import datetime
import random

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from assessments.answers import AnswerInvalid, best_answer, fraction
from assessments.choices import AssessmentMode, AttemptClosedBy, AttemptStatus
from assessments.models import Attempt, Question, SelectionRule
from assessments.services import (
    AttemptConflict,
    AttemptRefused,
    attempt_grade_essays,
    attempt_item_grade_essay,
    attempt_save,
    attempt_start,
    attempt_submit,
    attempts_close_expired,
    draw_questions,
    served_items,
)
from assessments.tasks import close_expired_attempts
from tests.assessments.attempt_helpers import form
from tests.assessments.factories import (
    SAMPLES,
    make_assessment,
    make_question,
    sample_questions,
)
from tests.cms.factories import publish_policy

pytestmark = pytest.mark.django_db


def answer_all(attempt, which=1):
    """Save the right (which=1) or wrong (which=2) answer to every question, page by page."""
    items = served_items(attempt)
    per_page = attempt.assessment.questions_per_page
    for start in range(0, len(items), per_page):
        page = items[start : start + per_page]
        data = form(*[(item, SAMPLES[item.kind][which]) for item in page])
        attempt_save(
            attempt=attempt,
            sequence=attempt.save_sequence,
            data=data,
            positions=[item.position for item in page],
        )
    return attempt


def test_all_right_answers_score_full_marks_on_every_kind(learner):
    assessment = make_assessment(sample_questions())
    attempt = attempt_start(user=learner, assessment=assessment)
    answer_all(attempt)
    attempt_submit(attempt=attempt)

    assert attempt.status == AttemptStatus.GRADED
    assert attempt.percent == 100
    assert attempt.passed is True
    assert attempt.by_competency == {"policy_knowledge": 100}
    assert [item.fraction for item in attempt.items.all()] == [1.0] * len(SAMPLES)


def test_wrong_answers_fail_with_the_shortfall_named(learner):
    questions = sample_questions(["single_choice", "true_false"], competencies=["privacy"])
    questions += sample_questions(["numerical"], competencies=["communication"])
    assessment = make_assessment(questions, pass_percent=60, minimums={"privacy": 100})
    attempt = attempt_start(user=learner, assessment=assessment)
    items = served_items(attempt)
    data = form(
        (items[0], SAMPLES["single_choice"][1]),
        (items[1], SAMPLES["true_false"][2]),
        (items[2], SAMPLES["numerical"][1]),
    )
    attempt_save(attempt=attempt, sequence=0, data=data, positions=[1, 2, 3])
    attempt_submit(attempt=attempt)

    assert round(attempt.percent) == 67
    assert attempt.by_competency == {"privacy": 50.0, "communication": 100.0}
    assert attempt.passed is False
    assert attempt.shortfalls == ["100% in Privacy (you scored 50%)"]


def test_the_attempt_keeps_the_revision_it_served(learner):
    question = make_question("true_false", SAMPLES["true_false"][0], title="Spouse access")
    attempt = attempt_start(user=learner, assessment=make_assessment([question]))
    question.answer = [
        {"type": "true_false", "value": {**SAMPLES["true_false"][0], "correct": "true"}}
    ]
    question.stem = "<p>Rewritten after the attempt began.</p>"
    question.save()
    question.save_revision()

    item = served_items(attempt)[0]
    assert item.served.stem != "<p>Rewritten after the attempt began.</p>"
    attempt_save(attempt=attempt, sequence=0, data=form((item, False)), positions=[1])
    attempt_submit(attempt=attempt)
    assert attempt.percent == 100  # marked against "false", the key it was served with


def test_the_database_allows_one_attempt_in_progress(learner):
    assessment = make_assessment(sample_questions(["true_false"]))
    first = attempt_start(user=learner, assessment=assessment)

    with pytest.raises(AttemptRefused) as refused:
        attempt_start(user=learner, assessment=assessment)
    assert refused.value.attempt == first

    with pytest.raises(IntegrityError), transaction.atomic():
        Attempt.objects.create(
            assessment=assessment,
            user=learner,
            number=2,
            mode=assessment.mode,
            seed=1,
            started_at=timezone.now(),
            pass_percent=80,
        )


def test_attempts_allowed_and_the_wait_between_them(learner):
    assessment = make_assessment(
        sample_questions(["true_false"]), attempts_allowed=2, minutes_between_attempts=60
    )
    start = timezone.now()
    first = attempt_start(user=learner, assessment=assessment, now=start)
    attempt_submit(attempt=first, now=start + datetime.timedelta(minutes=5))

    with pytest.raises(AttemptRefused, match="You can start another attempt from"):
        attempt_start(
            user=learner, assessment=assessment, now=start + datetime.timedelta(minutes=30)
        )
    second = attempt_start(
        user=learner, assessment=assessment, now=start + datetime.timedelta(hours=2)
    )
    assert second.number == 2
    attempt_submit(attempt=second, now=start + datetime.timedelta(hours=2, minutes=1))

    with pytest.raises(AttemptRefused, match="You have used all 2 attempt"):
        attempt_start(user=learner, assessment=assessment, now=start + datetime.timedelta(days=2))


def test_practice_assessments_are_unlimited(learner):
    assessment = make_assessment(
        sample_questions(["true_false"]), mode=AssessmentMode.PRACTICE, attempts_allowed=1
    )
    for _ in range(3):
        attempt_submit(attempt=attempt_start(user=learner, assessment=assessment))
    assert Attempt.objects.filter(user=learner).count() == 3


def test_an_assessment_without_questions_cannot_start(learner):
    empty = make_assessment([])
    with pytest.raises(AttemptRefused, match="no questions yet"):
        attempt_start(user=learner, assessment=empty)


def test_the_draw_and_the_shuffles_repeat_for_the_same_seed(learner, make_user):
    for number in range(12):
        make_question(
            "single_choice",
            SAMPLES["single_choice"][0],
            title=f"Q{number}",
            competencies=["privacy"],
        )
    fixed = make_question("ordering", SAMPLES["ordering"][0], title="Fixed one")
    rules = [
        SelectionRule(count=5, competency_id=fixed.competencies.model.objects.get(key="privacy").pk)
    ]
    assessment = make_assessment([fixed], rules=rules, shuffle_questions=True)

    def sitting(user, seed):
        attempt = attempt_start(user=user, assessment=assessment, seed=seed)
        return [(item.question_id, tuple(item.order)) for item in served_items(attempt)]

    first = sitting(learner, 42)
    again = sitting(make_user(), 42)
    other = sitting(make_user(), 7)
    assert first == again
    assert first != other
    assert len(first) == 6 and len({question for question, _ in first}) == 6
    assert fixed.pk in {question for question, _ in first}
    ordering = next(order for question, order in first if question == fixed.pk)
    assert list(ordering) != [0, 1, 2]  # never served already in the right order


def test_random_draws_come_from_what_is_left_after_fixed_questions():
    questions = [
        make_question(
            "true_false", SAMPLES["true_false"][0], title=f"T{n}", competencies=["privacy"]
        )
        for n in range(3)
    ]
    rules = [
        SelectionRule(question=questions[0]),
        SelectionRule(count=5, competency=questions[0].competencies.first()),
    ]
    drawn = draw_questions(rules, random.Random(1))
    assert sorted(drawn) == sorted(q.pk for q in questions)


def test_a_stale_or_replayed_save_is_refused_and_changes_nothing(learner):
    assessment = make_assessment(sample_questions(["single_choice"]))
    attempt = attempt_start(user=learner, assessment=assessment)
    item = served_items(attempt)[0]
    right, wrong = SAMPLES["single_choice"][1:]
    attempt_save(attempt=attempt, sequence=0, data=form((item, right)), positions=[1])
    assert attempt.save_sequence == 1

    stale = Attempt.objects.get(pk=attempt.pk)
    stale.save_sequence = 0  # what an old tab still believes
    with pytest.raises(AttemptConflict, match="older than the ones already saved"):
        attempt_save(attempt=stale, sequence=0, data=form((item, wrong)), positions=[1])
    assert served_items(attempt)[0].answer == right


def test_options_and_questions_that_are_not_in_the_attempt_are_refused(learner):
    assessment = make_assessment(
        sample_questions(["single_choice", "matching"]), questions_per_page=1
    )
    attempt = attempt_start(user=learner, assessment=assessment)
    cases = [
        ({"q1": "7"}, [1]),
        ({"q1": "one"}, [1]),
        ({"q2-0": "9"}, [2]),
        ({"q2-0": "0"}, [1]),  # question 2 is not on page 1
        ({"q9": "0"}, [1]),
    ]
    for fields, positions in cases:
        data = form(**fields)
        with pytest.raises(AnswerInvalid) as refused:
            attempt_save(attempt=attempt, sequence=0, data=data, positions=positions)
        assert refused.value.tampered
    assert attempt.save_sequence == 0
    assert all(item.answer is None for item in attempt.items.all())


def test_a_learner_slip_is_reported_and_nothing_on_the_page_is_saved(learner):
    assessment = make_assessment(sample_questions(["true_false", "ordering"]))
    attempt = attempt_start(user=learner, assessment=assessment)
    data = form(q1="true", **{"q2-0": "1", "q2-1": "1", "q2-2": "2"})
    result = attempt_save(attempt=attempt, sequence=0, data=data, positions=[1, 2])
    assert result.errors == {2: "Give each item a different place."}
    assert attempt.save_sequence == 0
    assert all(item.answer is None for item in attempt.items.all())


def test_submission_happens_once(learner):
    assessment = make_assessment(sample_questions(["true_false"]))
    attempt = attempt_start(user=learner, assessment=assessment)
    attempt_submit(attempt=attempt)
    graded_at = attempt.graded_at

    again = attempt_submit(attempt=Attempt.objects.get(pk=attempt.pk))
    assert again.graded_at == graded_at
    assert again.closed_by == AttemptClosedBy.LEARNER
    with pytest.raises(AttemptConflict, match="has been submitted"):
        attempt_save(
            attempt=again, sequence=again.save_sequence, data=form(q1="true"), positions=[1]
        )


def test_answers_after_the_deadline_and_grace_are_not_counted(learner):
    assessment = make_assessment(
        sample_questions(["true_false", "numerical"]), time_limit_minutes=10, grace_minutes=2
    )
    start = timezone.now()
    attempt = attempt_start(user=learner, assessment=assessment, now=start)
    assert attempt.deadline == start + datetime.timedelta(minutes=10)
    items = served_items(attempt)
    attempt_save(
        attempt=attempt,
        sequence=0,
        data=form((items[0], False)),
        positions=[1],
        now=start + datetime.timedelta(minutes=11),  # inside the grace period
    )
    with pytest.raises(AttemptConflict, match="Time is up"):
        attempt_save(
            attempt=attempt,
            sequence=1,
            data=form((items[1], "45")),
            positions=[2],
            now=start + datetime.timedelta(minutes=13),
        )
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.GRADED
    assert attempt.closed_by == AttemptClosedBy.DEADLINE
    assert attempt.percent == 50


def test_abandoned_attempts_are_closed_by_the_background_task(learner, make_user):
    assessment = make_assessment(sample_questions(["true_false"]), time_limit_minutes=5)
    long_ago = timezone.now() - datetime.timedelta(hours=1)
    abandoned = attempt_start(user=learner, assessment=assessment, now=long_ago)
    current = attempt_start(user=make_user(), assessment=assessment)

    assert close_expired_attempts.call() == 1
    abandoned.refresh_from_db()
    current.refresh_from_db()
    assert abandoned.status == AttemptStatus.GRADED
    assert abandoned.submitted_at == abandoned.closes_at
    assert abandoned.closed_by == AttemptClosedBy.DEADLINE
    assert current.is_open
    assert attempts_close_expired() == 0


def test_essays_wait_for_a_trainer_then_the_attempt_is_graded(learner, trainer):
    essay = make_question(
        "essay",
        {
            "rubric": [
                {"criterion": "Acknowledges the complaint", "points": 2},
                {"criterion": "Gives the next step and when", "points": 2},
            ],
            "grader_guidance": "",
        },
        title="Write the acknowledgement",
    )
    assessment = make_assessment([essay, *sample_questions(["true_false"])], pass_percent=70)
    attempt = attempt_start(user=learner, assessment=assessment)
    items = served_items(attempt)
    data = form(
        (items[0], "Thank you for telling us; we will reply within 8 weeks."), (items[1], False)
    )
    attempt_save(attempt=attempt, sequence=0, data=data, positions=[1, 2])
    attempt_submit(attempt=attempt)
    assert attempt.status == AttemptStatus.AWAITING_GRADING
    assert attempt.passed is None

    with pytest.raises(ValueError, match="between 0 and its maximum"):
        attempt_item_grade_essay(item=items[0], points=[3, 2], grader=trainer)
    graded = attempt_item_grade_essay(item=items[0], points=[2, 1], grader=trainer)
    assert graded.status == AttemptStatus.GRADED
    assert graded.percent == 87.5
    assert graded.passed is True


@pytest.mark.parametrize("size", [10, 50])
def test_grading_takes_the_same_queries_for_10_and_50_questions(
    learner, size, django_assert_num_queries
):
    questions = [
        make_question(
            "single_choice", SAMPLES["single_choice"][0], title=f"Q{n}", competencies=["privacy"]
        )
        for n in range(size)
    ]
    assessment = make_assessment(questions, questions_per_page=size)
    attempt = attempt_start(user=learner, assessment=assessment)
    answer_all(attempt)
    with django_assert_num_queries(9):
        attempt_submit(attempt=attempt)
    assert attempt.percent == 100


def test_questions_with_no_revision_get_one_when_served(learner):
    question = make_question("true_false", SAMPLES["true_false"][0])
    Question.objects.filter(pk=question.pk).update(latest_revision=None)
    attempt = attempt_start(user=learner, assessment=make_assessment([question]))
    assert served_items(attempt)[0].revision_id is not None


def test_a_timed_attempt_queues_its_closing_for_the_end_of_the_grace_period(
    learner, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    assessment = make_assessment(
        sample_questions(["true_false"]), time_limit_minutes=20, grace_minutes=3
    )
    with django_capture_on_commit_callbacks(execute=True):
        attempt = attempt_start(user=learner, assessment=assessment)
    queued = DBTaskResult.objects.get(task_path="assessments.tasks.close_expired_attempts")
    assert queued.run_after == attempt.closes_at
    assert attempt.closes_at - attempt.started_at == datetime.timedelta(minutes=23)


def test_the_best_answer_earns_full_marks_for_every_kind():
    for kind, (value, *_) in SAMPLES.items():
        assert fraction(kind, value, best_answer(kind, value)) == 1.0, kind


def test_a_draw_by_policy_section_matches_whole_keys_only():
    policy = publish_policy()
    window = make_question(
        "true_false",
        SAMPLES["true_false"][0],
        title="Window",
        policy=policy,
        section_keys="refund-method , returns-window",
    )
    make_question(
        "true_false",
        SAMPLES["true_false"][0],
        title="Credit",
        policy=policy,
        section_keys="store-credit",
    )
    rule = SelectionRule(count=5, policy=policy, section_key="returns-window")
    assert list(rule.pool()) == [window]
    assert Question.objects.get(pk=window.pk).section_keys == "refund-method,returns-window"
    assert list(SelectionRule(count=1, policy=policy, section_key="window").pool()) == []


def test_matching_answers_are_shuffled_even_when_options_are_not(learner):
    question = make_question("matching", SAMPLES["matching"][0], title="Deadlines")
    attempt = attempt_start(
        user=learner, assessment=make_assessment([question], shuffle_options=False)
    )
    assert served_items(attempt)[0].order != [0, 1, 2]


def test_a_shared_matching_answer_is_right_whichever_copy_is_picked():
    value = {
        "pairs": [
            {"prompt": "Cat", "answer": "Mammal"},
            {"prompt": "Dog", "answer": "Mammal"},
            {"prompt": "Trout", "answer": "Fish"},
        ],
        "extra_answers": [],
    }
    assert fraction("matching", value, [0, 0, 2]) == 1.0
    assert fraction("matching", value, [2, 0, 0]) == pytest.approx(1 / 3)


def test_whole_percent_thirds_still_earn_full_marks():
    value = {
        "options": [
            {"text": "a", "credit": 33, "feedback": ""},
            {"text": "b", "credit": 33, "feedback": ""},
            {"text": "c", "credit": 33, "feedback": ""},
            {"text": "d", "credit": -100, "feedback": ""},
        ]
    }
    assert fraction("multiple_response", value, [0, 1, 2]) == 1.0
    assert fraction("multiple_response", value, [0, 1]) == pytest.approx(2 / 3)
    assert fraction("multiple_response", value, [0, 1, 2, 3]) == 0.0


def test_practice_checks_follow_the_mode_the_attempt_started_in(learner):
    assessment = make_assessment(sample_questions(["true_false"]))
    attempt = attempt_start(user=learner, assessment=assessment)
    type(assessment).objects.filter(pk=assessment.pk).update(mode=AssessmentMode.PRACTICE)
    attempt = Attempt.objects.select_related("assessment").get(pk=attempt.pk)
    item = served_items(attempt)[0]
    attempt_save(attempt=attempt, sequence=0, data=form((item, True)), positions=[1], check=True)
    item = served_items(attempt)[0]
    assert item.checked is False and item.fraction is None


def test_grading_several_essays_is_all_or_nothing(learner, trainer):
    essay = make_question(
        "essay",
        {"rubric": [{"criterion": "Clear", "points": 2}], "grader_guidance": ""},
        title="Essay one",
    )
    assessment = make_assessment([essay, *sample_questions(["true_false"])])
    attempt = attempt_start(user=learner, assessment=assessment)
    attempt_submit(attempt=attempt)
    with pytest.raises(ValueError, match="not essays in this attempt"):
        attempt_grade_essays(attempt=attempt, points={1: [2], 2: [1]}, grader=trainer)
    with pytest.raises(ValueError, match="between 0 and its maximum"):
        attempt_grade_essays(attempt=attempt, points={1: [3]}, grader=trainer)
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.AWAITING_GRADING
    assert attempt.items.get(position=1).grader_points is None
