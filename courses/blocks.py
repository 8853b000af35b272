"""StreamField blocks of training modules."""

from django.core.exceptions import ValidationError
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageBlock

RICH_TEXT_FEATURES = ["bold", "italic", "link", "ol", "ul", "h3", "h4"]


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
        policy = value.get("policy")
        key = value.get("section_key")
        if policy is not None and key:
            version = policy.specific.current_version
            if version is None or version.section(key) is None:
                known = ", ".join(s["key"] for s in (version.sections if version else []))
                raise StructBlockValidationError(
                    block_errors={
                        "section_key": ValidationError(
                            f"{policy.title} has no published section “{key}”. "
                            f"Its sections are: {known or 'none yet'}."
                        )
                    }
                )
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


class ModuleBodyBlock(blocks.StreamBlock):
    text = blocks.RichTextBlock(
        features=RICH_TEXT_FEATURES, icon="pilcrow", template="blocks/text_block.html"
    )
    heading = HeadingBlock()
    policy_excerpt = PolicyExcerptBlock()
    callout = CalloutBlock()
    example_dialogue = ExampleDialogueBlock()
    image = ImageBlock(template="blocks/image_block.html")
    video = EmbedBlock(
        icon="media", template="blocks/video_block.html", help_text="A YouTube or Vimeo link."
    )
    job_aid = DocumentChooserBlock(
        icon="doc-full", label="Job aid", template="blocks/job_aid_block.html"
    )
    knowledge_check = KnowledgeCheckBlock()
