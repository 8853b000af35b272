"""Trainers write questions in banks: answer keys checked on save, revisions kept,
policy sections verified, and the bank closed to everyone who should not see keys."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.test.utils.form_data import rich_text

from assessments.blocks import (
    MatchingBlock,
    MultipleResponseBlock,
    NumericalBlock,
    ShortAnswerBlock,
    SingleChoiceBlock,
    SituationalJudgementBlock,
)
from assessments.models import Competency, Question, QuestionBank
from tests.cms.factories import publish_policy

pytestmark = pytest.mark.django_db

ADD = reverse("wagtailsnippets_assessments_question:add")
LIST = reverse("wagtailsnippets_assessments_question:list")


def option(text, credit=0, feedback=""):
    return {"text": text, "credit": credit, "feedback": feedback}


def numeric(value, tolerance=0, credit=0):
    return {"value": value, "tolerance": tolerance, "credit": credit, "feedback": ""}


@pytest.mark.parametrize(
    ("block", "value", "field", "message"),
    [
        (
            SingleChoiceBlock(),
            {"options": [option("Refund"), option("Credit", 50)]},
            "options",
            "Give one option 100% credit",
        ),
        (
            MultipleResponseBlock(),
            {"options": [option("Apologise", 50), option("Log it", 30), option("Argue", -50)]},
            "options",
            "add up to 100%; they add up to 80%",
        ),
        (
            ShortAnswerBlock(),
            {"answers": [option("DPO", 50)], "case_sensitive": False},
            "answers",
            "at least one accepted answer 100%",
        ),
        (
            NumericalBlock(),
            {"answers": [numeric(45, 0, 50)], "other_feedback": ""},
            "answers",
            "at least one answer 100%",
        ),
        (
            MatchingBlock(),
            {"pairs": [{"prompt": "Email", "answer": "1 day"}, {"prompt": "email", "answer": "2"}]},
            "pairs",
            "Each prompt may appear only once",
        ),
    ],
    ids=["single choice", "multiple response", "short answer", "numerical", "matching"],
)
def test_an_answer_key_that_cannot_be_marked_is_refused(block, value, field, message):
    with pytest.raises(StructBlockValidationError) as caught:
        block.clean(block.to_python(value))
    assert message in " ".join(caught.value.block_errors[field].messages)


def test_a_situational_judgement_needs_three_responses_to_rank():
    block = SituationalJudgementBlock()
    value = {"responses": [{"text": "Listen", "feedback": ""}, {"text": "Argue", "feedback": ""}]}
    with pytest.raises(ValidationError):
        block.clean(block.to_python(value))


def question(**fields):
    fields.setdefault("bank", QuestionBank.objects.get_or_create(name="Refunds")[0])
    fields.setdefault("title", "Store credit limit")
    fields.setdefault("stem", "<p>How much store credit may an agent give?</p>")
    fields.setdefault(
        "answer",
        [{"type": "numerical", "value": {"answers": [numeric(50, 0, 100)], "other_feedback": ""}}],
    )
    return Question(**fields)


def test_section_keys_must_be_published_sections_of_the_chosen_policy():
    policy = publish_policy()
    with pytest.raises(ValidationError) as caught:
        question(policy=policy, section_keys="store-credit, made-up").full_clean()
    assert "no published section made-up" in str(caught.value)
    with pytest.raises(ValidationError) as caught:
        question(section_keys="store-credit").full_clean()
    assert "Choose the policy" in str(caught.value)
    ok = question(policy=policy, section_keys="store-credit , refund-method")
    ok.full_clean()
    assert ok.section_key_list == ["store-credit", "refund-method"]


def form_data(bank, **fields):
    data = {
        "bank": bank.pk,
        "title": "Returns window in days",
        "category": "Refunds/Basics",
        "stem": rich_text("<p>Customers may return unused items within 30 days.</p>"),
        "answer-count": 1,
        "answer-0-type": "true_false",
        "answer-0-deleted": "",
        "answer-0-order": 0,
        "answer-0-id": "answer-1",
        "answer-0-value-correct": "true",
        "answer-0-value-feedback_if_true": "Right: 30 days.",
        "answer-0-value-feedback_if_false": "It is 30 days.",
        "general_feedback": "",
        "competencies": [Competency.objects.get(key="policy_knowledge").pk],
        "policy": "",
        "section_keys": "",
    }
    return data | fields


def test_a_trainer_writes_a_question_and_each_save_is_a_revision(client, trainer):
    bank = QuestionBank.objects.create(name="Refunds")
    client.force_login(trainer)

    response = client.post(ADD, form_data(bank))

    assert response.status_code == 302, response.context["form"].errors
    saved = Question.objects.get()
    assert saved.kind == "true_false"
    assert [c.key for c in saved.competencies.all()] == ["policy_knowledge"]
    first = saved.latest_revision
    assert first is not None

    edit = reverse("wagtailsnippets_assessments_question:edit", args=[saved.pk])
    data = form_data(bank, **{"answer-0-value-feedback_if_true": "Yes, thirty days."})
    assert client.post(edit, data).status_code == 302
    saved.refresh_from_db()
    assert saved.latest_revision != first
    assert saved.revisions.count() == 2
    old = first.as_object()
    assert old.answer[0].value["feedback_if_true"] == "Right: 30 days."

    listing = client.get(LIST, {"kind": "true_false", "bank": bank.pk})
    assert listing.status_code == 200
    assert "Returns window in days" in listing.content.decode()


def test_a_question_without_an_answer_is_refused(client, trainer):
    bank = QuestionBank.objects.create(name="Refunds")
    client.force_login(trainer)
    response = client.post(ADD, form_data(bank, **{"answer-count": 0}))
    assert response.status_code == 200
    assert not Question.objects.exists()


def test_hr_may_read_questions_but_not_write_them(client, hr_user):
    client.force_login(hr_user)
    assert client.get(LIST).status_code == 200
    assert client.get(ADD).status_code == 403


@pytest.mark.parametrize("role", ["Learners", "Managers"])
def test_learners_and_managers_never_see_the_bank(client, make_user, role):
    client.force_login(make_user(role))
    assert client.get(LIST).status_code == 403
    bank = QuestionBank.objects.create(name="Refunds")
    assert client.post(ADD, form_data(bank)).status_code == 403
    assert not Question.objects.exists()
