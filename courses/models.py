"""Courses and their modules, and the policy versions a course is pinned to."""

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.safestring import mark_safe
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page

from courses.blocks import ModuleBodyBlock, ScenarioStepsBlock, scenario_graph_from_blocks
from courses.choices import (
    Competency,
    Mood,
    ScenarioOutcome,
    UpdateItemClosed,
    UpdateItemKind,
)
from courses.panels import StaleQuotesPanel, UpdateListPanel
from courses.scenario_diagram import scenario_diagram
from courses.scenario_graph import PassRule, ScenarioGraph


def knowledge_check_data(value) -> dict:
    """A knowledge check as plain data that can be cached; correctness stays server-side."""
    return {
        "question": value["question"],
        "options": [
            {"text": o["text"], "correct": bool(o["correct"]), "feedback": o["feedback"] or ""}
            for o in value["options"]
        ],
    }


class LearnerFacingOnlyThroughPlayerMixin:
    """Course pages are read through the course player at /learn/, which checks who
    may take a course. At their own address they exist only as previews for authors;
    anyone following such a link is sent to the player, which applies its checks."""

    def serve(self, request, *args, **kwargs):
        if getattr(request, "is_preview", False):
            return super().serve(request, *args, **kwargs)
        return redirect(self.player_url())

    def player_url(self) -> str:
        return reverse("learning:dashboard")


