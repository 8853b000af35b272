"""The editable list of competencies: what a new installation has, who may change it."""

import pytest
from django.urls import reverse

from assessments.models import Competency

pytestmark = pytest.mark.django_db

LIST = reverse("wagtailsnippets_assessments_competency:list")
ADD = reverse("wagtailsnippets_assessments_competency:add")


def test_an_installation_starts_with_five_competencies():
    assert list(Competency.objects.values_list("key", flat=True)) == [
        "communication",
        "de_escalation",
        "complaint_handling",
        "policy_knowledge",
        "privacy",
    ]


def test_a_trainer_adds_a_competency(client, trainer):
    client.force_login(trainer)
    assert "De-escalation" in client.get(LIST).content.decode()

    response = client.post(
        ADD,
        {
            "key": "product_knowledge",
            "name": "Product knowledge",
            "description": "",
            "sort_order": 5,
        },
    )

    assert response.status_code == 302
    assert Competency.objects.filter(key="product_knowledge").exists()


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"key": "privacy_2", "name": "PRIVACY"}, "__all__", "already has this name"),
        ({"key": "privacy", "name": "Data protection"}, "key", "already exists"),
        ({"key": "Product Knowledge", "name": "Product"}, "key", "lower-case letters"),
        ({"key": "", "name": "Product"}, "key", "required"),
    ],
    ids=["same name", "same key", "bad key", "no key"],
)
def test_bad_competencies_are_refused_and_nothing_is_saved(client, trainer, fields, field, message):
    client.force_login(trainer)
    before = Competency.objects.count()

    response = client.post(ADD, {"description": "", "sort_order": 1, **fields})

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert message in " ".join(errors.get(field, [])), errors
    assert Competency.objects.count() == before


def test_hr_reads_the_list_but_cannot_change_it(client, hr_user):
    client.force_login(hr_user)
    assert client.get(LIST).status_code == 200
    assert client.get(ADD).status_code == 403
    assert client.post(ADD, {"key": "x", "name": "X", "sort_order": 1}).status_code == 403
    assert not Competency.objects.filter(key="x").exists()


@pytest.mark.parametrize("role", ["Learners", "Managers"])
def test_learners_and_managers_cannot_reach_the_list(client, make_user, role):
    client.force_login(make_user(role))
    assert client.get(LIST).status_code == 403
    assert client.post(ADD, {"key": "x", "name": "X", "sort_order": 1}).status_code == 403
    assert not Competency.objects.filter(key="x").exists()
