"""Choices shared by course content, the scenario player and the reports."""

from django.db import models


class Competency(models.TextChoices):
    """What a role-play choice is scored on. Stored by key, so an editable list can
    take these keys over later without touching recorded runs."""

    COMMUNICATION = "communication", "Communication"
    DE_ESCALATION = "de_escalation", "De-escalation"
    COMPLAINT_HANDLING = "complaint_handling", "Complaint handling"
    POLICY_COMPLIANCE = "policy_compliance", "Policy compliance"


class ScenarioOutcome(models.TextChoices):
    RESOLVED = "resolved", "Resolved"
    ESCALATED = "escalated", "Escalated correctly"
    CUSTOMER_LOST = "customer_lost", "Customer lost"
    POLICY_BREACHED = "policy_breached", "Policy breached"


class Mood(models.IntegerChoices):
    FURIOUS = 1, "Furious"
    ANGRY = 2, "Angry"
    FRUSTRATED = 3, "Frustrated"
    UNEASY = 4, "Uneasy"
    CALM = 5, "Calm"
    PLEASED = 6, "Pleased"


class UpdateItemKind(models.TextChoices):
    """What an item on a course's update list points at."""

    MODULE = "module", "Module"
    ROLE_PLAY = "role-play", "Role-play"
    QUESTION = "question", "Question"


class UpdateItemClosed(models.TextChoices):
    """Why an item on a course's update list was closed by something other than a
    revision of what it points at (a revision closes it by itself)."""

    CONFIRMED = "confirmed", "Confirmed still correct"
    DELETED = "deleted", "Deleted"
    REPUBLISHED = "republished", "Course republished"
    PUBLISHED_OPEN = "published_open", "Course published with this item open"
