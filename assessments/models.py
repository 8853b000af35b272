"""Competencies: what questions and role-play choices are scored on."""

from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower


class Competency(models.Model):
    """An entry in the organisation's editable list of competencies.

    The key is what results store, so renaming a competency never breaks a record; the
    five a new installation starts with are made by a data migration.
    """

    key = models.CharField(
        max_length=40,
        unique=True,
        validators=[
            RegexValidator(
                r"^[a-z][a-z0-9_]*$",
                "Use lower-case letters, digits and underscores, starting with a letter.",
            )
        ],
        help_text="A short permanent name stored with results, for example de_escalation.",
    )
    name = models.CharField(max_length=80)
    description = models.TextField(blank=True, help_text="What someone good at this does.")
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name_plural = "competencies"
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="competency_name_unique_ci",
                violation_error_message="Another competency already has this name.",
            ),
        ]

    def __str__(self) -> str:
        return self.name
