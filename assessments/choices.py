from django.db import models


class AssessmentMode(models.TextChoices):
    PRACTICE = "practice", "Practice: feedback straight away, as often as wanted"
    CERTIFYING = "certifying", "Certifying: feedback after submitting, counts for the course"


class AttemptStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", "In progress"
    AWAITING_GRADING = "awaiting_grading", "Waiting for a trainer to grade"
    GRADED = "graded", "Graded"


class AttemptClosedBy(models.TextChoices):
    LEARNER = "learner", "Submitted by the learner"
    DEADLINE = "deadline", "Closed at the time limit"
