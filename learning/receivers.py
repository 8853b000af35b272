"""Learning's subscriptions to events in the apps below it."""

from django.dispatch import receiver

from assessments.signals import attempt_graded
from learning.services import courses_complete_after_attempt


@receiver(attempt_graded, dispatch_uid="learning.complete_courses_after_attempt")
def complete_courses_after_attempt(sender, attempt, **kwargs):
    courses_complete_after_attempt(attempt=attempt)
