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
