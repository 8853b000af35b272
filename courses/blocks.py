"""StreamField blocks of training modules."""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from wagtail import blocks
from wagtail.blocks.list_block import ListBlockValidationError
from wagtail.blocks.stream_block import StreamBlockValidationError
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageBlock

from courses.choices import Competency, ScenarioOutcome
from courses.scenario_graph import Choice, ScenarioGraph, Step

RICH_TEXT_FEATURES = ["bold", "italic", "link", "ol", "ul", "h3", "h4"]


def missing_section_message(policy, key: str) -> str:
    """Why ``key`` is not a section of the policy's published version; empty if it is."""
    if policy is None or not key:
        return ""
    version = policy.specific.current_version
    if version is not None and version.section(key) is not None:
        return ""
    known = ", ".join(s["key"] for s in (version.sections if version else []))
    return (
        f"{policy.title} has no published section “{key}”. Its sections are: {known or 'none yet'}."
    )


class HeadingBlock(blocks.CharBlock):
    class Meta:
        icon = "title"
        template = "blocks/heading_block.html"
        preview_value = "Why the first minute matters"


class PolicyExcerptBlock(blocks.StructBlock):
    policy = blocks.PageChooserBlock(page_type="cms.PolicyPage")
    section_key = blocks.CharBlock(
        max_length=60,
        help_text="The key of the section to quote, for example refund-window.",
    )

    class Meta:
        icon = "openquote"
        template = "blocks/policy_excerpt_block.html"
        label = "Policy excerpt"

    def clean(self, value):
        value = super().clean(value)
        if message := missing_section_message(value.get("policy"), value.get("section_key")):
            raise StructBlockValidationError(block_errors={"section_key": ValidationError(message)})
        return value

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        pinned = (parent_context or {}).get("pinned_versions", {})
        policy = value["policy"]
        version = pinned.get(policy.pk) if policy else None
        if version is None and policy is not None:
            version = policy.specific.current_version
        context["version"] = version
        context["section"] = version.section(value["section_key"]) if version else None
        return context


class CalloutBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=120, default="Key behaviour")
    text = blocks.RichTextBlock(features=RICH_TEXT_FEATURES)

    class Meta:
        icon = "pick"
        template = "blocks/callout_block.html"
        label = "Key behaviour callout"
        preview_value = {
            "title": "Key behaviour",
            "text": "<p>Name the next step and when it will happen.</p>",
        }


class DialogueLineBlock(blocks.StructBlock):
    speaker = blocks.ChoiceBlock(choices=[("customer", "Customer"), ("staff", "Staff member")])
    line = blocks.TextBlock()

    class Meta:
        icon = "openquote"


class ExampleDialogueBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=120)
    lines = blocks.ListBlock(DialogueLineBlock(), min_num=1)
    verdict = blocks.ChoiceBlock(choices=[("good", "A good response"), ("poor", "A poor response")])
    why = blocks.TextBlock(help_text="Why this response is good or poor.")

    class Meta:
        icon = "group"
        template = "blocks/example_dialogue_block.html"
        label = "Example dialogue"


class KnowledgeCheckOptionBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=300)
    correct = blocks.BooleanBlock(required=False)
    feedback = blocks.TextBlock(required=False, help_text="Shown after the learner answers.")


class KnowledgeCheckBlock(blocks.StructBlock):
    """An ungraded question; the answer is checked on the server, never in the page."""

    question = blocks.TextBlock()
    options = blocks.ListBlock(KnowledgeCheckOptionBlock(), min_num=2, max_num=6)

    class Meta:
        icon = "help"
        template = "blocks/knowledge_check_block.html"
        label = "Knowledge check"

    def clean(self, value):
        value = super().clean(value)
        if not any(option["correct"] for option in value["options"]):
            raise StructBlockValidationError(
                block_errors={"options": ValidationError("Mark at least one option as correct.")}
            )
        return value


class VideoBlock(EmbedBlock):
    """A video link: embedded when its provider answers, a plain link when it does not.
    Wagtail's own block refuses to save a link it cannot embed at that moment, so a module
    with a video could not be saved (nor autosaved) without internet access."""

    def clean(self, value):
        return super(EmbedBlock, self).clean(value)

    class Meta:
        icon = "media"
        template = "blocks/video_block.html"


class ModuleBodyBlock(blocks.StreamBlock):
    text = blocks.RichTextBlock(
        features=RICH_TEXT_FEATURES, icon="pilcrow", template="blocks/text_block.html"
    )
    heading = HeadingBlock()
    policy_excerpt = PolicyExcerptBlock()
    callout = CalloutBlock()
    example_dialogue = ExampleDialogueBlock()
    image = ImageBlock(template="blocks/image_block.html")
    video = VideoBlock(help_text="A YouTube or Vimeo link.")
    job_aid = DocumentChooserBlock(
        icon="doc-full", label="Job aid", template="blocks/job_aid_block.html"
    )
    knowledge_check = KnowledgeCheckBlock()


# Role-play scenarios


step_key_validator = RegexValidator(
    r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
    "Use lower-case letters, digits and hyphens, for example refund-offer.",
)


