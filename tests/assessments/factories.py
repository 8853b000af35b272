"""Builders for questions and assessments: real rows, with revisions as the admin makes."""

from assessments.models import (
    Assessment,
    Competency,
    CompetencyMinimum,
    Question,
    QuestionBank,
    SelectionRule,
)


def option(text, credit=0, feedback=""):
    return {"text": text, "credit": credit, "feedback": feedback}


def make_question(
    kind, value, *, title=None, bank="Refunds", competencies=(), stem=None, **fields
) -> Question:
    bank_row = QuestionBank.objects.get_or_create(name=bank)[0]
    question = Question(
        bank=bank_row,
        title=title or f"A {kind} question",
        stem=stem or f"<p>Question text for {title or kind}.</p>",
        answer=[{"type": kind, "value": value}],
        **fields,
    )
    question.competencies = list(Competency.objects.filter(key__in=competencies))
    question.save()
    question.save_revision()
    return question


# One of each kind, each with a known right answer (in answer-key terms) and a wrong one.
SAMPLES = {
    "single_choice": (
        {
            "options": [
                option("Refund within 45 days", 100, "Right: version 2.0 says 45 days."),
                option("Store credit only", 0, "That was the old rule."),
                option("Refuse", 0, "Never without checking the policy."),
            ]
        },
        0,
        1,
    ),
    "multiple_response": (
        {
            "options": [
                option("Date received", 50),
                option("What was asked for", 50),
                option("Your opinion of the caller", -100, "Keep opinions out of the log."),
            ]
        },
        [0, 1],
        [0, 2],
    ),
    "true_false": (
        {"correct": "false", "feedback_if_true": "No.", "feedback_if_false": "Yes."},
        False,
        True,
    ),
    "matching": (
        {
            "pairs": [
                {"prompt": "Acknowledge", "answer": "1 working day"},
                {"prompt": "Final reply", "answer": "8 weeks"},
            ],
            "extra_answers": ["Never"],
        },
        [0, 1],
        [1, 0],
    ),
    "ordering": ({"items": ["Listen", "Verify", "Resolve"]}, [0, 1, 2], [2, 1, 0]),
    "short_answer": (
        {
            "answers": [option("data protection officer", 100), option("DPO", 100)],
            "case_sensitive": False,
        },
        "Data Protection Officer",
        "my manager",
    ),
    "numerical": (
        {
            "answers": [{"value": 45, "tolerance": 0, "credit": 100, "feedback": ""}],
            "other_feedback": "Check the window in 2.0.",
        },
        "45",
        "30",
    ),
    "situational_judgement": (
        {
            "responses": [
                {"text": "Acknowledge the frustration", "feedback": "Best: it lowers the heat."},
                {"text": "Explain the policy", "feedback": ""},
                {"text": "Transfer the call", "feedback": "Worst: it feels like a brush-off."},
            ]
        },
        [0, 1, 2],
        [2, 1, 0],
    ),
}


def sample_questions(kinds=None, *, competencies=("policy_knowledge",), **fields):
    return [
        make_question(
            kind, SAMPLES[kind][0], title=f"Sample {kind}", competencies=competencies, **fields
        )
        for kind in (kinds or SAMPLES)
    ]


def make_assessment(questions=(), *, minimums=None, rules=(), **fields) -> Assessment:
    fields.setdefault("title", "Refunds check")
    fields.setdefault("shuffle_questions", False)
    assessment = Assessment(**fields)
    assessment.selection_rules = [
        *(SelectionRule(question=question) for question in questions),
        *rules,
    ]
    assessment.minimums = [
        CompetencyMinimum(competency=Competency.objects.get(key=key), minimum_percent=value)
        for key, value in (minimums or {}).items()
    ]
    assessment.save()
    return assessment