class CourseIndexPage(LearnerFacingOnlyThroughPlayerMixin, Page):
    intro = models.TextField(blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["courses.CoursePage"]
    max_count = 1
    template = "courses/course_index_page.html"


class CoursePageForm(WagtailAdminPageForm):
    """The course editor's form. Publishing while the course's update list has open items
    is refused until the trainer ticks that they publish anyway."""

    publish_with_open_items = forms.BooleanField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.open_update_items = (
            list(CourseUpdateItem.objects.filter(course=self.instance).open().order_by("pk"))
            if self.instance.pk
            else []
        )
        count = len(self.open_update_items)
        self.fields[
            "publish_with_open_items"
        ].label = f"Publish anyway with {count} item{'s' if count != 1 else ''} open"

    def clean(self):
        cleaned_data = super().clean()
        items = self.open_update_items
        role_plays = [item for item in items if item.kind == UpdateItemKind.ROLE_PLAY]
        if "action-publish" in self.data and role_plays:
            # A question not yet written for the new version is left out of assessments;
            # a role-play has no script for it, so nobody could play it or finish the course.
            named = ", ".join(f"“{item.title}”" for item in role_plays)
            one = len(role_plays) == 1
            self.add_error(
                None,
                f"The role-play{'' if one else 's'} {named} {'is' if one else 'are'} still open "
                "on the update list. Until revised or confirmed still correct, "
                f"{'it has' if one else 'they have'} no script for the new version and nobody "
                "could play {0}, so the course cannot be published over {0}.".format(
                    "it" if one else "them"
                ),
            )
        elif (
            "action-publish" in self.data
            and items
            and not cleaned_data.get("publish_with_open_items")
        ):
            named = ", ".join(f"“{item.title}”" for item in items[:8])
            if len(items) > 8:
                named += f" and {len(items) - 8} more"
            count = f"{len(items)} item{'s' if len(items) != 1 else ''}"
            self.add_error(
                None,
                f"The update list still has {count} open: {named}. Revise them or confirm "
                f"they are still correct, or tick “Publish anyway with {count} open”.",
            )
        return cleaned_data


class CoursePage(LearnerFacingOnlyThroughPlayerMixin, Page):
    summary = models.TextField(help_text="What staff will be able to do after this course.")
    estimated_minutes = models.PositiveIntegerField(
        default=30, validators=[MinValueValidator(1), MaxValueValidator(60 * 40)]
    )
    policies = ParentalManyToManyField(
        "cms.PolicyPage",
        blank=True,
        related_name="courses",
        help_text="The policies this course teaches. Publishing pins their current versions.",
    )
    is_onboarding = models.BooleanField(
        "part of onboarding",
        default=False,
        help_text="Assigned to every new member of staff, due a number of days after hire.",
    )
    onboarding_due_days = models.PositiveIntegerField(
        "onboarding due after (days)",
        default=14,
        validators=[MaxValueValidator(365)],
        help_text="Days after the hire date by which a new hire must finish the course.",
    )
    default_due_days = models.PositiveIntegerField(
        "due after assignment (days)",
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="For assignments made by rules or by HR.",
    )
    open_to_all = models.BooleanField(
        default=False, help_text="Any member of staff may take it without being assigned."
    )
    assessment = models.ForeignKey(
        "assessments.Assessment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="courses",
        limit_choices_to={"mode": "certifying"},
        verbose_name="final assessment",
        help_text="A certifying assessment learners must pass to complete the course.",
    )
    practice_assessment = models.ForeignKey(
        "assessments.Assessment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="practice_for_courses",
        limit_choices_to={"mode": "practice"},
        help_text="Optional practice with feedback straight away; it counts for nothing.",
    )
    certificate_validity_months = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text="How long a certificate from this course stays valid. Empty: no expiry.",
    )
    recertification_window_days = models.PositiveIntegerField(
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="Days before a certificate expires that its holder is assigned the course again.",
    )
    recertification_keeps_cycle = models.BooleanField(
        default=False,
        help_text="On: a renewed certificate runs from the old one's expiry date, keeping "
        "the cycle. Off: it runs from the day it is earned.",
    )

    content_panels = [
        UpdateListPanel(),
        StaleQuotesPanel(),
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("estimated_minutes"),
        FieldPanel("policies"),
        MultiFieldPanel(
            [
                FieldPanel("is_onboarding"),
                FieldPanel("onboarding_due_days"),
                FieldPanel("default_due_days"),
                FieldPanel("open_to_all"),
            ],
            heading="Who takes it and when",
        ),
        MultiFieldPanel(
            [FieldPanel("assessment"), FieldPanel("practice_assessment")],
            heading="Assessment",
        ),
        MultiFieldPanel(
            [
                FieldPanel("certificate_validity_months"),
                FieldPanel("recertification_window_days"),
                FieldPanel("recertification_keeps_cycle"),
            ],
            heading="Certificate",
        ),
    ]
    base_form_class = CoursePageForm
    parent_page_types = ["courses.CourseIndexPage"]
    subpage_types = ["courses.ModulePage", "courses.ScenarioPage"]
    template = "courses/course_page.html"

    def player_url(self) -> str:
        return reverse("learning:course", kwargs={"course_slug": self.slug})

    def get_modules(self):
        return ModulePage.objects.child_of(self).live().order_by("path")

    def get_scenarios(self):
        return ScenarioPage.objects.child_of(self).live().order_by("path")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["modules"] = self.get_modules()
        return context


