"""The day a material policy version takes effect: chosen in the editor, never in the past."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cms.choices import ChangeKind
from cms.models import PolicyPage
from tests.cms.factories import publish_policy
from tests.cms.test_policy_editor import editor_data, errors_of, post_edit

pytestmark = pytest.mark.django_db


def day(offset: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=offset)


def material(policy, **fields):
    return editor_data(
        policy,
        change_kind="material",
        change_summary="Window is 45 days.",
        recertification_days="30",
        **fields,
    )


@pytest.fixture
def policy():
    return publish_policy()


def test_a_material_version_takes_effect_on_the_day_chosen(client, trainer, policy):
    client.force_login(trainer)
    later = day(12)
    response = post_edit(client, policy, material(policy, effective_on=later.isoformat()))
    assert response.status_code == 302
    version = PolicyPage.objects.get(pk=policy.pk).current_version
    assert version.label == "2.0"
    assert timezone.localdate(version.effective_at) == later
    assert version.published_at < version.effective_at


def test_left_blank_the_version_takes_effect_when_published(client, trainer, policy):
    client.force_login(trainer)
    assert post_edit(client, policy, material(policy)).status_code == 302
    version = PolicyPage.objects.get(pk=policy.pk).current_version
    assert version.effective_at == version.published_at


def test_a_day_in_the_past_is_a_form_error_and_nothing_is_published(client, trainer, policy):
    client.force_login(trainer)
    yesterday = day(-1)
    response = post_edit(client, policy, material(policy, effective_on=yesterday.isoformat()))
    assert response.status_code == 200
    message = str(errors_of(response)["effective_on"])
    assert "cannot take effect in the past" in message
    assert policy.versions.count() == 1
    assert not PolicyPage.objects.get(pk=policy.pk).has_unpublished_changes


def test_a_day_that_is_not_a_date_is_a_form_error(client, trainer, policy):
    client.force_login(trainer)
    response = post_edit(client, policy, material(policy, effective_on="31/02/2027"))
    assert response.status_code == 200
    assert "effective_on" in errors_of(response)
    assert policy.versions.count() == 1


def test_an_editorial_change_cannot_wait_for_a_later_day(client, trainer, policy):
    client.force_login(trainer)
    data = editor_data(policy, change_kind="editorial", effective_on=day(5).isoformat())
    response = post_edit(client, policy, data)
    assert "takes effect when it is published" in str(errors_of(response)["effective_on"])
    assert policy.versions.count() == 1


def test_the_day_chosen_for_the_last_publish_is_not_offered_again(client, trainer, policy):
    client.force_login(trainer)
    response = post_edit(client, policy, material(policy, effective_on=day(3).isoformat()))
    assert response.status_code == 302
    version = PolicyPage.objects.get(pk=policy.pk).current_version
    assert timezone.localdate(version.effective_at) == day(3)
    form = client.get(reverse("wagtailadmin_pages:edit", args=[policy.pk])).context["form"]
    assert form.initial.get("effective_on") is None


def test_a_day_saved_in_a_draft_that_has_passed_does_not_block_publishing(client, trainer, policy):
    # A draft saved some days ago for a day that has gone since.
    draft = PolicyPage.objects.get(pk=policy.pk)
    draft.change_kind = ChangeKind.MATERIAL
    draft.effective_on = day(-2)
    draft.save_revision(user=trainer)
    client.force_login(trainer)
    response = client.get(reverse("wagtailadmin_pages:edit", args=[policy.pk]))
    form = response.context["form"]
    assert form.initial.get("effective_on") is None
    assert "which has passed" in form.fields["effective_on"].help_text
    assert post_edit(client, policy, material(policy)).status_code == 302
    version = PolicyPage.objects.get(pk=policy.pk).current_version
    assert (version.label, version.effective_at) == ("2.0", version.published_at)


def test_a_version_published_after_its_day_takes_effect_on_publishing(trainer, policy):
    # Workflow approval publishes the draft as saved, after the day it named.
    draft = PolicyPage.objects.get(pk=policy.pk)
    draft.change_kind = ChangeKind.MATERIAL
    draft.change_summary = "Forty-five days."
    draft.recertification_days = 30
    draft.effective_on = day(-4)
    draft.sections = [("section", {**draft.sections[0].value, "heading": "Returns"})]
    draft.save_revision(user=trainer).publish(user=trainer)
    version = PolicyPage.objects.get(pk=policy.pk).current_version
    assert version.label == "2.0"
    assert version.effective_at == version.published_at
