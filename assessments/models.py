"""Competencies, question banks and questions (with revisions, so an attempt can name
the exact wording it served), assessments built from them, and attempts at them."""

import datetime
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Lower
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Revision, RevisionMixin

from assessments.blocks import QuestionAnswerBlock
from assessments.choices import AssessmentMode, AttemptClosedBy, AttemptStatus
from cms.models import PolicyVersion

# Each kind of question by its block name, with the label the editor shows for it.
QUESTION_KINDS = {
    name: str(block.label) for name, block in QuestionAnswerBlock().child_blocks.items()
}


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

    def get_kind_display(self) -> str:
        """The kind as the editor names it ("Multiple response"), for listings."""
        return QUESTION_KINDS.get(self.kind, self.kind)

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
        # Stored without spaces so selection rules can match whole keys.
        self.section_keys = ",".join(self.section_key_list)
        super().save(*args, **kwargs)

    def save_revision(self, *args, **kwargs):
        """Every revision records the policy version it was written for, from whichever
        place it is saved (the editor, an import, a data migration's caller)."""
        revision = super().save_revision(*args, **kwargs)
        QuestionRevisionVersion.objects.record(question=self, revision=revision)
        return revision


class QuestionRevisionVersionQuerySet(models.QuerySet):
    def record(self, *, question: Question, revision: Revision, version=None):
        """Record (or correct) the policy version a revision was written for: ``version``
        when given, otherwise the current version of the question's policy now."""
        if version is None and question.policy_id is not None:
            version = (
                PolicyVersion.objects.filter(policy_id=question.policy_id).newest_first().first()
            )
        record, _ = self.update_or_create(
            revision=revision,
            defaults={
                "question": question,
                "version": version,
                "section_keys": question.section_key_list,
            },
        )
        return record


class QuestionRevisionVersion(models.Model):
    """The policy version a question revision was written for: the current version of
    the question's policy when the revision was saved (empty for a question that tests
    no policy), with the sections it cites. An assessment serves, of each question, the
    newest revision that holds for the version of its policy the course teaches (see
    ``assessments.services.question_revisions_for``)."""

    revision = models.OneToOneField(
        Revision, on_delete=models.CASCADE, related_name="question_version"
    )
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="revision_versions"
    )
    version = models.ForeignKey(
        "cms.PolicyVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="question_revisions",
    )
    section_keys = models.JSONField(
        default=list, blank=True, help_text="The sections of the policy the revision cites."
    )

    objects = QuestionRevisionVersionQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["question", "-revision"])]

    def __str__(self) -> str:
        written_for = self.version or "no policy"
        return f"{self.question}, revision {self.revision_id}: {written_for}"


class Assessment(ClusterableModel):
    """A test staff sit: which questions, how it is marked, and what they see afterwards."""

    title = models.CharField(max_length=255)
    instructions = models.TextField(blank=True, help_text="Shown before an attempt starts.")
    mode = models.CharField(
        max_length=12, choices=AssessmentMode.choices, default=AssessmentMode.CERTIFYING
    )
    pass_percent = models.PositiveSmallIntegerField(
        "pass mark (%)", default=80, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    time_limit_minutes = models.PositiveIntegerField(
        "time limit (minutes)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(600)],
        help_text="Empty: no limit. At the limit, what was saved is submitted.",
    )
    grace_minutes = models.PositiveSmallIntegerField(
        "grace period (minutes)",
        default=0,
        validators=[MaxValueValidator(60)],
        help_text="Extra minutes after the limit in which a submission is still accepted.",
    )
    attempts_allowed = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text="Empty: unlimited. Practice assessments are always unlimited.",
    )
    minutes_between_attempts = models.PositiveIntegerField(
        "wait between attempts (minutes)", default=0, validators=[MaxValueValidator(60 * 24 * 30)]
    )
    shuffle_questions = models.BooleanField(default=True)
    shuffle_options = models.BooleanField(default=True)
    questions_per_page = models.PositiveSmallIntegerField(
        default=5, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    review_score = models.BooleanField("score", default=True)
    review_correctness = models.BooleanField("whether each answer was right", default=True)
    review_answers = models.BooleanField("the right answers", default=False)
    review_feedback = models.BooleanField("feedback", default=True)
    review_answers_when_passed = models.BooleanField("the right answers", default=True)
    review_feedback_when_passed = models.BooleanField("feedback", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    panels = [
        FieldPanel("title"),
        FieldPanel("instructions"),
        FieldPanel("mode"),
        MultiFieldPanel(
            [FieldPanel("pass_percent"), InlinePanel("minimums", label="Competency minimum")],
            heading="Pass mark",
        ),
        InlinePanel(
            "selection_rules",
            label="Question selection",
            min_num=1,
            help_text="Fixed questions, and/or a number drawn at random from a bank, a "
            "competency or a policy section.",
        ),
        MultiFieldPanel(
            [
                FieldPanel("time_limit_minutes"),
                FieldPanel("grace_minutes"),
                FieldPanel("attempts_allowed"),
                FieldPanel("minutes_between_attempts"),
            ],
            heading="Time and attempts",
        ),
        MultiFieldPanel(
            [
                FieldPanel("shuffle_questions"),
                FieldPanel("shuffle_options"),
                FieldPanel("questions_per_page"),
            ],
            heading="Layout",
        ),
        MultiFieldPanel(
            [
                FieldPanel("review_score"),
                FieldPanel("review_correctness"),
                FieldPanel("review_answers"),
                FieldPanel("review_feedback"),
            ],
            heading="After submitting, learners see",
        ),
        MultiFieldPanel(
            [FieldPanel("review_answers_when_passed"), FieldPanel("review_feedback_when_passed")],
            heading="Once they have passed, they also see",
        ),
    ]

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_practice(self) -> bool:
        return self.mode == AssessmentMode.PRACTICE


class CompetencyMinimum(Orderable):
    assessment = ParentalKey(Assessment, on_delete=models.CASCADE, related_name="minimums")
    competency = models.ForeignKey(Competency, on_delete=models.PROTECT, related_name="+")
    minimum_percent = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(100)]
    )

    panels = [FieldPanel("competency"), FieldPanel("minimum_percent")]

    class Meta(Orderable.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "competency"],
                name="competency_minimum_once",
                violation_error_message="Each competency may have one minimum.",
            )
        ]


