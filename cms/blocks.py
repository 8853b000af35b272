"""StreamField blocks of the policy library; a section keeps its key through every edit."""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from wagtail import blocks
from wagtail.blocks.stream_block import StreamBlockValidationError
from wagtail.blocks.struct_block import StructBlockValidationError

SECTION_KEY_VALIDATOR = RegexValidator(
    regex=r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
    message="Use lower-case letters, digits and single hyphens, for example refund-window.",
)
POLICY_RICH_TEXT_FEATURES = ["bold", "italic", "link", "ol", "ul", "h3", "h4"]


class PolicySectionBlock(blocks.StructBlock):
    key = blocks.CharBlock(
        max_length=60,
        validators=[SECTION_KEY_VALIDATOR],
        help_text=(
            "A short permanent name for this section, such as refund-window. Keep it when you "
            "reword or move the section: courses, questions and certificates point at it."
        ),
    )
    heading = blocks.CharBlock(max_length=200)
    body = blocks.RichTextBlock(features=POLICY_RICH_TEXT_FEATURES)

    class Meta:
        icon = "doc-full"
        template = "blocks/policy_section_block.html"
        label_format = "{heading}"
        preview_value = {
            "key": "acknowledge-within-one-day",
            "heading": "Acknowledge every complaint within one working day",
            "body": "<p>Tell the customer who is handling their complaint and when they "
            "will hear back.</p>",
        }


class PolicySectionsBlock(blocks.StreamBlock):
    section = PolicySectionBlock()

    class Meta:
        min_num = 1
        block_counts = {"section": {"min_num": 1}}

    def clean(self, value):
        value = super().clean(value)
        first_index_of_key: dict[str, int] = {}
        errors = {}
        for index, child in enumerate(value):
            key = child.value["key"]
            if key in first_index_of_key:
                errors[index] = StructBlockValidationError(
                    block_errors={
                        "key": ValidationError(
                            f"Section {first_index_of_key[key] + 1} already uses the key "
                            f"“{key}”. Each section needs its own key."
                        )
                    }
                )
            first_index_of_key.setdefault(key, index)
        if errors:
            raise StreamBlockValidationError(block_errors=errors)
        return value