class ModulePage(LearnerFacingOnlyThroughPlayerMixin, Page):
    intro = models.TextField(blank=True, help_text="One or two sentences shown under the title.")
    estimated_minutes = models.PositiveIntegerField(
        default=10, validators=[MinValueValidator(1), MaxValueValidator(600)]
    )
    body = StreamField(ModuleBodyBlock(), use_json_field=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        FieldPanel("estimated_minutes"),
        FieldPanel("body"),
    ]
    parent_page_types = ["courses.CoursePage"]
    subpage_types: list[str] = []
    template = "courses/module_page.html"

    def player_url(self) -> str:
        return reverse(
            "learning:module",
            kwargs={"course_slug": self.get_parent().slug, "module_slug": self.slug},
        )

    def knowledge_check_ids(self) -> list[str]:
        return [block.id for block in self.body if block.block_type == "knowledge_check"]

    def knowledge_check(self, block_id: str):
        return next(
            (b for b in self.body if b.block_type == "knowledge_check" and b.id == block_id),
            None,
        )

    def quoted_sections(self) -> set[tuple[int, str]]:
        """(policy id, section key) of every policy excerpt in the module."""
        return {
            (block.value["policy"].pk, block.value["section_key"])
            for block in self.body
            if block.block_type == "policy_excerpt" and block.value["policy"] is not None
        }

    def body_segments(self, course: "CoursePage", *, cached: bool = True) -> list[dict]:
        """The body as the player shows it: runs of rendered HTML between knowledge checks.

        Everything but the checks is the same for every learner, so it is rendered once per
        published module and course (the course's publish fixes the policy versions quoted)
        and kept in the cache. A check stays data: the player adds each learner's answer.
        """
        key = (
            f"module-body:2:{self.pk}:{self.live_revision_id}:{course.pk}:{course.live_revision_id}"
        )
        if cached and (segments := cache.get(key)) is not None:
            return segments
        pinned = CoursePolicyPin.objects.versions_by_policy(course)
        context = {"pinned_versions": pinned, "course": course, "page": self}
        segments, html = [], []
        # A block with a heading of its own (an example dialogue) takes the level below the
        # section it sits in: h3 under a section heading, h2 before the first one.
        section_started = False
        for block in self.body:
            if block.block_type == "knowledge_check":
                if html:
                    segments.append({"html": mark_safe("".join(html))})  # noqa: S308
                    html = []
                segments.append({"id": block.id, "check": knowledge_check_data(block.value)})
                section_started = True  # the check is headed by an h2
            else:
                level = 3 if section_started else 2
                rendered = block.render(context={**context, "heading_level": level})
                html.append(rendered)
                if block.block_type != "example_dialogue":  # its own heading opens no section
                    section_started = section_started or "<h2" in rendered
        if html:
            segments.append({"html": mark_safe("".join(html))})  # noqa: S308
        # A quote from a policy the course was not pinned to shows that policy's newest
        # version, which can change without this page or the course being republished.
        unpinned = any(policy_id not in pinned for policy_id, _ in self.quoted_sections())
        if cached and not unpinned:
            cache.set(key, segments, timeout=None)
        return segments

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        course = self.get_parent().specific
        context["course"] = course
        context["body_items"] = self.body_segments(course, cached=False)
        return context


class ScenarioPageForm(WagtailAdminPageForm):
    required_outcomes = forms.MultipleChoiceField(
        choices=ScenarioOutcome.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Endings that pass",
        help_text="Leave all unticked to let any ending pass.",
    )


class ScenarioPage(LearnerFacingOnlyThroughPlayerMixin, Page):
    """A branching role-play: the customer speaks, the learner picks what to say."""

    brief = models.TextField(
        "situation", help_text="What the learner is told before the conversation starts."
    )
    persona_name = models.CharField("customer's name", max_length=80)
    persona_wants = models.TextField("what the customer wants")
    starting_mood = models.PositiveSmallIntegerField(
        "customer's mood at the start", choices=Mood.choices, default=Mood.FRUSTRATED
    )
    policies = ParentalManyToManyField(
        "cms.PolicyPage",
        blank=True,
        related_name="scenarios",
        help_text="The policies this scenario exercises.",
    )
    steps = StreamField(
        ScenarioStepsBlock(),
        use_json_field=True,
        help_text="The first step is where the conversation starts.",
    )
    pass_min_total = models.IntegerField(
        "minimum total score", null=True, blank=True, help_text="Empty: no minimum."
    )
    min_communication = models.IntegerField("communication", null=True, blank=True)
    min_de_escalation = models.IntegerField("de-escalation", null=True, blank=True)
    min_complaint_handling = models.IntegerField("complaint handling", null=True, blank=True)
    min_policy_compliance = models.IntegerField("policy compliance", null=True, blank=True)
    required_outcomes = models.JSONField(default=list, blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("brief"),
        MultiFieldPanel(
            [
                FieldPanel("persona_name"),
                FieldPanel("persona_wants"),
                FieldPanel("starting_mood"),
            ],
            heading="The customer",
        ),
        FieldPanel("policies"),
        FieldPanel("steps"),
        MultiFieldPanel(
            [
                FieldPanel("pass_min_total"),
                FieldRowPanel(
                    [
                        FieldPanel("min_communication"),
                        FieldPanel("min_de_escalation"),
                        FieldPanel("min_complaint_handling"),
                        FieldPanel("min_policy_compliance"),
                    ],
                    heading="Minimum per competency (empty: none)",
                ),
                FieldPanel("required_outcomes"),
            ],
            heading="To pass",
        ),
    ]
    base_form_class = ScenarioPageForm
    parent_page_types = ["courses.CoursePage"]
    subpage_types: list[str] = []
    preview_modes = [("", "Diagram")]
    template = "courses/scenario_page.html"

    def player_url(self) -> str:
        return reverse(
            "learning:scenario",
            kwargs={"course_slug": self.get_parent().slug, "scenario_slug": self.slug},
        )

    def graph(self) -> ScenarioGraph:
        return scenario_graph_from_blocks(self.steps)

    def pass_rule(self) -> PassRule:
        minimums = {
            c.value: getattr(self, f"min_{c.value}")
            for c in Competency
            if getattr(self, f"min_{c.value}") is not None
        }
        return PassRule(
            min_total=self.pass_min_total,
            competency_minimums=minimums,
            required_outcomes=tuple(self.required_outcomes or ()),
        )

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["diagram"] = scenario_diagram(self.graph())
        return context


