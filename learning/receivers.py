"""Learning's subscriptions to events in the apps below it."""

from django.dispatch import receiver

from assessments.signals import attempt_graded
from cms.signals import policy_version_recorded
from learning.services import courses_complete_after_attempt
from learning.tasks import recertify_after_policy_change


@receiver(attempt_graded, dispatch_uid="learning.complete_courses_after_attempt")
def complete_courses_after_attempt(sender, attempt, **kwargs):
    courses_complete_after_attempt(attempt=attempt)


@receiver(policy_version_recorded, dispatch_uid="learning.recertify_after_policy_change")
def recertify_after_policy_change_queue(sender, version, **kwargs):
    # Sent once the publish has committed; editorial versions are no-ops in the task.
    if version.is_material:
        recertify_after_policy_change.enqueue(version.pk)
