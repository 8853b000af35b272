"""Learning's subscriptions to events in the apps below it."""

from django.dispatch import receiver

from assessments.signals import attempt_graded
from cms.signals import policy_version_recorded
from courses.signals import course_pins_changed
from learning.services import courses_complete_after_attempt
from learning.tasks import complete_waiting_recertifications, recertify_after_policy_change


@receiver(attempt_graded, dispatch_uid="learning.complete_courses_after_attempt")
def complete_courses_after_attempt(sender, attempt, **kwargs):
    courses_complete_after_attempt(attempt=attempt)


@receiver(policy_version_recorded, dispatch_uid="learning.recertify_after_policy_change")
def recertify_after_policy_change_queue(sender, version, **kwargs):
    # Sent once the publish has committed; editorial versions are no-ops in the task.
    if version.is_material:
        recertify_after_policy_change.enqueue(version.pk)


@receiver(course_pins_changed, dispatch_uid="learning.complete_waiting_recertifications")
def complete_waiting_recertifications_queue(sender, course, **kwargs):
    # The course now teaches the new version: recertifications held back for it finish,
    # in the background, since a course may have many holders waiting.
    complete_waiting_recertifications.enqueue(course.pk)