def competency_scores_block() -> blocks.StructBlock:
    """Points a choice adds to (or takes from) each competency."""
    return blocks.StructBlock(
        [
            (c.value, blocks.IntegerBlock(label=c.label, default=0, min_value=-5, max_value=5))
            for c in Competency
        ],
        label="Score changes",
        form_classname="scenario-scores",
    )


class ScenarioChoiceBlock(blocks.StructBlock):
    line = blocks.TextBlock(label="Staff member says")
    feedback = blocks.TextBlock(help_text="Shown to the learner straight after this choice.")
    scores = competency_scores_block()
    mood_change = blocks.IntegerBlock(
        default=0,
        min_value=-3,
        max_value=3,
        help_text="How the customer's mood moves: -3 (much worse) to +3 (much better).",
    )
    policy = blocks.PageChooserBlock(
        page_type="cms.PolicyPage",
        required=False,
        help_text="The policy behind this choice; the debrief links to it when it is missed.",
    )
    section_key = blocks.CharBlock(required=False, max_length=60, label="Policy section key")
    next_step = blocks.CharBlock(
        max_length=60, validators=[step_key_validator], help_text="The key of the step it leads to."
    )

    class Meta:
        icon = "arrow-right"
        label = "Choice"

    def clean(self, value):
        value = super().clean(value)
        policy, key = value.get("policy"), value.get("section_key")
        if key and policy is None:
            raise StructBlockValidationError(
                block_errors={"policy": ValidationError("Choose the policy this section is in.")}
            )
        if message := missing_section_message(policy, key):
            raise StructBlockValidationError(block_errors={"section_key": ValidationError(message)})
        return value


class ScenarioStepBlock(blocks.StructBlock):
    key = blocks.CharBlock(
        max_length=60,
        validators=[step_key_validator],
        help_text="A short name other steps point to; keep it once people play the scenario.",
    )
    customer_line = blocks.TextBlock(label="Customer says")
    narration = blocks.TextBlock(
        required=False, help_text="Tone of voice, or what the staff member can see."
    )
    choices = blocks.ListBlock(
        ScenarioChoiceBlock(),
        min_num=0,
        max_num=4,
        help_text="Two to four choices; leave empty to make this step an ending.",
    )
    outcome = blocks.ChoiceBlock(
        choices=ScenarioOutcome.choices,
        required=False,
        help_text="Endings only: how the conversation ended.",
    )
    debrief = blocks.TextBlock(
        required=False, help_text="Endings only: what the learner should take away."
    )

    class Meta:
        icon = "comment"
        label = "Step"
        label_format = "{key}"


def scenario_graph_from_blocks(stream) -> ScenarioGraph:
    """The graph a stream of step blocks describes (choice ids are the list item ids)."""
    steps = []
    for child in stream:
        value = child.value
        choices = []
        for index, item in enumerate(value["choices"].bound_blocks):
            choice = item.value
            choices.append(
                Choice(
                    id=item.id or f"{value['key']}-{index + 1}",
                    line=choice["line"],
                    feedback=choice["feedback"],
                    scores={c: choice["scores"][c] or 0 for c in Competency.values},
                    mood_change=choice["mood_change"] or 0,
                    policy_id=choice["policy"].pk if choice["policy"] else None,
                    section_key=choice["section_key"] or "",
                    next_step=choice["next_step"],
                )
            )
        steps.append(
            Step(
                key=value["key"],
                customer_line=value["customer_line"],
                narration=value["narration"] or "",
                outcome=value["outcome"] or "",
                debrief=value["debrief"] or "",
                choices=tuple(choices),
            )
        )
    return ScenarioGraph(steps)


class ScenarioStepsBlock(blocks.StreamBlock):
    """The steps of a scenario. Saving checks the whole shape and puts each problem
    beside the step (or the choice) it concerns."""

    step = ScenarioStepBlock()

    def clean(self, value):
        value = super().clean(value)
        problems = scenario_graph_from_blocks(value).problems()
        if not problems:
            return value
        general, block_errors = [], {}
        by_step: dict[int, list] = {}
        for problem in problems:
            if problem.step_index is None:
                general.append(ValidationError(problem.message))
            else:
                by_step.setdefault(problem.step_index, []).append(problem)
        for index, step_problems in by_step.items():
            block_errors[index] = self._step_error(step_problems)
        raise StreamBlockValidationError(block_errors=block_errors, non_block_errors=general)

    @staticmethod
    def _step_error(problems) -> StructBlockValidationError:
        fields: dict[str, list[str]] = {}
        per_choice: dict[int, list[str]] = {}
        whole_step = []
        for problem in problems:
            if problem.choice_index is not None:
                per_choice.setdefault(problem.choice_index, []).append(problem.message)
            elif problem.field:
                fields.setdefault(problem.field, []).append(problem.message)
            else:
                whole_step.append(ValidationError(problem.message))
        errors: dict = {name: ValidationError(messages) for name, messages in fields.items()}
        if per_choice or "choices" in errors:
            errors["choices"] = ListBlockValidationError(
                block_errors={
                    i: StructBlockValidationError(block_errors={"next_step": ValidationError(m)})
                    for i, m in per_choice.items()
                },
                non_block_errors=errors["choices"].error_list if "choices" in errors else None,
            )
        return StructBlockValidationError(block_errors=errors, non_block_errors=whole_step)
