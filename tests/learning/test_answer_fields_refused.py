"""An assessment page refuses, with a 400 and nothing saved, any answer field its form
could not have sent: a matching prompt or ranking place that does not exist, a bare field
for a question answered in parts (or the reverse), and several values where one is sent."""

import pytest
from django.urls import reverse

from assessments.models import Attempt
from assessments.services import served_items
from tests.assessments.attempt_helpers import answer_fields
from tests.assessments.factories import (
    SAMPLES,
    make_assessment,
    make_question,
    sample_questions,
)
from tests.learning.test_assessment_player import course_with
from tests.learning.test_course_player import assign

pytestmark = pytest.mark.django_db

# (kind, extra fields for question 1, besides a right answer to it)
STRAY = [
    ("matching", {"q1-2": "0"}),  # two prompts: there is no third
    ("matching", {"q1-99": "1"}),
    ("matching", {"q1": "0"}),
    ("matching", {"q1-01": "0"}),
    ("ordering", {"q1-3": "1"}),  # three items: there is no fourth place
    ("situational_judgement", {"q1-5": "1"}),
    ("single_choice", {"q1-0": "0"}),
    ("true_false", {"q1-0": "true"}),
    ("short_answer", {"q1-1": "DPO"}),
]

# (kind, fields for question 1 that post a list where the form sends one value)
LISTS = [
    ("single_choice", {"q1": ["0", "1"]}),
    ("true_false", {"q1": ["true", "false"]}),
    ("numerical", {"q1": ["45", "46"]}),
    ("matching", {"q1-0": ["0", "1"], "q1-1": "1"}),
    ("ordering", {"q1-0": ["1", "2"], "q1-1": "2", "q1-2": "3"}),
]


def _questions(kind):
    if kind == "essay":
        rubric = {"rubric": [{"criterion": "Apologises", "points": 2}], "grader_guidance": ""}
        return [make_question("essay", rubric, title="Write it")]
    return sample_questions([kind])


def _attempt_page(client, learner, kind):
    course = course_with(make_assessment(_questions(kind)))
    assign(learner, course)
    client.force_login(learner)
    response = client.post(reverse("learning:assessment_start", args=[course.slug, "final"]))
    assert response.status_code == 302
    attempt = Attempt.objects.latest("started_at")
    address = reverse("learning:attempt", args=[course.slug, "final", attempt.public_id])
    return attempt, address


def _assert_nothing_saved(attempt):
    attempt.refresh_from_db()
    assert attempt.save_sequence == 0
    assert [item.answer for item in attempt.items.all()] == [None]


@pytest.mark.parametrize("kind,extra", STRAY)
def test_an_answer_for_a_part_the_question_does_not_have_gets_400(client, learner, kind, extra):
    attempt, address = _attempt_page(client, learner, kind)
    item = served_items(attempt)[0]
    data = {"sequence": 0, "page": 1, "action": "save"}
    data |= answer_fields(item, SAMPLES[kind][1]) | extra

    response = client.post(address, data)

    assert response.status_code == 400
    assert "not part of this question" in response.content.decode()
    _assert_nothing_saved(attempt)


@pytest.mark.parametrize("kind,fields", LISTS)
def test_several_values_where_the_form_sends_one_get_400(client, learner, kind, fields):
    attempt, address = _attempt_page(client, learner, kind)

    response = client.post(address, {"sequence": 0, "page": 1, "action": "save"} | fields)

    assert response.status_code == 400
    assert "Give one answer" in response.content.decode()
    _assert_nothing_saved(attempt)


def test_the_same_page_with_only_its_own_fields_is_saved(client, learner):
    attempt, address = _attempt_page(client, learner, "matching")
    item = served_items(attempt)[0]
    data = {"sequence": 0, "page": 1, "action": "save"}
    data |= answer_fields(item, SAMPLES["matching"][1])

    assert client.post(address, data).status_code == 302
    attempt.refresh_from_db()
    assert attempt.save_sequence == 1
    assert served_items(attempt)[0].answer == SAMPLES["matching"][1]


@pytest.mark.parametrize("kind", ["short_answer", "numerical", "essay"])
def test_a_typed_answer_holding_a_nul_is_refused_and_nothing_saved(client, learner, kind):
    # A NUL is no answer, and PostgreSQL cannot store it: the page says so instead of a 500.
    attempt, address = _attempt_page(client, learner, kind)

    response = client.post(address, {"sequence": 0, "page": 1, "action": "save", "q1": "4\x005"})

    assert response.status_code == 400
    assert "Remove the NUL character" in response.content.decode()
    _assert_nothing_saved(attempt)