class ScenarioScript(models.Model):
    """A scenario frozen as it was published: runs play the script they started on,
    whatever trainers change later. It belongs to the policy versions it was written for
    (those current when it was published); a course plays the newest script that holds
    for the versions it is pinned to."""

    scenario = models.ForeignKey(ScenarioPage, on_delete=models.CASCADE, related_name="scripts")
    revision_id = models.PositiveBigIntegerField(
        help_text="The page revision this script was made from (it may be purged later)."
    )
    title = models.CharField(max_length=255)
    brief = models.TextField(blank=True, help_text="The situation, as published.")
    persona_name = models.CharField(max_length=80, blank=True)
    persona_wants = models.TextField(blank=True)
    starting_mood = models.PositiveSmallIntegerField(choices=Mood.choices)
    steps = models.JSONField()
    pass_rule = models.JSONField()
    policy_versions = models.ManyToManyField(
        "cms.PolicyVersion",
        blank=True,
        related_name="scenario_scripts",
        help_text="The policy versions the script was written for.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scenario", "revision_id"], name="scenario_script_once_per_revision"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (revision {self.revision_id})"

    @cached_property
    def graph(self) -> ScenarioGraph:
        return ScenarioGraph.from_data(self.steps)

    def cited_sections(self, policy_id: int) -> set[str]:
        """The keys of the sections of a policy that the script's replies cite."""
        return {
            choice.section_key
            for step in self.graph.steps
            for choice in step.choices
            if choice.policy_id == policy_id and choice.section_key
        }

    def rule(self) -> PassRule:
        return PassRule(
            min_total=self.pass_rule["min_total"],
            competency_minimums=self.pass_rule["competency_minimums"],
            required_outcomes=tuple(self.pass_rule["required_outcomes"]),
        )


class CoursePolicyPinQuerySet(models.QuerySet):
    def versions_by_policy(self, course) -> dict:
        return {
            pin.version.policy_id: pin.version
            for pin in self.filter(course=course).select_related("version__policy")
        }


class CoursePolicyPin(models.Model):
    """The policy version a course taught when it was last published."""

    course = models.ForeignKey(CoursePage, on_delete=models.CASCADE, related_name="policy_pins")
    version = models.ForeignKey(
        "cms.PolicyVersion", on_delete=models.PROTECT, related_name="course_pins"
    )
    pinned_at = models.DateTimeField()

    objects = CoursePolicyPinQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["course", "version"], name="course_pin_once"),
        ]

    def __str__(self) -> str:
        return f"{self.course} → {self.version}"


