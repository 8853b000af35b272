"""Names shared by models, services, migrations and the admin."""

from django.db import models


class Role(models.TextChoices):
    """The permission groups every installation has; created by a data migration."""

    LEARNERS = "Learners", "Learners"
    TRAINERS = "Trainers", "Trainers"
    HR = "HR", "HR"
    MANAGERS = "Managers", "Managers"


class AssignmentReason(models.TextChoices):
    ONBOARDING = "onboarding", "Onboarding"
    RULE = "rule", "Assignment rule"
    MANUAL = "manual", "Assigned by HR"
    RECERTIFICATION = "recertification", "Re-certification"


class AssignmentStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"
    OVERDUE = "overdue", "Overdue"


class ScenarioMode(models.TextChoices):
    PRACTICE = "practice", "Practice"
    ASSESSED = "assessed", "Assessed"
