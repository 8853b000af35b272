"""Item analysis on a known data set, and the report pages trainers read it on."""

import pytest
from django.urls import reverse

from assessments.analysis import AnswerRow, item_statistics, section_statistics
from assessments.reports import section_analysis_rows
from assessments.services import attempt_save, attempt_start, attempt_submit, served_items
from tests.assessments.attempt_helpers import form
from tests.assessments.factories import SAMPLES, make_assessment, make_question
from tests.cms.factories import publish_policy

PATTERN = [1, 1, 1, 0, 0, 0]  # six candidates: the first three strong, the last three weak


def known_rows():
    rows = []
    for attempt, strong in enumerate(PATTERN, start=1):
        for question in (1, 2, 5):  # good questions: the strong get them right
            rows.append(
                AnswerRow(attempt, question, float(strong), 0 if strong else 1, "single_choice")
            )
        rows.append(AnswerRow(attempt, 3, float(1 - strong), 0, "single_choice"))  # backwards
        rows.append(AnswerRow(attempt, 4, 0.0, 1, "single_choice"))  # nobody right
    return rows


def test_facility_and_discrimination_on_a_known_data_set():
    stats = {s.question_id: s for s in item_statistics(known_rows(), {1: {1: "B", 2: "C"}})}
    assert stats[1].facility == 50
    assert stats[1].discrimination == pytest.approx(100)
    assert stats[3].discrimination == pytest.approx(-100)
    assert stats[4].facility == 0
    assert stats[4].discrimination is None
    assert stats[1].picks == {0: 3, 1: 3}
    assert stats[1].flags == ["Nobody picks the distractor “C”."]
    assert stats[3].flags == ["Negative discrimination: stronger candidates do worse on it."]
    assert stats[4].flags == ["Nobody gets it right: check the answer key."]
    assert stats[2].flags == []


def test_too_few_answers_raise_no_flags():
    rows = [row for row in known_rows() if row.attempt_id <= 4]
    assert all(s.flags == [] for s in item_statistics(rows))


def test_facility_per_policy_section():
    stats = section_statistics(
        [(7, ["window"], 1, 1.0), (7, ["window", "credit"], 2, 0.0), (None, ["x"], 3, 1.0)]
    )
    assert [(s.section_key, s.questions, s.count, s.facility) for s in stats] == [
        ("credit", 1, 1, 0.0),
        ("window", 2, 2, 50.0),
    ]


@pytest.fixture
def answered(make_user):
    policy = publish_policy()
    question = make_question(
        "single_choice",
        SAMPLES["single_choice"][0],
        title='=HYPERLINK("x") window',
        policy=policy,
        section_keys="returns-window",
    )
    assessment = make_assessment([question])
    for index in range(6):
        attempt = attempt_start(user=make_user(), assessment=assessment)
        item = served_items(attempt)[0]
        answer = SAMPLES["single_choice"][1 if index < 4 else 2]
        attempt_save(attempt=attempt, sequence=0, data=form((item, answer)), positions=[1])
        attempt_submit(attempt=attempt)
    return question


@pytest.mark.django_db
def test_trainers_read_and_export_the_item_analysis(client, trainer, answered):
    client.force_login(trainer)
    html = client.get(reverse("assessments_item_analysis")).content.decode()
    assert "window" in html
    assert "Refund within 45 days: 4 · Store credit only: 2 · Refuse: 0" in html
    assert "Nobody picks the distractor “Refuse”." in html

    csv = client.get(reverse("assessments_item_analysis") + "?export=csv")
    text = b"".join(csv.streaming_content).decode() if csv.streaming else csv.content.decode()
    assert text.splitlines()[0].startswith("Question,Kind,Answers,Facility %")
    assert "'=HYPERLINK" in text  # a title that looks like a formula never runs

    xlsx = client.get(reverse("assessments_item_analysis") + "?export=xlsx")
    assert xlsx.status_code == 200

    sections = client.get(reverse("assessments_section_analysis")).content.decode()
    assert "returns-window" in sections
    [row] = section_analysis_rows()
    assert (row.section_key, row.answers, row.facility) == ("returns-window", 6, "67")


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["learner", "manager", "hr_user"])
def test_item_analysis_is_refused_to_everyone_but_trainers(client, role, request):
    client.force_login(request.getfixturevalue(role))
    for name in ("assessments_item_analysis", "assessments_section_analysis"):
        assert client.get(reverse(name)).status_code == 403
        assert client.get(reverse(name) + "?export=csv").status_code == 403
