"""Publishing through the admin editor: kind of change, summary, window and section keys."""

import pytest
from django.urls import reverse
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from cms.models import PolicyPage
from tests.cms.factories import publish_policy

pytestmark = pytest.mark.django_db


def editor_data(policy, *, sections=None, action="action-publish", **fields):
    sections = sections or [
        ("returns-window", "The returns window", "Returns within 45 days."),
        ("refund-method", "How refunds are paid", "Refund to the original payment method."),
    ]
    data = {
        "title": policy.title,
        "slug": policy.slug,
        "summary": policy.summary,
        "sections": streamfield(
            [
                ("section", {"key": key, "heading": heading, "body": rich_text(f"<p>{body}</p>")})
                for key, heading, body in sections
            ]
        ),
        "change_kind": "",
        "change_summary": "",
        "recertification_days": "",
    }
    data.update(fields)
    form = nested_form_data(data)
    form[action] = action
    return form


def post_edit(client, policy, data):
    return client.post(reverse("wagtailadmin_pages:edit", args=[policy.pk]), data)


@pytest.fixture
def policy():
    return publish_policy()


def errors_of(response):
    return response.context["form"].errors


def test_trainer_publishes_an_editorial_change(client, trainer, policy):
    client.force_login(trainer)
    response = post_edit(client, policy, editor_data(policy, change_kind="editorial"))
    assert response.status_code == 302
    version = PolicyPage.objects.get(pk=policy.pk).current_version
    assert version.label == "1.1"
    assert version.published_by == trainer


def test_trainer_publishes_a_material_change(client, trainer, policy):
    client.force_login(trainer)
    data = editor_data(
        policy,
        change_kind="material",
        change_summary="Window is 45 days.",
        recertification_days="30",
    )
    assert post_edit(client, policy, data).status_code == 302
    version = PolicyPage.objects.get(pk=policy.pk).current_version
    assert (version.label, version.recertification_days) == ("2.0", 30)


def test_publishing_without_a_kind_of_change_is_refused(client, trainer, policy):
    client.force_login(trainer)
    response = post_edit(client, policy, editor_data(policy))
    assert response.status_code == 200
    assert "change_kind" in errors_of(response)
    assert PolicyPage.objects.get(pk=policy.pk).current_version.label == "1.0"


def test_saving_a_draft_does_not_need_a_kind_of_change(client, trainer, policy):
    client.force_login(trainer)
    data = editor_data(policy, action="action-save")
    data.pop("action-publish", None)
    assert post_edit(client, policy, data).status_code == 302


def test_material_change_needs_a_summary(client, trainer, policy):
    client.force_login(trainer)
    response = post_edit(
        client, policy, editor_data(policy, change_kind="material", recertification_days="30")
    )
    assert "change_summary" in errors_of(response)
    assert policy.versions.count() == 1


@pytest.mark.parametrize("days", ["0", "-5", ""])
def test_material_change_needs_a_positive_window(client, trainer, policy, days):
    client.force_login(trainer)
    response = post_edit(
        client,
        policy,
        editor_data(policy, change_kind="material", change_summary="x", recertification_days=days),
    )
    assert "recertification_days" in errors_of(response)
    assert policy.versions.count() == 1


def test_duplicate_section_keys_are_refused_next_to_the_section(client, trainer, policy):
    client.force_login(trainer)
    sections = [
        ("returns-window", "The returns window", "Returns within 45 days."),
        ("returns-window", "Another section", "Same key by mistake."),
    ]
    response = post_edit(
        client, policy, editor_data(policy, sections=sections, change_kind="editorial")
    )
    assert response.status_code == 200
    error = errors_of(response)["sections"].as_data()[0]
    assert 1 in error.block_errors
    assert "already uses the key" in str(error.block_errors[1].block_errors["key"])
    assert policy.versions.count() == 1


def test_section_keys_must_be_slug_like(client, trainer, policy):
    client.force_login(trainer)
    sections = [("Returns Window!", "The returns window", "Returns within 45 days.")]
    response = post_edit(
        client, policy, editor_data(policy, sections=sections, change_kind="editorial")
    )
    assert "sections" in errors_of(response)


def test_the_last_publish_intent_does_not_carry_over(client, trainer, policy):
    client.force_login(trainer)
    post_edit(client, policy, editor_data(policy, change_kind="editorial", change_summary="typos"))
    form = client.get(reverse("wagtailadmin_pages:edit", args=[policy.pk])).context["form"]
    assert not form.initial.get("change_kind")
    assert not form.initial.get("change_summary")


def test_learner_cannot_open_a_draft_preview(client, learner, policy):
    client.force_login(learner)
    response = client.get(reverse("wagtailadmin_pages:preview_on_edit", args=[policy.pk]))
    assert response.status_code == 403


def test_trainer_can_preview_a_policy(client, trainer, policy):
    client.force_login(trainer)
    preview_url = reverse("wagtailadmin_pages:preview_on_edit", args=[policy.pk])
    client.post(preview_url, editor_data(policy, action="action-save"))
    response = client.get(preview_url)
    assert response.status_code == 200
    assert "Preview of unpublished changes" in response.content.decode()
