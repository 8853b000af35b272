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
    RECERTIFICATION = "recertification", "Recertification"


class AssignmentStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"
    OVERDUE = "overdue", "Overdue"


class ComplianceStatus(models.TextChoices):
    """Where one person stands on one course, as the compliance reports show it. The
    order is the order of the legend: compliant first."""

    CURRENT = "current", "Current"
    EXPIRING = "expiring", "Expiring soon"
    OLDER_VERSION = "older_version", "Older version, due"
    OVERDUE = "overdue", "Overdue"
    EXPIRED = "expired", "Expired"
    REVOKED = "revoked", "Revoked"
    IN_PROGRESS = "in_progress", "In progress"
    NOT_STARTED = "not_started", "Not started"
    NOT_REQUIRED = "not_required", "Not required"


# Statuses in which a person counts as compliant: they hold a certificate that vouches.
COMPLIANT_STATUSES = (
    ComplianceStatus.CURRENT,
    ComplianceStatus.EXPIRING,
    ComplianceStatus.OLDER_VERSION,
)


class ScenarioMode(models.TextChoices):
    PRACTICE = "practice", "Practice"
    ASSESSED = "assessed", "Assessed"
