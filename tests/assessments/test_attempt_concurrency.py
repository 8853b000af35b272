"""Starts, saves and submissions racing each other, on PostgreSQL where requests truly
overlap: the database keeps one attempt in progress and grades each attempt once."""

import threading

import pytest
from django.db import connection

from assessments.choices import AttemptStatus
from assessments.models import Assessment, Attempt
from assessments.services import (
    AttemptConflict,
    AttemptRefused,
    attempt_save,
    attempt_start,
    attempt_submit,
    served_items,
)
from tests.assessments.attempt_helpers import form
from tests.assessments.factories import SAMPLES, make_assessment, sample_questions

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite serialises writers, so the requests cannot overlap there",
    ),
]


def race(count, action):
    barrier = threading.Barrier(count)
    outcomes = [None] * count

    def run(n):
        try:
            barrier.wait()
            outcomes[n] = action(n)
        except (AttemptRefused, AttemptConflict) as refused:
            outcomes[n] = type(refused).__name__
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


def test_concurrent_starts_make_one_attempt(learner):
    assessment = make_assessment(sample_questions(["true_false", "numerical"]))

    def start(_):
        attempt_start(user=learner, assessment=Assessment.objects.get(pk=assessment.pk))
        return "started"

    outcomes = race(4, start)
    assert outcomes == ["AttemptRefused"] * 3 + ["started"]
    assert Attempt.objects.filter(user=learner).count() == 1


def test_concurrent_submissions_grade_once(learner):
    attempt = attempt_start(user=learner, assessment=make_assessment(sample_questions()))
    for item in served_items(attempt):
        attempt_save(
            attempt=attempt,
            sequence=attempt.save_sequence,
            data=form((item, SAMPLES[item.kind][1])),
            positions=[item.position],
        )

    def submit(_):
        return attempt_submit(attempt=Attempt.objects.get(pk=attempt.pk)).graded_at

    outcomes = race(4, submit)
    attempt.refresh_from_db()
    assert len(set(outcomes)) == 1 and outcomes[0] == attempt.graded_at
    assert attempt.status == AttemptStatus.GRADED and attempt.percent == 100


def test_concurrent_saves_with_the_same_sequence_keep_one(learner):
    attempt = attempt_start(
        user=learner, assessment=make_assessment(sample_questions(["single_choice"]))
    )
    item = served_items(attempt)[0]
    answers = [SAMPLES["single_choice"][1], SAMPLES["single_choice"][2]] * 2

    def save(n):
        fresh = Attempt.objects.get(pk=attempt.pk)
        attempt_save(attempt=fresh, sequence=0, data=form((item, answers[n])), positions=[1])
        return "saved"

    outcomes = race(4, save)
    assert outcomes.count("saved") == 1
    assert outcomes.count("AttemptConflict") == 3
    attempt.refresh_from_db()
    assert attempt.save_sequence == 1