class SelectionRule(Orderable):
    """Either one fixed question, or a number of questions drawn at random from those that
    match a bank, a competency and/or a policy section."""

    assessment = ParentalKey(Assessment, on_delete=models.CASCADE, related_name="selection_rules")
    question = models.ForeignKey(
        Question,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="A fixed question. Leave empty to draw questions at random.",
    )
    count = models.PositiveSmallIntegerField(
        "how many at random",
        default=0,
        validators=[MaxValueValidator(100)],
        help_text="For a random draw: how many questions to take.",
    )
    bank = models.ForeignKey(
        QuestionBank, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    competency = models.ForeignKey(
        Competency, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    policy = models.ForeignKey(
        "cms.PolicyPage", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    section_key = models.CharField("policy section key", max_length=80, blank=True)

    panels = [
        FieldPanel("question"),
        FieldPanel("count"),
        FieldPanel("bank"),
        FieldPanel("competency"),
        FieldPanel("policy"),
        FieldPanel("section_key"),
    ]

    def __str__(self) -> str:
        if self.question_id:
            return f"“{self.question}”"
        return f"{self.count} at random"

    @property
    def is_fixed(self) -> bool:
        return self.question_id is not None

    def pool(self):
        """The questions a random draw chooses from, in a stable order."""
        questions = Question.objects.all()
        if self.bank_id:
            questions = questions.filter(bank_id=self.bank_id)
        if self.competency_id:
            questions = questions.filter(competencies=self.competency_id)
        if self.policy_id:
            questions = questions.filter(policy_id=self.policy_id)
        if self.section_key:
            # Section keys are stored comma separated; match whole keys only.
            key = self.section_key
            questions = questions.filter(
                models.Q(section_keys=key)
                | models.Q(section_keys__startswith=f"{key},")
                | models.Q(section_keys__endswith=f",{key}")
                | models.Q(section_keys__contains=f",{key},")
            )
        return questions.distinct().order_by("pk")

    def clean(self):
        super().clean()
        criteria = [self.bank_id, self.competency_id, self.policy_id, self.section_key]
        if self.is_fixed:
            if self.count or any(criteria):
                raise ValidationError(
                    "A rule takes either one fixed question, or a number drawn at random: not both."
                )
            return
        if not self.count:
            raise ValidationError(
                {"count": "Say how many questions to draw, or choose a fixed question."}
            )
        if not any(criteria):
            raise ValidationError(
                "Say where random questions come from: a bank, a competency or a policy."
            )
        if self.section_key and not self.policy_id:
            raise ValidationError({"policy": "Choose the policy this section belongs to."})
        available = self.pool().count()
        if available < self.count:
            raise ValidationError(
                {"count": f"Only {available} question(s) match; ask for at most {available}."}
            )


# An attempt is on the policy versions in effect when it starts, never on a later one,
# and a certificate it earns names those versions. The rule lives here once: for one
# moment, for a set of versions, and as a filter on attempts.


def started_in_effect(started_at: datetime.datetime, *, in_effect_from) -> bool:
    """Whether an attempt started at ``started_at`` is on policy versions that are all in
    effect from ``in_effect_from`` (see ``versions_in_effect_from``; None: no versions)."""
    return in_effect_from is None or started_at >= in_effect_from


def versions_in_effect_from(versions) -> datetime.datetime | None:
    """The moment from which every one of ``versions`` is in effect: when the last of them
    took effect. None for no versions."""
    return max((version.effective_at for version in versions), default=None)


def versions_not_in_effect(versions, *, at: datetime.datetime) -> list:
    """Those of ``versions`` that take effect after ``at``: an attempt started then is not
    on them."""
    return [
        version
        for version in versions
        if not started_in_effect(at, in_effect_from=version.effective_at)
    ]


class AttemptQuerySet(models.QuerySet):
    def in_progress(self):
        return self.filter(status=AttemptStatus.IN_PROGRESS)

    def passed_certifying(self):
        return self.filter(mode=AssessmentMode.CERTIFYING, status=AttemptStatus.GRADED, passed=True)

    def started_in_effect(self, in_effect_from):
        """The attempts ``started_in_effect`` accepts for ``in_effect_from``."""
        if in_effect_from is None:
            return self
        return self.filter(started_at__gte=in_effect_from)


class Attempt(models.Model):
    """One sitting of an assessment. Starting it fixes the questions, their revisions, the
    order of options, the deadline and the policy versions in force; grading reads only
    what is stored here."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="attempts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attempts"
    )
    number = models.PositiveSmallIntegerField()
    mode = models.CharField(max_length=12, choices=AssessmentMode.choices)
    status = models.CharField(
        max_length=20, choices=AttemptStatus.choices, default=AttemptStatus.IN_PROGRESS
    )
    seed = models.BigIntegerField(help_text="Fixes the draw and the shuffles of this attempt.")
    started_at = models.DateTimeField()
    deadline = models.DateTimeField(null=True, blank=True)
    closes_at = models.DateTimeField(
        null=True, blank=True, help_text="The deadline plus any grace period."
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.CharField(max_length=10, choices=AttemptClosedBy.choices, blank=True)
    save_sequence = models.PositiveIntegerField(
        default=0, help_text="Counts saves; a save must name the current count."
    )
    pass_percent = models.PositiveSmallIntegerField()
    competency_minimums = models.JSONField(default=dict)
    percent = models.FloatField(null=True, blank=True)
    by_competency = models.JSONField(default=dict)
    shortfalls = models.JSONField(default=list)
    passed = models.BooleanField(null=True)
    graded_at = models.DateTimeField(null=True, blank=True)
    policy_versions = models.ManyToManyField(
        "cms.PolicyVersion",
        blank=True,
        related_name="+",
        help_text="The policy versions in force when the attempt started.",
    )
    scope_version = models.ForeignKey(
        "cms.PolicyVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="A short recertification attempt: the policy version whose changed "
        "sections it covers. Empty: the whole assessment.",
    )
    scope_sections = models.JSONField(
        default=list,
        blank=True,
        help_text="A short recertification attempt: the section keys its questions cite.",
    )

    objects = AttemptQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "user"],
                condition=models.Q(status=AttemptStatus.IN_PROGRESS),
                name="one_attempt_in_progress",
            ),
            models.UniqueConstraint(
                fields=["assessment", "user", "number"], name="attempt_number_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.assessment}, attempt {self.number}"

    @property
    def is_open(self) -> bool:
        return self.status == AttemptStatus.IN_PROGRESS

    @property
    def is_scoped(self) -> bool:
        """Served only the questions on some sections of a policy, not the whole draw."""
        return self.scope_version_id is not None


class AttemptItem(models.Model):
    """A question as served in an attempt: its revision, where it sat, the order its
    options were shown in, and the learner's stored answer."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="attempt_items")
    revision = models.ForeignKey("wagtailcore.Revision", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=30)
    order = models.JSONField(
        default=list, help_text="Indexes of the options (or items) in the order shown."
    )
    competencies = models.JSONField(default=list)
    policy = models.ForeignKey(
        "cms.PolicyPage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    section_keys = models.JSONField(default=list)
    answer = models.JSONField(null=True, blank=True)
    checked = models.BooleanField(
        default=False, help_text="Practice: the learner asked for feedback; the answer is locked."
    )
    fraction = models.FloatField(null=True, blank=True)
    grader_points = models.JSONField(
        null=True, blank=True, help_text="Essay: points given per rubric criterion."
    )
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["attempt", "position"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "position"], name="attempt_position_once")
        ]

    def __str__(self) -> str:
        return f"{self.attempt}, question {self.position}"
