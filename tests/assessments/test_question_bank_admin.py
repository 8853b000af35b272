"""The question bank's admin pages: import with a preview, export that imports back,
building an assessment, grading essays, and who may do each."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from assessments.choices import AttemptStatus
from assessments.models import Assessment, Attempt, Question, QuestionBank
from assessments.services import (
    attempt_save,
    attempt_start,
    attempt_submit,
    questions_import,
    served_items,
)
from tests.assessments.attempt_helpers import form
from tests.assessments.factories import SAMPLES, make_assessment, make_question, sample_questions
from tests.assessments.test_question_import import GIFT, MOODLE_XML

pytestmark = pytest.mark.django_db

IMPORT = reverse("assessments_question_import")
EXPORT = reverse("assessments_question_export")
ESSAYS = reverse("assessments_essay_queue")


def upload(client, data=None, file_format="gift", bank="Refunds desk"):
    data = GIFT.encode() if data is None else data
    return client.post(
        IMPORT,
        {"file": SimpleUploadedFile("bank.gift", data), "file_format": file_format, "bank": bank},
    )


def test_a_trainer_previews_then_confirms_an_import(client, trainer):
    client.force_login(trainer)
    preview = upload(client)
    html = preview.content.decode()
    assert preview.status_code == 200
    assert "Preview: nothing is saved yet" in html
    assert "Refund window" in html and "Split" in html
    assert "Embedded answers (cloze) are not supported." in html
    assert not Question.objects.exists()

    token = preview.context["token"]
    done = client.post(IMPORT, {"confirm": "1", "token": token}, follow=True)
    assert "bank.gift into Refunds desk: Imported 2 questions; skipped 3." in done.content.decode()
    assert Question.objects.filter(bank__name="Refunds desk").count() == 2

    again = client.post(IMPORT, {"confirm": "1", "token": token}, follow=True)
    assert "preview has expired" in again.content.decode()
    assert Question.objects.count() == 2


def test_a_refused_file_shows_why_and_saves_nothing(client, trainer):
    client.force_login(trainer)
    response = upload(client, data=b"::Q:: Broken {=yes ~no\n")
    assert response.status_code == 200
    assert "Nothing was imported: Line 1: the answer block opened" in response.content.decode()
    assert response.context["preview"] is None
    assert not QuestionBank.objects.exists()


def test_a_file_over_the_size_limit_is_refused(client, trainer, settings):
    settings.QUESTION_IMPORT_MAX_BYTES = 100
    client.force_login(trainer)
    response = upload(client, data=b"x" * 200)
    assert "the limit is 100" in response.content.decode()


@pytest.mark.parametrize("file_format", ["gift", "moodle-xml"])
def test_an_export_imports_back_as_the_same_questions(client, trainer, file_format):
    kinds = [k for k in SAMPLES if k != "situational_judgement"]
    if file_format == "gift":
        kinds.remove("ordering")
    originals = sample_questions(kinds, competencies=["privacy"], bank="Originals")
    client.force_login(trainer)
    bank = QuestionBank.objects.get(name="Originals")
    response = client.get(EXPORT, {"bank": bank.pk, "file_format": file_format})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]

    result = questions_import(data=response.content, file_format=file_format, bank_name="Copies")
    assert result.skipped == []
    copies = {q.title: q for q in Question.objects.filter(bank__name="Copies")}
    for original in originals:
        copy = copies[original.title]
        assert copy.kind == original.kind
        assert plain(copy) == plain(original), original.kind
        assert copy.stem == original.stem
    if file_format == "moodle-xml":
        assert all(
            list(c.competencies.values_list("key", flat=True)) == ["privacy"]
            for c in copies.values()
        )


def plain(question):
    """The answer block's stored value without the ids list items carry."""

    def strip(value):
        if isinstance(value, dict):
            if set(value) == {"type", "value", "id"} and value["type"] == "item":
                return strip(value["value"])
            return {key: strip(item) for key, item in value.items() if key != "id"}
        if isinstance(value, list):
            return [strip(item) for item in value]
        return value

    return strip(question.answer.get_prep_value())


def test_an_export_of_an_unknown_bank_or_format_is_400(client, trainer):
    client.force_login(trainer)
    assert client.get(EXPORT, {"bank": 9999, "file_format": "gift"}).status_code == 400
    sample_questions(["true_false"], bank="Real")
    bank = QuestionBank.objects.get(name="Real")
    assert client.get(EXPORT, {"bank": bank.pk, "file_format": "csv"}).status_code == 400


def test_export_names_what_a_format_cannot_hold(client, trainer):
    sample_questions(["ordering", "situational_judgement"], bank="Odd ones")
    client.force_login(trainer)
    bank = QuestionBank.objects.get(name="Odd ones")
    text = client.get(EXPORT, {"bank": bank.pk, "file_format": "gift"}).content.decode()
    assert "// Not exported: “Sample ordering”: ordering questions have no GIFT form" in text


