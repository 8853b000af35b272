"""The question bank's admin speaks plainly: a new question is reported as created, and
listings and filters name each kind of question as the editor does, never by its
internal name."""

import pytest

from assessments.models import QuestionBank
from tests.assessments.factories import SAMPLES, make_question
from tests.assessments.test_question_bank import ADD, LIST, form_data

pytestmark = pytest.mark.django_db


def test_a_new_question_is_reported_as_created(client, trainer):
    bank = QuestionBank.objects.create(name="Refunds")
    client.force_login(trainer)
    page = client.post(ADD, form_data(bank), follow=True).content.decode()
    assert "&#x27;Returns window in days&#x27; created" in page


def test_the_editor_does_not_autosave_a_new_question(client, trainer):
    """An autosave would create the question before its first Save, which then read
    "updated"."""
    client.force_login(trainer)
    page = client.get(ADD).content.decode()
    assert "w-autosave#save" not in page and "data-w-autosave-interval-value" not in page


def test_listings_and_filters_name_kinds_as_the_editor_does(client, trainer):
    value, _, _ = SAMPLES["multiple_response"]
    make_question("multiple_response", value, title="Pick all that apply")
    client.force_login(trainer)
    page = client.get(LIST).content.decode()
    assert "Multiple response" in page
    assert ">multiple_response<" not in page and "multiple_response</td>" not in page

    filtered = client.get(LIST, {"kind": "multiple_response"}).content.decode()
    assert "Pick all that apply" in filtered
    assert '<option value="multiple_response" selected>Multiple response</option>' in filtered


def test_an_unknown_kind_in_the_filter_is_refused_politely(client, trainer):
    client.force_login(trainer)
    response = client.get(LIST, {"kind": "sideways"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
