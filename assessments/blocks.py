"""The answer part of a question, one block type per kind of question; each block checks
that its answer key makes sense before a trainer can save it."""

from django.core.exceptions import ValidationError
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError

FULL = 100


def _credit_block() -> blocks.IntegerBlock:
    return blocks.IntegerBlock(
        default=0,
        min_value=-100,
        max_value=100,
        help_text="Percent of the question's marks: 100 for a right answer, negative to penalise.",
    )


def _refuse(field: str, message: str):
    raise StructBlockValidationError(block_errors={field: ValidationError(message)})


def _require_full_credit(value, field: str, message: str):
    if not any(item["credit"] == FULL for item in value[field]):
        _refuse(field, message)


class OptionBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=500)
    credit = _credit_block()
    feedback = blocks.TextBlock(required=False, help_text="Shown when this option is chosen.")


class SingleChoiceBlock(blocks.StructBlock):
    options = blocks.ListBlock(OptionBlock(), min_num=2, max_num=10)

    class Meta:
        icon = "radio-full"
        label = "Single choice"

    def clean(self, value):
        value = super().clean(value)
        _require_full_credit(value, "options", "Give one option 100% credit: the right answer.")
        return value


class MultipleResponseBlock(blocks.StructBlock):
    options = blocks.ListBlock(OptionBlock(), min_num=2, max_num=10)

    class Meta:
        icon = "tick"
        label = "Multiple response"

    def clean(self, value):
        value = super().clean(value)
        positives = [option["credit"] for option in value["options"] if option["credit"] > 0]
        right = sum(positives)
        # Whole percents: thirds or sixths round to 99 or 102, which still mean 100.
        if abs(right - FULL) > max(1, len(positives) / 2):
            _refuse(
                "options",
                f"The right options' credits must add up to 100%; they add up to {right}%.",
            )
        return value


class TrueFalseBlock(blocks.StructBlock):
    correct = blocks.ChoiceBlock(choices=[("true", "True"), ("false", "False")])
    feedback_if_true = blocks.TextBlock(required=False, label="Feedback for answering true")
    feedback_if_false = blocks.TextBlock(required=False, label="Feedback for answering false")

    class Meta:
        icon = "circle-check"
        label = "True or false"


class PairBlock(blocks.StructBlock):
    prompt = blocks.CharBlock(max_length=300)
    answer = blocks.CharBlock(max_length=300)


class MatchingBlock(blocks.StructBlock):
    pairs = blocks.ListBlock(PairBlock(), min_num=2, max_num=12)
    extra_answers = blocks.ListBlock(
        blocks.CharBlock(max_length=300),
        default=[],
        min_num=0,
        max_num=6,
        label="Extra wrong answers",
        help_text="Offered beside the right answers so the last pair is not a giveaway.",
    )

    class Meta:
        icon = "list-ul"
        label = "Matching"

    def clean(self, value):
        value = super().clean(value)
        prompts = [pair["prompt"].strip().casefold() for pair in value["pairs"]]
        if len(set(prompts)) != len(prompts):
            _refuse("pairs", "Each prompt may appear only once.")
        return value


class OrderingBlock(blocks.StructBlock):
    items = blocks.ListBlock(
        blocks.CharBlock(max_length=300),
        min_num=2,
        max_num=10,
        help_text="In the right order; learners see them shuffled.",
    )

    class Meta:
        icon = "order"
        label = "Ordering"


class AcceptedAnswerBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=300)
    credit = _credit_block()
    feedback = blocks.TextBlock(required=False)


class ShortAnswerBlock(blocks.StructBlock):
    answers = blocks.ListBlock(AcceptedAnswerBlock(), min_num=1, max_num=20)
    case_sensitive = blocks.BooleanBlock(required=False)

    class Meta:
        icon = "edit"
        label = "Short answer"

    def clean(self, value):
        value = super().clean(value)
        _require_full_credit(value, "answers", "Give at least one accepted answer 100% credit.")
        return value


class NumericAnswerBlock(blocks.StructBlock):
    value = blocks.FloatBlock()
    tolerance = blocks.FloatBlock(
        default=0, min_value=0, help_text="Accepted either side of the value."
    )
    credit = _credit_block()
    feedback = blocks.TextBlock(required=False)


class NumericalBlock(blocks.StructBlock):
    answers = blocks.ListBlock(NumericAnswerBlock(), min_num=1, max_num=10)
    other_feedback = blocks.TextBlock(
        required=False, help_text="Shown for any number that matches none of the answers."
    )

    class Meta:
        icon = "decimal"
        label = "Numerical"

    def clean(self, value):
        value = super().clean(value)
        _require_full_credit(value, "answers", "Give at least one answer 100% credit.")
        return value


class JudgedResponseBlock(blocks.StructBlock):
    text = blocks.TextBlock()
    feedback = blocks.TextBlock(required=False, help_text="Why the experts rank it here.")


class SituationalJudgementBlock(blocks.StructBlock):
    responses = blocks.ListBlock(
        JudgedResponseBlock(),
        min_num=3,
        max_num=6,
        help_text="From best to worst, as your experts rank them; learners see them shuffled.",
    )

    class Meta:
        icon = "group"
        label = "Situational judgement"


class RubricCriterionBlock(blocks.StructBlock):
    criterion = blocks.TextBlock(help_text="What the grader looks for.")
    points = blocks.IntegerBlock(min_value=1, max_value=20, default=1)


class EssayBlock(blocks.StructBlock):
    rubric = blocks.ListBlock(RubricCriterionBlock(), min_num=1, max_num=10)
    grader_guidance = blocks.TextBlock(required=False)

    class Meta:
        icon = "doc-full"
        label = "Essay (graded by a trainer)"


class QuestionAnswerBlock(blocks.StreamBlock):
    single_choice = SingleChoiceBlock()
    multiple_response = MultipleResponseBlock()
    true_false = TrueFalseBlock()
    matching = MatchingBlock()
    ordering = OrderingBlock()
    short_answer = ShortAnswerBlock()
    numerical = NumericalBlock()
    situational_judgement = SituationalJudgementBlock()
    essay = EssayBlock()

    class Meta:
        min_num = 1
        max_num = 1
