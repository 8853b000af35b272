"""Operations on the question bank and on attempts that change more than one row."""

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import Truncator
from wagtail.log_actions import log

from assessments.blocks import FULL, QuestionAnswerBlock
from assessments.gift import (
    ParsedQuestion,
    ParseResult,
    QuestionFileError,
    SkippedQuestion,
    parse_gift,
)
from assessments.models import Competency, Question, QuestionBank
from assessments.moodle_xml import parse_moodle_xml
from assessments.text import plain_text, rich_text

QUESTION_FILE_FORMATS: dict[str, tuple[str, Callable[[bytes], ParseResult]]] = {
    "gift": ("GIFT", parse_gift),
    "moodle-xml": ("Moodle XML", parse_moodle_xml),
}
_TITLE_LENGTH = 80
_FIELD_LENGTH = 255


@dataclass(frozen=True)
class PendingQuestion:
    """A question read from a file, not saved yet, with where it was in the file."""

    question: Question
    competencies: list[Competency]
    position: int


@dataclass
class QuestionImport:
    """What a file will import and what it skips, by file position."""

    bank_name: str
    file_format: str
    questions: list[PendingQuestion] = field(default_factory=list)
    skipped: list[SkippedQuestion] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return f"Imported {len(self.questions)} questions; skipped {len(self.skipped)}."


def question_file_read(*, data: bytes, file_format: str, bank_name: str) -> QuestionImport:
    """Parse a question file and build its questions without saving anything.

    Raises QuestionFileError when the file is refused as a whole. A question whose answer
    key would not pass the checks a trainer's edit passes is skipped with the reason.
    """
    if file_format not in QUESTION_FILE_FORMATS:
        known = ", ".join(QUESTION_FILE_FORMATS)
        raise QuestionFileError(f"Unknown format '{file_format}'; use one of: {known}.")
    bank_name = bank_name.strip()
    if not bank_name:
        raise QuestionFileError("Name the bank the questions go into.")
    _, parse = QUESTION_FILE_FORMATS[file_format]
    parsed = parse(data)
    result = QuestionImport(bank_name=bank_name, file_format=file_format)
    result.skipped.extend(parsed.skipped)
    competencies = _competencies_by_label()
    for item in parsed.questions:
        try:
            result.questions.append(_question_from(item, competencies))
        except ValidationError as error:
            result.skipped.append(
                SkippedQuestion(
                    position=item.position,
                    line=item.line,
                    title=item.title,
                    reason=" ".join(_messages(error)),
                )
            )
    result.skipped.sort(key=lambda skipped: skipped.position)
    return result


@transaction.atomic
def questions_import(
    *, data: bytes, file_format: str, bank_name: str, actor=None
) -> QuestionImport:
    """Read the file and save its importable questions, each with a first revision, into
    the named bank (made if it does not exist). All or nothing: a refused file, or any
    failure while saving, leaves the bank as it was."""
    result = question_file_read(data=data, file_format=file_format, bank_name=bank_name)
    bank = QuestionBank.objects.filter(name__iexact=result.bank_name).first()
    if bank is None:
        bank = QuestionBank.objects.create(name=result.bank_name)
    for pending in result.questions:
        question = pending.question
        question.bank = bank
        question.competencies = pending.competencies
        question.save()
        question.save_revision(user=actor)
        log(instance=question, action="wagtail.create", user=actor)
    return result


def _competencies_by_label() -> dict[str, Competency]:
    labels = {}
    for competency in Competency.objects.all():
        labels[competency.key.casefold()] = competency
        labels[competency.name.casefold()] = competency
    return labels


def _messages(error: ValidationError) -> list[str]:
    nested = getattr(error, "block_errors", None)
    if nested:
        items = nested.values() if isinstance(nested, dict) else nested
        return [message for child in items if child for message in _messages(child)]
    nested = getattr(error, "non_block_errors", None)
    if nested:
        return [message for child in nested for message in _messages(child)]
    return list(error.messages)


def _category_name(path: str) -> str:
    """A Moodle category path without the context prefix Moodle writes on exports."""
    parts = [part.strip() for part in path.split("/") if part.strip()]
    while parts and parts[0] in {"$course$", "$system$", "$module$", "$cat1$", "top"}:
        parts.pop(0)
    return "/".join(parts)


def _credit(fraction: float) -> int:
    return round(fraction * FULL)


def _answer_value(item: ParsedQuestion) -> dict:
    """The raw value of the answer block for a parsed question."""
    options = [
        {
            "text": plain_text(option.text),
            "credit": _credit(option.fraction),
            "feedback": plain_text(option.feedback),
        }
        for option in item.options
    ]
    match item.kind:
        case "single_choice" | "multiple_response":
            return {"options": options}
        case "short_answer":
            return {"answers": options, "case_sensitive": item.case_sensitive}
        case "true_false":
            return {
                "correct": "true" if item.correct else "false",
                "feedback_if_true": plain_text(item.true_feedback),
                "feedback_if_false": plain_text(item.false_feedback),
            }
        case "matching":
            return {
                "pairs": [
                    {"prompt": plain_text(prompt), "answer": plain_text(answer)}
                    for prompt, answer in item.pairs
                    if prompt
                ],
                "extra_answers": [
                    plain_text(answer) for prompt, answer in item.pairs if not prompt
                ],
            }
        case "ordering":
            return {"items": [plain_text(text) for text in item.items]}
        case "numerical":
            bands = [band for band in item.numeric if not math.isinf(band.tolerance)]
            catch_all = [band for band in item.numeric if math.isinf(band.tolerance)]
            if any(band.fraction > 0 for band in catch_all):
                raise ValidationError("An answer that accepts any number cannot earn credit.")
            return {
                "answers": [
                    {
                        "value": band.value,
                        "tolerance": band.tolerance,
                        "credit": _credit(band.fraction),
                        "feedback": plain_text(band.feedback),
                    }
                    for band in bands
                ],
                "other_feedback": plain_text(catch_all[0].feedback) if catch_all else "",
            }
        case "essay":
            return {
                "rubric": [
                    {"criterion": "The answer as a whole, against the grader's notes.", "points": 5}
                ],
                "grader_guidance": plain_text(item.grader_info),
            }
    raise ValidationError(f"Questions of kind '{item.kind}' cannot be imported.")


def _question_from(item: ParsedQuestion, competencies: dict[str, Competency]) -> PendingQuestion:
    block = QuestionAnswerBlock().child_blocks[item.kind]
    value = block.clean(block.to_python(_answer_value(item)))
    stem = rich_text(item.stem, item.text_format)
    title = item.title or plain_text(stem)
    question = Question(
        title=Truncator(title).chars(_TITLE_LENGTH if not item.title else _FIELD_LENGTH),
        category=Truncator(_category_name(item.category)).chars(_FIELD_LENGTH),
        stem=stem,
        general_feedback=plain_text(item.general_feedback),
    )
    question.answer = [(item.kind, value)]
    return PendingQuestion(
        question=question,
        competencies=[
            competencies[tag.casefold()] for tag in item.tags if tag.casefold() in competencies
        ],
        position=item.position,
    )
