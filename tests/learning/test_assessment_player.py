"""Taking an assessment in the browser's shoes: pages of questions, saves, submission,
the result and what it reveals, with every forged or stale form refused."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.choices import AssessmentMode, AttemptStatus
from assessments.models import Attempt
from assessments.services import served_items
from courses.models import CoursePage
from learning.models import Assignment
from tests.assessments.attempt_helpers import answer_fields
from tests.assessments.factories import SAMPLES, make_assessment, make_question, sample_questions
from tests.cms.factories import publish_policy
from tests.courses.factories import excerpt, make_course, text
from tests.learning.test_course_player import assign

pytestmark = pytest.mark.django_db


def course_with(assessment, *, practice=False):
    course = make_course(title="Complaints basics", modules=[])
    field = "practice_assessment" if practice else "assessment"
    CoursePage.objects.filter(pk=course.pk).update(**{field: assessment})
    return CoursePage.objects.get(pk=course.pk)


@pytest.fixture
def sitting(client, learner):
    assessment = make_assessment(
        sample_questions(competencies=["complaint_handling"]), questions_per_page=4
    )
    course = course_with(assessment)
    assign(learner, course)
    client.force_login(learner)
    return course, assessment


def url(name, course, which="final", attempt=None):
    args = [course.slug, which] + ([attempt.public_id] if attempt else [])
    return reverse(f"learning:{name}", args=args)


def start(client, course, which="final"):
    response = client.post(url("assessment_start", course, which))
    assert response.status_code == 302, response.content
    return Attempt.objects.latest("started_at")


def page_data(attempt, page, which=1, **extra):
    per_page = attempt.assessment.questions_per_page
    items = served_items(attempt)[(page - 1) * per_page : page * per_page]
    data = {"sequence": attempt.save_sequence, "page": page, **extra}
    for item in items:
        data |= answer_fields(item, SAMPLES[item.kind][which])
    return data


def test_a_learner_takes_the_assessment_and_completes_the_course(client, sitting, learner):
    course, _ = sitting
    overview = client.get(url("assessment", course))
    assert "Start the assessment" in overview.content.decode()

    attempt = start(client, course)
    attempt_url = url("attempt", course, attempt=attempt)
    first = client.get(attempt_url)
    assert first.status_code == 200
    assert "page 1 of 2" in first.content.decode()

    response = client.post(attempt_url, page_data(attempt, 1, action="next"))
    assert response.status_code == 302 and response["Location"].endswith("?page=2")
    attempt.refresh_from_db()
    response = client.post(attempt_url, page_data(attempt, 2, action="finish"))
    assert response["Location"] == url("attempt_submit", course, attempt=attempt)
    summary = client.get(response["Location"]).content.decode()
    assert "You have answered 8 of 8 questions" in summary

    response = client.post(url("attempt_submit", course, attempt=attempt))
    assert response["Location"] == url("attempt_result", course, attempt=attempt)
    result = client.get(response["Location"]).content.decode()
    assert "Attempt 1: passed" in result
    assert "You scored <strong>100%</strong>" in result
    assert "Complaint handling" in result
    assignment = Assignment.objects.get(employee__user=learner, course=course)
    assert assignment.completed_at is not None


def test_no_page_before_submission_carries_keys_weights_or_feedback(client, sitting):
    course, _ = sitting
    attempt = start(client, course)
    pages = [
        client.get(url("attempt", course, attempt=attempt) + f"?page={n}").content.decode()
        for n in (1, 2)
    ]
    pages.append(client.get(url("attempt_submit", course, attempt=attempt)).content.decode())
    html = "\n".join(pages)
    secrets = [
        "Right: version 2.0 says 45 days.",
        "That was the old rule.",
        "Keep opinions out of the log.",
        "Best: it lowers the heat.",
        "Check the window in 2.0.",
        "data protection officer",
        'value="100"',
        "fraction",
        "correct",
    ]
    for secret in secrets:
        assert secret.lower() not in html.lower(), secret
    assert not re.search(r'value="45"', html)


def test_forged_score_and_key_fields_are_ignored(client, sitting):
    course, _ = sitting
    attempt = start(client, course)
    attempt_url = url("attempt", course, attempt=attempt)
    forged = {"score": "100", "percent": "100", "passed": "true", "fraction": "1"}
    client.post(attempt_url, page_data(attempt, 1, which=2, action="next") | forged)
    attempt.refresh_from_db()
    client.post(attempt_url, page_data(attempt, 2, which=2, action="finish") | forged)
    client.post(url("attempt_submit", course, attempt=attempt), forged)
    attempt.refresh_from_db()
    assert attempt.passed is False
    assert attempt.percent < 50


def test_a_stale_page_is_refused_with_409_and_the_newer_answers_stay(client, sitting):
    course, _ = sitting
    attempt = start(client, course)
    attempt_url = url("attempt", course, attempt=attempt)
    old_form = page_data(attempt, 1, which=2, action="save")
    client.post(attempt_url, page_data(attempt, 1, action="save"))

    response = client.post(attempt_url, old_form)

    assert response.status_code == 409
    assert "older than the ones already saved" in response.content.decode()
    attempt.refresh_from_db()
    assert attempt.save_sequence == 1
    first = served_items(attempt)[0]
    assert first.answer == SAMPLES[first.kind][1]


def test_an_option_that_is_not_in_the_question_gets_400(client, sitting):
    course, _ = sitting
    attempt = start(client, course)
    data = {"sequence": 0, "page": 1, "action": "save", "q1": "99", "q2": "99", "q2-0": "99"}
    response = client.post(url("attempt", course, attempt=attempt), data)
    assert response.status_code == 400
    assert "not part of this question" in response.content.decode()
    assert Attempt.objects.get(pk=attempt.pk).save_sequence == 0


def test_an_answer_to_a_question_on_another_page_gets_400(client, sitting):
    course, _ = sitting
    attempt = start(client, course)
    data = {"sequence": 0, "page": 1, "action": "save", "q8": "1"}
    response = client.post(url("attempt", course, attempt=attempt), data)
    assert response.status_code == 400
    assert "not on this page" in response.content.decode()


def test_a_ranking_slip_re_renders_the_page_with_the_error(client, learner):
    assessment = make_assessment(sample_questions(["ordering"]))
    course = course_with(assessment)
    assign(learner, course)
    client.force_login(learner)
    attempt = start(client, course)
    data = {"sequence": 0, "page": 1, "action": "next", "q1-0": "1", "q1-1": "1", "q1-2": "3"}
    response = client.post(url("attempt", course, attempt=attempt), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing on this page was saved" in html
    assert "Give each item a different place." in html


def test_a_number_in_words_is_kept_with_its_error_and_the_count_is_of_what_is_saved(
    client, learner
):
    assessment = make_assessment(
        sample_questions(["single_choice", "numerical", "short_answer", "ordering"]),
        questions_per_page=4,
    )
    course = course_with(assessment)
    assign(learner, course)
    client.force_login(learner)
    attempt = start(client, course)
    attempt_url = url("attempt", course, attempt=attempt)
    items = {item.kind: item for item in served_items(attempt)}
    first = items["single_choice"]
    saved = {"sequence": 0, "page": 1, "action": "save"}
    saved |= answer_fields(first, SAMPLES["single_choice"][1])
    assert client.post(attempt_url, saved).status_code == 302

    numerical, short, ranked = items["numerical"], items["short_answer"], items["ordering"]
    data = {"sequence": 1, "page": 1, "action": "next"}
    data |= answer_fields(first, SAMPLES["single_choice"][1])
    data |= answer_fields(ranked, SAMPLES["ordering"][1])
    data |= {f"q{numerical.position}": "seventy-five", f"q{short.position}": "refund"}
    response = client.post(attempt_url, data)

    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing on this page was saved" in html
    # The header counts what is saved (the one earlier answer), not what was posted.
    assert "1 of 4 questions answered" in html
    # What the learner typed is still there, and the error sits beside its question.
    assert 'value="seventy-five"' in html
    assert 'value="refund"' in html
    error = f'id="question-{numerical.position}-error">Enter a number in digits'
    assert error in html
    assert f'aria-describedby="question-{numerical.position}-error"' in html
    assert html.count(" selected>") == 3  # the three places given in the ranking
    for item in served_items(attempt):
        assert (item.answer is not None) == (item.pk == first.pk)
    assert Attempt.objects.get(pk=attempt.pk).save_sequence == 1


def test_saves_and_submissions_after_submitting_change_nothing(client, sitting):
    course, _ = sitting
    attempt = start(client, course)
    submit = url("attempt_submit", course, attempt=attempt)
    assert client.post(submit).status_code == 302
    graded_at = Attempt.objects.get(pk=attempt.pk).graded_at
    assert client.post(submit).status_code == 302
    assert Attempt.objects.get(pk=attempt.pk).graded_at == graded_at

    response = client.post(
        url("attempt", course, attempt=attempt), page_data(attempt, 1, action="save")
    )
    assert response.status_code == 409
    assert "can no longer change" in response.content.decode()


def test_starting_again_while_an_attempt_is_open_resumes_it(client, sitting):
    course, _ = sitting
    first = start(client, course)
    response = client.post(url("assessment_start", course))
    assert response["Location"] == url("attempt", course, attempt=first)
    assert Attempt.objects.count() == 1


def test_attempts_beyond_the_allowance_are_refused_with_a_message(client, learner):
    assessment = make_assessment(sample_questions(["true_false"]), attempts_allowed=1)
    course = course_with(assessment)
    assign(learner, course)
    client.force_login(learner)
    attempt = start(client, course)
    client.post(url("attempt_submit", course, attempt=attempt))
    response = client.post(url("assessment_start", course), follow=True)
    assert "You have used all 1 attempt(s)" in response.content.decode()
    assert Attempt.objects.count() == 1


def test_review_shows_only_what_the_assessment_allows(client, learner):
    assessment = make_assessment(
        sample_questions(["single_choice"]),
        review_answers=False,
        review_feedback=False,
        review_answers_when_passed=True,
    )
    course = course_with(assessment)
    assign(learner, course)
    client.force_login(learner)
    attempt = start(client, course)
    client.post(
        url("attempt", course, attempt=attempt), page_data(attempt, 1, which=2, action="save")
    )
    client.post(url("attempt_submit", course, attempt=attempt))
    html = client.get(url("attempt_result", course, attempt=attempt)).content.decode()
    assert "Not right" in html
    assert "Refund within 45 days" not in html
    assert "That was the old rule." not in html


def test_practice_checks_a_page_and_locks_its_answers(client, learner):
    assessment = make_assessment(sample_questions(["single_choice"]), mode=AssessmentMode.PRACTICE)
    course = course_with(assessment, practice=True)
    assign(learner, course)
    client.force_login(learner)
    attempt = start(client, course, "practice")
    attempt_url = url("attempt", course, attempt=attempt, which="practice")
    client.post(attempt_url, page_data(attempt, 1, which=2, action="check"))
    html = client.get(attempt_url).content.decode()
    assert "That was the old rule." in html
    assert "Not right" in html
    attempt.refresh_from_db()
    client.post(attempt_url, page_data(attempt, 1, which=1, action="check"))
    item = served_items(attempt)[0]
    assert item.answer == SAMPLES["single_choice"][2]


def test_weak_competencies_point_to_modules_and_policy_sections(client, learner):
    policy = publish_policy()
    questions = sample_questions(
        ["true_false"],
        competencies=["policy_knowledge"],
        policy=policy,
        section_keys="store-credit",
    )
    assessment = make_assessment(questions)
    course = make_course(
        title="Refund desk",
        policies=[policy],
        modules=[
            ("Store credit", [text("<p>Credit rules.</p>"), excerpt(policy, "store-credit")]),
            ("Greeting", [text("<p>Say hello.</p>")]),
        ],
    )
    CoursePage.objects.filter(pk=course.pk).update(assessment=assessment)
    assign(learner, course)
    client.force_login(learner)
    attempt = start(client, course)
    client.post(
        url("attempt", course, attempt=attempt), page_data(attempt, 1, which=2, action="save")
    )
    client.post(url("attempt_submit", course, attempt=attempt))
    html = client.get(url("attempt_result", course, attempt=attempt)).content.decode()
    assert "What to revisit" in html
    assert ">Store credit</a>" in html
    assert "Greeting" not in html
    assert "#section-store-credit" in html


def test_someone_else_cannot_reach_an_attempt(client, sitting, make_user):
    course, _ = sitting
    attempt = start(client, course)
    other = make_user()
    assign(other, course)
    client.force_login(other)
    for name in ("attempt", "attempt_submit", "attempt_result"):
        assert client.get(url(name, course, attempt=attempt)).status_code == 404
    assert client.post(url("attempt_submit", course, attempt=attempt)).status_code == 404
    assert Attempt.objects.get(pk=attempt.pk).status == AttemptStatus.IN_PROGRESS


def test_unassigned_learners_and_visitors_are_kept_out(client, sitting, make_user):
    course, _ = sitting
    client.logout()
    response = client.get(url("assessment", course))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(make_user())
    assert client.get(url("assessment", course)).status_code == 404
    assert client.post(url("assessment_start", course)).status_code == 404
    assert client.get(url("assessment", course, which="practice")).status_code == 404
    assert client.get(url("assessment", course, which="other")).status_code == 404


@pytest.mark.parametrize("size", [10, 50])
def test_a_page_of_an_attempt_takes_the_same_queries_at_any_size(
    client, learner, size, django_assert_max_num_queries
):
    questions = [
        make_question("single_choice", SAMPLES["single_choice"][0], title=f"Q{n}")
        for n in range(size)
    ]
    course = course_with(make_assessment(questions, questions_per_page=10))
    assign(learner, course)
    client.force_login(learner)
    attempt = start(client, course)
    with django_assert_max_num_queries(15):
        assert client.get(url("attempt", course, attempt=attempt)).status_code == 200


def test_after_the_deadline_the_page_submits_what_was_saved(client, sitting):
    course, _ = sitting
    attempt = start(client, course)
    attempt_url = url("attempt", course, attempt=attempt)
    client.post(attempt_url, page_data(attempt, 1, action="next"))
    past = timezone.now() - datetime.timedelta(minutes=1)
    Attempt.objects.filter(pk=attempt.pk).update(deadline=past, closes_at=past)
    attempt.refresh_from_db()

    late = client.post(attempt_url, page_data(attempt, 2, action="finish"), follow=True)
    assert late.redirect_chain[-1][0] == url("attempt_result", course, attempt=attempt)
    assert "the answers you had saved were submitted" in late.content.decode()
    attempt.refresh_from_db()
    assert attempt.closed_by == "deadline"
    assert attempt.percent == 50  # page 2 arrived too late to count
    result = client.get(url("attempt_result", course, attempt=attempt)).content.decode()
    assert "Time ran out" in result


def test_a_late_submission_is_closed_by_the_deadline(client, sitting):
    course, _ = sitting
    attempt = start(client, course)
    past = timezone.now() - datetime.timedelta(minutes=1)
    Attempt.objects.filter(pk=attempt.pk).update(deadline=past, closes_at=past)
    response = client.post(url("attempt_submit", course, attempt=attempt))
    assert response["Location"] == url("attempt_result", course, attempt=attempt)
    attempt.refresh_from_db()
    assert attempt.closed_by == "deadline" and attempt.percent == 0


def test_autosave_answers_in_json_with_the_next_sequence(client, sitting):
    course, _ = sitting
    attempt = start(client, course)
    attempt_url = url("attempt", course, attempt=attempt)
    saved = client.post(attempt_url, page_data(attempt, 1, action="autosave"))
    assert saved.status_code == 200
    assert saved.json()["sequence"] == 1
    stale = client.post(attempt_url, page_data(attempt, 1, which=2, action="autosave"))
    assert stale.status_code == 409
    assert "older than the ones already saved" in stale.json()["message"]
    forged = client.post(attempt_url, {"sequence": 1, "page": 1, "action": "autosave", "q1": "9"})
    assert forged.status_code == 400
    assert Attempt.objects.get(pk=attempt.pk).save_sequence == 1


def test_an_unknown_button_or_a_monstrous_field_name_gets_400(client, sitting):
    course, _ = sitting
    attempt = start(client, course)
    attempt_url = url("attempt", course, attempt=attempt)
    bogus = client.post(attempt_url, {"sequence": 0, "page": 1, "action": "bogus"})
    assert bogus.status_code == 400
    huge = client.post(
        attempt_url, {"sequence": 0, "page": 1, "action": "save", "q" + "1" * 5000: "x"}
    )
    assert huge.status_code == 400
    auto = client.post(
        attempt_url, {"sequence": 0, "page": 1, "action": "autosave", "q" + "1" * 5000: "x"}
    )
    assert auto.status_code == 400
    assert Attempt.objects.get(pk=attempt.pk).save_sequence == 0
