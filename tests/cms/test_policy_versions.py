"""Every publish of a policy freezes an exact, immutable, labelled version."""

import pytest
from django.contrib.auth.models import Group
from wagtail.models import GroupApprovalTask, Revision, Workflow, WorkflowTask

from cms.choices import ChangeKind
from cms.models import PolicyVersion
from cms.models.policies import PolicyVersionImmutableError
from cms.services import policy_content_hash, policy_sections_snapshot
from tests.cms.factories import DEFAULT_SECTIONS, publish_policy, revise, section

pytestmark = pytest.mark.django_db

REWORDED = [
    section("returns-window", "The returns window", "Customers may return items within 45 days."),
    *DEFAULT_SECTIONS[1:],
]


def labels(policy):
    return [v.label for v in PolicyVersion.objects.filter(policy=policy).newest_first()]


def test_first_publish_is_version_one_point_zero():
    policy = publish_policy()
    version = policy.current_version
    assert version.label == "1.0"
    assert [s["key"] for s in version.sections] == [
        "returns-window",
        "refund-method",
        "store-credit",
    ]
    assert version.published_at is not None


def test_editorial_bumps_minor_and_material_bumps_major():
    policy = publish_policy()
    policy = revise(policy, kind=ChangeKind.EDITORIAL, sections=list(reversed(DEFAULT_SECTIONS)))
    policy = revise(
        policy, kind=ChangeKind.MATERIAL, summary="45 days now.", days=30, sections=REWORDED
    )
    policy = revise(policy, kind=ChangeKind.EDITORIAL, title="Refunds and returns")
    assert labels(policy) == ["2.1", "2.0", "1.1", "1.0"]
    material = policy.versions.get(major=2, minor=0)
    assert material.is_material
    assert material.recertification_days == 30
    assert material.change_summary == "45 days now."
    assert policy.versions.get(major=1, minor=1).recertification_days is None


def test_republishing_identical_content_makes_no_new_version():
    policy = publish_policy()
    first_hash = policy.current_version.content_hash
    policy = revise(policy, kind=ChangeKind.EDITORIAL)
    assert labels(policy) == ["1.0"]
    assert policy.current_version.content_hash == first_hash


def test_hash_is_sha256_of_the_content_and_only_the_content():
    policy = publish_policy()
    version = policy.current_version
    expected = policy_content_hash(
        title=policy.title, summary=policy.summary, sections=policy_sections_snapshot(policy)
    )
    assert version.content_hash == expected
    assert len(expected) == 64
    changed = policy_content_hash(
        title=policy.title, summary=policy.summary + " ", sections=version.sections[:2]
    )
    assert changed != expected


def test_published_version_cannot_be_edited_or_deleted():
    version = publish_policy().current_version
    version.summary = "rewritten history"
    with pytest.raises(PolicyVersionImmutableError):
        version.save()
    with pytest.raises(PolicyVersionImmutableError):
        version.delete()
    version.refresh_from_db()
    assert version.summary != "rewritten history"


def test_frozen_words_survive_purging_every_revision(client, learner):
    policy = publish_policy()
    policy = revise(
        policy, kind=ChangeKind.MATERIAL, summary="45 days.", days=14, sections=REWORDED
    )
    Revision.objects.all().delete()
    old = policy.versions.get(major=1, minor=0)
    assert "within 30 days" in old.sections[0]["body"]
    client.force_login(learner)
    response = client.get(f"/policies/{policy.slug}/versions/1.0/")
    assert "within 30 days" in response.content.decode()


def test_draft_changes_are_not_a_version_and_not_shown_to_staff(client, learner):
    policy = publish_policy()
    policy.sections = REWORDED
    policy.save_revision()  # saved as a draft, not published
    assert labels(policy) == ["1.0"]
    client.force_login(learner)
    html = client.get(f"/policies/{policy.slug}/").content.decode()
    assert "within 30 days" in html
    assert "within 45 days" not in html


def test_publisher_is_recorded(trainer):
    policy = publish_policy()
    policy = revise(policy, kind=ChangeKind.EDITORIAL, sections=REWORDED, user=trainer)
    assert policy.current_version.published_by == trainer


def test_approval_in_compliance_review_records_the_version(trainer, hr_user):
    policy = publish_policy()
    workflow = Workflow.objects.create(name="Compliance review")
    task = GroupApprovalTask.objects.create(name="Compliance sign-off")
    task.groups.set([Group.objects.get(name="HR")])
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)

    policy.sections = REWORDED
    policy.change_kind = ChangeKind.MATERIAL
    policy.change_summary = "45 days."
    policy.recertification_days = 21
    policy.save_revision(user=trainer)
    state = workflow.start(policy, trainer)
    assert labels(policy) == ["1.0"]  # nothing changes while it waits for review

    state.current_task_state.task.specific.on_action(state.current_task_state, hr_user, "approve")
    version = PolicyVersion.objects.filter(policy=policy).newest_first().first()
    assert (version.label, version.recertification_days) == ("2.0", 21)