def test_a_trainer_builds_a_certifying_assessment_in_the_admin(client, trainer):
    questions_import(data=GIFT.encode(), file_format="gift", bank_name="Refunds desk")
    fixed = Question.objects.get(title="Refund window")
    bank = QuestionBank.objects.get(name="Refunds desk")
    client.force_login(trainer)
    data = nested_form_data(
        {
            "title": "Refunds final check",
            "instructions": "Ten minutes, no notes.",
            "mode": "certifying",
            "pass_percent": 80,
            "minimums": inline_formset([]),
            "selection_rules": inline_formset(
                [
                    {
                        "question": fixed.pk,
                        "count": 0,
                        "bank": "",
                        "competency": "",
                        "policy": "",
                        "section_key": "",
                    },
                    {
                        "question": "",
                        "count": 1,
                        "bank": bank.pk,
                        "competency": "",
                        "policy": "",
                        "section_key": "",
                    },
                ]
            ),
            "time_limit_minutes": 10,
            "grace_minutes": 1,
            "attempts_allowed": 3,
            "minutes_between_attempts": 0,
            "shuffle_questions": "on",
            "shuffle_options": "on",
            "questions_per_page": 5,
            "review_score": "on",
            "review_correctness": "on",
            "review_feedback": "on",
            "review_answers_when_passed": "on",
        }
    )
    response = client.post(reverse("wagtailsnippets_assessments_assessment:add"), data)
    assert response.status_code == 302, response.context["form"].errors
    assessment = Assessment.objects.get(title="Refunds final check")
    assert assessment.selection_rules.count() == 2

    bad = data | {"selection_rules-1-count": "5", "title": "Too greedy"}
    response = client.post(reverse("wagtailsnippets_assessments_assessment:add"), bad)
    assert response.status_code == 200
    assert "Only 2 question(s) match; ask for at most 2." in response.content.decode()
    assert not Assessment.objects.filter(title="Too greedy").exists()


def essay_attempt(learner):
    essay = make_question(
        "essay",
        {"rubric": [{"criterion": "Apologises", "points": 2}], "grader_guidance": "Be fair."},
        title="Write it",
    )
    attempt = attempt_start(user=learner, assessment=make_assessment([essay]))
    item = served_items(attempt)[0]
    attempt_save(
        attempt=attempt, sequence=0, data=form((item, "Sorry for the wait.")), positions=[1]
    )
    return attempt_submit(attempt=attempt)


def test_a_trainer_grades_an_essay_from_the_queue(client, trainer, learner):
    attempt = essay_attempt(learner)
    client.force_login(trainer)
    assert "Grade" in client.get(ESSAYS).content.decode()
    url = reverse("assessments_essay_grade", args=[attempt.public_id])
    page = client.get(url).content.decode()
    assert "Sorry for the wait." in page and "Be fair." in page

    refused = client.post(url, {"item1-criterion_0": "5"})
    assert refused.status_code == 400
    assert Attempt.objects.get(pk=attempt.pk).status == AttemptStatus.AWAITING_GRADING

    client.post(url, {"item1-criterion_0": "2"})
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.GRADED and attempt.percent == 100
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("role", ["learner", "manager", "hr_user"])
def test_import_and_grading_are_refused_to_everyone_but_trainers(client, role, request, learner):
    attempt = essay_attempt(learner)
    client.force_login(request.getfixturevalue(role))
    assert client.get(IMPORT).status_code == 403
    assert upload(client).status_code == 403
    assert client.get(ESSAYS).status_code == 403
    grade = reverse("assessments_essay_grade", args=[attempt.public_id])
    assert client.post(grade, {"item1-criterion_0": "2"}).status_code == 403
    assert client.get(reverse("wagtailsnippets_assessments_assessment:add")).status_code == 403
    assert not QuestionBank.objects.filter(name="Refunds desk").exists()
    assert Attempt.objects.get(pk=attempt.pk).status == AttemptStatus.AWAITING_GRADING


@pytest.mark.parametrize("role", ["learner", "manager"])
def test_export_is_refused_to_people_who_cannot_see_the_bank(client, role, request):
    sample_questions(["true_false"], bank="Secret keys")
    client.force_login(request.getfixturevalue(role))
    bank = QuestionBank.objects.get(name="Secret keys")
    assert client.get(EXPORT, {"bank": bank.pk, "file_format": "gift"}).status_code == 403


def test_moodle_xml_upload_previews_too(client, trainer):
    client.force_login(trainer)
    response = upload(client, data=MOODLE_XML.encode(), file_format="moodle-xml", bank="Privacy")
    assert "8 questions will go into" in response.content.decode()