class CourseUpdateItemQuerySet(models.QuerySet):
    def revised(self):
        """Items whose module, role-play or question has a newer revision than the item."""
        return self.filter(
            models.Q(page__latest_revision_created_at__gt=models.F("created_at"))
            | models.Q(question__updated_at__gt=models.F("created_at"))
        )

    def open(self):
        """Items still waiting for a trainer: not closed, not revised, not deleted."""
        return self.filter(closed_at=None).filter(
            models.Q(page__isnull=False)
            & (
                models.Q(page__latest_revision_created_at__isnull=True)
                | models.Q(page__latest_revision_created_at__lte=models.F("created_at"))
            )
            | models.Q(question__isnull=False, question__updated_at__lte=models.F("created_at"))
        )


class CourseUpdateItem(models.Model):
    """One thing a trainer should look at after a material policy version: a module, a
    role-play or a question of the course that cites a section changed since the version
    the course is pinned to. It is done when that thing is revised after the item was
    made, or when it is closed: confirmed still correct, deleted, or the course
    republished."""

    course = models.ForeignKey(CoursePage, on_delete=models.CASCADE, related_name="update_items")
    pinned_version = models.ForeignKey(
        "cms.PolicyVersion",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The version the course taught when the item was made.",
    )
    version = models.ForeignKey(
        "cms.PolicyVersion",
        on_delete=models.PROTECT,
        related_name="course_update_items",
        help_text="The newest material version the item covers.",
    )
    kind = models.CharField(max_length=20, choices=UpdateItemKind.choices)
    page = models.ForeignKey(
        Page, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    question = models.ForeignKey(
        "assessments.Question",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="course_update_items",
    )
    title = models.CharField(max_length=255, help_text="Kept when what it points at is deleted.")
    section_keys = models.JSONField(default=list, blank=True)
    detail = models.TextField(blank=True)
    created_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_reason = models.CharField(max_length=20, choices=UpdateItemClosed.choices, blank=True)

    objects = CourseUpdateItemQuerySet.as_manager()

    class Meta:
        ordering = ["course", "created_at", "pk"]
        indexes = [models.Index(fields=["course", "closed_at"])]

    def __str__(self) -> str:
        return f"{self.course}: {self.title}"

    @property
    def object_id(self) -> int | None:
        return self.question_id if self.kind == UpdateItemKind.QUESTION else self.page_id

    @property
    def revised_at(self):
        """When what it points at was revised after the item was made, if it was."""
        if self.kind == UpdateItemKind.QUESTION:
            at = self.question.updated_at if self.question is not None else None
        else:
            at = self.page.latest_revision_created_at if self.page is not None else None
        return at if at is not None and at > self.created_at else None

    @property
    def is_open(self) -> bool:
        return self.closed_at is None and self.object_id is not None and self.revised_at is None

    @property
    def state(self) -> str:
        """open, confirmed, deleted, published_open, revised or republished."""
        if self.closed_reason in (UpdateItemClosed.CONFIRMED, UpdateItemClosed.PUBLISHED_OPEN):
            return self.closed_reason
        if self.closed_reason == UpdateItemClosed.DELETED or self.object_id is None:
            return UpdateItemClosed.DELETED
        if self.revised_at is not None:
            return "revised"
        return self.closed_reason or "open"

    @property
    def state_words(self) -> str:
        """The state as the update list says it."""
        who = (
            f" by {self.closed_by.get_full_name() or self.closed_by.email}"
            if self.closed_by
            else ""
        )
        when = f" on {timezone.localtime(self.closed_at):%-d %b %Y %H:%M}" if self.closed_at else ""
        state = self.state
        if state == "open":
            return "Open"
        if state == "revised":
            return f"Done: revised on {timezone.localtime(self.revised_at):%-d %b %Y %H:%M}"
        if state == UpdateItemClosed.CONFIRMED:
            return f"Done: confirmed still correct{who}{when}"
        if state == UpdateItemClosed.DELETED:
            noun = "question" if self.kind == UpdateItemKind.QUESTION else "page"
            return f"Closed: the {noun} was deleted{when}"
        if state == UpdateItemClosed.PUBLISHED_OPEN:
            return f"Still open when the course was published anyway{who}{when}"
        return f"Closed when the course was republished{who}{when}"
