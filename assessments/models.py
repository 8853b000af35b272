"""Competencies, question banks and questions (with revisions, so an attempt can name
the exact wording it served)."""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from modelcluster.fields import ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import RevisionMixin

from assessments.blocks import QuestionAnswerBlock


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


class QuestionBank(models.Model):
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="questionbank_name_unique_ci",
                violation_error_message="Another question bank already has this name.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Question(RevisionMixin, ClusterableModel):
    """One question. Every save is a revision; attempts record the revision they served."""

    bank = models.ForeignKey(QuestionBank, on_delete=models.PROTECT, related_name="questions")
    title = models.CharField(
        max_length=255, help_text="For trainers' lists; learners never see it."
    )
    category = models.CharField(
        max_length=255, blank=True, help_text="A sub-heading within the bank, as in Moodle."
    )
    stem = RichTextField(
        "question", features=["bold", "italic", "link", "ol", "ul"], help_text="What is asked."
    )
    answer = StreamField(QuestionAnswerBlock(), use_json_field=True)
    kind = models.CharField(max_length=30, editable=False, db_index=True)
    general_feedback = models.TextField(
        blank=True, help_text="Shown after answering, whatever the answer."
    )
    competencies = ParentalManyToManyField(Competency, blank=True, related_name="questions")
    policy = models.ForeignKey(
        "cms.PolicyPage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="questions",
        help_text="The policy this question tests.",
    )
    section_keys = models.CharField(
        "policy section keys",
        max_length=500,
        blank=True,
        help_text="The sections it tests, separated by commas, for example refund-window.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    panels = [
        FieldPanel("bank"),
        FieldPanel("title"),
        FieldPanel("category"),
        FieldPanel("stem"),
        FieldPanel("answer"),
        FieldPanel("general_feedback"),
        MultiFieldPanel(
            [FieldPanel("competencies"), FieldPanel("policy"), FieldPanel("section_keys")],
            heading="What it tests",
        ),
    ]

    class Meta:
        ordering = ["bank__name", "category", "title"]

    def __str__(self) -> str:
        return self.title

    @property
    def section_key_list(self) -> list[str]:
        return [key.strip() for key in self.section_keys.split(",") if key.strip()]

    def clean(self):
        super().clean()
        keys = self.section_key_list
        if keys and self.policy_id is None:
            raise ValidationError({"policy": "Choose the policy these sections belong to."})
        if keys:
            version = self.policy.specific.current_version
            known = [s["key"] for s in version.sections] if version else []
            unknown = [key for key in keys if key not in known]
            if unknown:
                raise ValidationError(
                    {
                        "section_keys": f"{self.policy.title} has no published section "
                        f"{', '.join(unknown)}. Its sections are: {', '.join(known) or 'none'}."
                    }
                )

    def save(self, *args, **kwargs):
        self.kind = self.answer[0].block_type if self.answer else ""
        super().save(*args, **kwargs)
