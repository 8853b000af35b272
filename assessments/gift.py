"""Read Moodle GIFT question files into plain question records, the way Moodle imports them."""

import codecs
import math
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

__all__ = [
    "GiftFileError",
    "GiftParseResult",
    "ParseResult",
    "ParsedNumeric",
    "ParsedOption",
    "ParsedQuestion",
    "QuestionFileError",
    "SkippedQuestion",
    "parse_gift",
]


class QuestionFileError(ValueError):
    """A question file refused as a whole; the message says why, with a line number where
    there is one, and nothing from the file is imported."""


class GiftFileError(QuestionFileError):
    """A GIFT file refused as a whole."""


@dataclass(frozen=True)
class ParsedOption:
    """An answer a learner can give: a choice, or an accepted short answer.

    In short answers Moodle reads ``*`` as "any other answer"; the text is kept as written.
    """

    text: str
    fraction: float
    feedback: str = ""


@dataclass(frozen=True)
class ParsedNumeric:
    """A band of accepted numbers: ``value`` plus or minus ``tolerance``.

    Feedback for "any other number" (Moodle's ``~#...`` inside ``{#...}``) comes as the last
    band, with value 0, an infinite tolerance and a fraction of 0, so a number checked
    against the bands in order only lands there when nothing earlier matched.
    """

    value: float
    tolerance: float
    fraction: float = 1.0
    feedback: str = ""


@dataclass(frozen=True)
class ParsedQuestion:
    """One importable question.

    Answer texts and feedback lose any ``[format]`` prefix and take escapes as resolved; only
    the stem's format is kept. In ``pairs`` an empty prompt is an extra wrong answer, as in
    Moodle's matching questions. ``items`` holds an ordering question's items in their
    right order, and ``grader_info`` an essay's notes for the grader.
    """

    kind: str
    title: str
    stem: str
    text_format: str
    category: str
    position: int
    line: int
    general_feedback: str = ""
    options: tuple[ParsedOption, ...] = ()
    pairs: tuple[tuple[str, str], ...] = ()
    correct: bool | None = None
    true_feedback: str = ""
    false_feedback: str = ""
    numeric: tuple[ParsedNumeric, ...] = ()
    id_number: str = ""
    tags: tuple[str, ...] = ()
    case_sensitive: bool = False
    items: tuple[str, ...] = ()
    grader_info: str = ""


@dataclass(frozen=True)
class SkippedQuestion:
    """A question block that was read but not imported, and why."""

    position: int
    line: int
    title: str
    reason: str


@dataclass
class ParseResult:
    """What a question file holds, in file order: the importable and the skipped."""

    questions: list[ParsedQuestion]
    skipped: list[SkippedQuestion]


GiftParseResult = ParseResult


# Moodle trims with PHP's trim(), which leaves no-break and other Unicode spaces alone.
_BLANKS = " \t\n\r\0\x0b"
_LINE_BREAK = re.compile(r"\r\n|\r|\n")

# While a question's structure is read, each escaped character stands in as a Unicode
# noncharacter, so that searching for "{", "~", "#" and the rest only finds live ones. The
# values say what each escape finally means.
_ESCAPES = {":": ":", "#": "#", "=": "=", "{": "{", "}": "}", "~": "~", "n": "\n"}
_STAND_IN = {char: chr(0xFDD0 + index) for index, char in enumerate(_ESCAPES)}
_STAND_INS = re.compile("[" + "".join(_STAND_IN.values()) + "]")
_RESTORE = str.maketrans({_STAND_IN[char]: meaning for char, meaning in _ESCAPES.items()})
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)

_FORMAT_PREFIX = re.compile(r"\[(moodle|html|plain|markdown)\]")
_WEIGHT = re.compile(r"%(-?\d+(?:\.\d*)?)%")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_BRACE = re.compile(r"[{}]")
# Moodle's Cloze syntax, e.g. {1:SHORTANSWER:=Paris}, which GIFT would misread.
_CLOZE_ANSWER = re.compile(r"\d*:[A-Z][A-Z_]*:")
_ID = re.compile(r"\[id:((?:\\\]|[^\]\x00-\x1f\x7f])+)\]")
_TAG = re.compile(r"\[tag:((?:\\\]|[^\]<>\x00-\x1f\x7f])+)\]")

_CATEGORY = "$CATEGORY:"
_GAP = "_____"
_TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}

_DESCRIPTION = "Description items carry no question; skipped."
_CLOZE = "Embedded answers (cloze) are not supported."


class _Skip(Exception):
    """Raised while reading one question that is well formed but cannot be imported."""


@dataclass(frozen=True)
class _Line:
    number: int
    text: str


def parse_gift(data: bytes) -> ParseResult:
    """Read a GIFT file; questions that cannot be imported are listed in ``skipped``."""
    result = ParseResult(questions=[], skipped=[])
    category = ""
    position = 0
    for block in _blocks(_decode(data)):
        comments = [line.text for line in block if line.text.startswith("//")]
        body = [line for line in block if not line.text.startswith("//")]
        if body and body[0].text.startswith(_CATEGORY):
            category = _plain(body[0].text[len(_CATEGORY) :])
            # Moodle wants a blank line after $CATEGORY; a question written straight
            # below it is still read rather than swallowed into the category's name.
            body = body[1:]
        if not body:
            continue
        position += 1
        item = _read_question(body, comments, category, position)
        if isinstance(item, SkippedQuestion):
            result.skipped.append(item)
        else:
            result.questions.append(item)
    return result


def _decode(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = len(_LINE_BREAK.split(data[: error.start].decode("utf-8")))
        raise GiftFileError(
            f"The file is not UTF-8 text (the first byte that is not UTF-8 is on line {line}). "
            "Save it as UTF-8 and import it again."
        ) from None
    found = _STAND_INS.search(text)
    if found:
        line = len(_LINE_BREAK.split(text[: found.start()]))
        raise GiftFileError(
            f"Line {line}: the file contains the Unicode noncharacter "
            f"U+{ord(found.group()):04X}, which has no place in question text."
        )
    return text


def _blocks(text: str) -> Iterator[list[_Line]]:
    """Runs of non-blank lines, each line trimmed as Moodle trims it."""
    block: list[_Line] = []
    for number, raw in enumerate(_LINE_BREAK.split(text), start=1):
        line = raw.strip(_BLANKS)
        if line:
            block.append(_Line(number, line))
        elif block:
            yield block
            block = []
    if block:
        yield block


def _protect(text: str) -> str:
    def swap(match: re.Match[str]) -> str:
        char = match.group(1)
        if char == "\\":
            # Consumed here so that in "\\n" the n is a letter, not half of a newline.
            return "\\"
        return _STAND_IN.get(char, match.group(0))

    return _ESCAPE.sub(swap, text)


def _restore(text: str) -> str:
    return text.translate(_RESTORE)


def _plain(text: str) -> str:
    return _restore(_protect(text)).strip(_BLANKS)


def _split_format(text: str, default: str) -> tuple[str, str]:
    match = _FORMAT_PREFIX.match(text)
    if match:
        return match.group(1), text[match.end() :]
    return default, text


def _text(protected: str) -> str:
    """A piece of answer or feedback text as Moodle stores it: format prefix dropped."""
    _, text = _split_format(protected.strip(_BLANKS), "moodle")
    return _restore(text).strip(_BLANKS)


def _read_question(
    body: Sequence[_Line], comments: Sequence[str], category: str, position: int
) -> ParsedQuestion | SkippedQuestion:
    source = _protect("\n".join(line.text for line in body))

    def line_at(index: int) -> int:
        return body[source.count("\n", 0, index)].number

    title = ""
    start = 0
    if source.startswith("::"):
        end = source.find("::", 2)
        if end < 0:
            # Moodle drops an unclosed opening "::" and reads on as an untitled question.
            start = 2
        else:
            title = _restore(source[2:end]).strip(_BLANKS)
            start = end + 2

    blocks = _answer_blocks(source, start, line_at)

    def skipped(reason: str) -> SkippedQuestion:
        return SkippedQuestion(position=position, line=body[0].number, title=title, reason=reason)

    if not blocks:
        return skipped(_DESCRIPTION)
    if len(blocks) > 1:
        return skipped(f"{_CLOZE} This question has {len(blocks)} answer blocks.")
    opening, closing = blocks[0]
    answer = source[opening + 1 : closing].strip(_BLANKS)
    if _CLOZE_ANSWER.match(answer):
        return skipped(_CLOZE)

    # Moodle marks the gap only when text follows the answer block.
    gap = "" if closing == len(source) - 1 else _GAP
    stem_source = (source[start:opening] + gap + source[closing + 1 :]).strip(_BLANKS)
    text_format, stem_source = _split_format(stem_source, "moodle")
    stem = _restore(stem_source).strip(_BLANKS)

    general_feedback = ""
    separator = answer.rfind("####")
    if separator >= 0:
        general_feedback = _text(answer[separator + 4 :])
        answer = answer[:separator].strip(_BLANKS)

    id_number, tags = _id_and_tags(comments)
    common = {
        "title": title,
        "stem": stem,
        "text_format": text_format,
        "category": category,
        "position": position,
        "line": body[0].number,
        "general_feedback": general_feedback,
        "id_number": id_number,
        "tags": tags,
    }
    try:
        if not stem:
            raise _Skip("The question has no text.")
        return ParsedQuestion(**common, **_answers(answer))
    except _Skip as problem:
        return skipped(str(problem))


def _answer_blocks(source: str, start: int, line_at: Callable[[int], int]) -> list[tuple[int, int]]:
    """Where each {...} opens and closes; a brace out of place refuses the whole file."""
    blocks = []
    opening = None
    for match in _BRACE.finditer(source, start):
        index = match.start()
        if match.group() == "{":
            if opening is not None:
                raise GiftFileError(
                    f"Line {line_at(index)}: '{{' opens an answer block inside the one opened "
                    f"on line {line_at(opening)}. Write \\{{ for a literal brace."
                )
            opening = index
        else:
            if opening is None:
                raise GiftFileError(
                    f"Line {line_at(index)}: '}}' closes no answer block. "
                    "Write \\} for a literal brace."
                )
            blocks.append((opening, index))
            opening = None
    if opening is not None:
        raise GiftFileError(
            f"Line {line_at(opening)}: the answer block opened with '{{' is never closed "
            "before the blank line that ends the question."
        )
    return blocks


def _id_and_tags(comments: Sequence[str]) -> tuple[str, tuple[str, ...]]:
    text = "\n".join(comments)
    found = _ID.search(text)
    id_number = found.group(1).strip().replace("\\]", "]") if found else ""
    tags = tuple(
        tag for tag in (raw.strip().replace("\\]", "]") for raw in _TAG.findall(text)) if tag
    )
    return id_number, tags


def _answers(answer: str) -> dict[str, object]:
    """The kind and answer fields, decided in the order Moodle decides them."""
    if answer == "":
        return {"kind": "essay"}
    if answer.startswith("#"):
        return _numerical(answer[1:])
    if "~" in answer:
        return _choice(answer)
    if "=" in answer and "->" in answer:
        return _matching(answer)
    verdict = answer.split("#", 1)[0].strip(_BLANKS)
    if verdict in _TRUE_FALSE:
        return _true_false(answer)
    return _short_answer(answer)


def _weight(piece: str) -> tuple[float | None, str]:
    """A leading %n% weight as a fraction, and the text after it."""
    match = _WEIGHT.match(piece)
    if not match:
        return None, piece
    percent = float(match.group(1))
    if not -100 <= percent <= 100:
        raise _Skip(f"The weight {match.group()} is outside -100% to 100%.")
    return percent / 100, piece[match.end() :]


def _option(piece: str, fraction: float) -> ParsedOption:
    text, _, feedback = piece.partition("#")
    option = ParsedOption(text=_text(text), fraction=fraction, feedback=_text(feedback))
    if not option.text:
        raise _Skip("One of the answers is empty.")
    return option


def _pieces(answer: str, markers: str) -> list[str]:
    """The answer split before each marker; text before the first one counts as an answer
    too, as it does in Moodle."""
    pieces = [piece.strip(_BLANKS) for piece in re.split(f"(?=[{markers}])", answer)]
    return [piece for piece in pieces if piece]


def _choice(answer: str) -> dict[str, object]:
    options = []
    for piece in _pieces(answer, "~="):
        if piece.startswith("="):
            rest = piece[1:].strip(_BLANKS)
            if _WEIGHT.match(rest):
                # Moodle would keep "%n%" as part of the answer's text at full marks.
                raise _Skip("A right answer marked '=' cannot also carry a %weight%.")
            options.append(_option(rest, 1.0))
            continue
        if piece.startswith("~"):
            piece = piece[1:].strip(_BLANKS)
        fraction, rest = _weight(piece)
        options.append(_option(rest, 0.0 if fraction is None else fraction))
    if len(options) < 2:
        raise _Skip("A choice question needs at least two answers.")
    # Moodle lets learners tick several answers exactly when no answer is marked '='.
    if "=" in answer:
        return {"kind": "single_choice", "options": tuple(options)}
    total = round(sum(option.fraction for option in options if option.fraction > 0), 2)
    if total != 1:
        # Moodle checks the same sum when it saves a multiple-response question.
        raise _Skip(f"The weights of the right answers add up to {total * 100:g}%, not 100%.")
    return {"kind": "multiple_response", "options": tuple(options)}


def _short_answer(answer: str) -> dict[str, object]:
    options = []
    for piece in _pieces(answer, "="):
        fraction, rest = _weight(piece.removeprefix("=").strip(_BLANKS))
        options.append(_option(rest, 1.0 if fraction is None else fraction))
    _require_full_marks(option.fraction for option in options)
    return {"kind": "short_answer", "options": tuple(options)}


def _true_false(answer: str) -> dict[str, object]:
    verdict, wrong, right = [*answer.split("#", 2), "", ""][:3]
    correct = _TRUE_FALSE[verdict.strip(_BLANKS)]
    # The first feedback is for the wrong choice and the second for the right one,
    # whichever of TRUE and FALSE is right.
    right_feedback, wrong_feedback = _text(right), _text(wrong)
    return {
        "kind": "true_false",
        "correct": correct,
        "true_feedback": right_feedback if correct else wrong_feedback,
        "false_feedback": wrong_feedback if correct else right_feedback,
    }


def _matching(answer: str) -> dict[str, object]:
    pairs = []
    for piece in _pieces(answer, "="):
        prompt, arrow, match = piece.removeprefix("=").partition("->")
        if not arrow:
            raise _Skip(f"The matching pair '{_text(piece)}' has no '->'.")
        pair = (_text(prompt), _restore(match).strip(_BLANKS))
        if not pair[1]:
            raise _Skip(f"The matching prompt '{pair[0]}' has no answer after '->'.")
        pairs.append(pair)
    # Moodle's matching questions need two prompts and three answers; a pair with an
    # empty prompt only adds a wrong answer.
    if sum(1 for prompt, _ in pairs if prompt) < 2 or len(pairs) < 3:
        raise _Skip(
            "A matching question needs at least three pairs, at least two of them with a "
            f"prompt; this one has {len(pairs)}."
        )
    return {"kind": "matching", "pairs": tuple(pairs)}


def _numerical(answer: str) -> dict[str, object]:
    answer, tilde, otherwise = answer.partition("~")
    bands = []
    for piece in _pieces(answer, "="):
        fraction, rest = _weight(piece.removeprefix("=").strip(_BLANKS))
        spec, _, feedback = rest.partition("#")
        value, tolerance = _band(_text(spec))
        bands.append(
            ParsedNumeric(
                value=value,
                tolerance=tolerance,
                fraction=1.0 if fraction is None else fraction,
                feedback=_text(feedback),
            )
        )
    if not bands:
        raise _Skip("The numerical question gives no number.")
    _require_full_marks(band.fraction for band in bands)
    if tilde:
        feedback = otherwise.partition("#")[2]
        bands.append(ParsedNumeric(0.0, math.inf, fraction=0.0, feedback=_text(feedback)))
    return {"kind": "numerical", "numeric": tuple(bands)}


def _band(spec: str) -> tuple[float, float]:
    if spec == "*":
        return 0.0, math.inf
    # A separator at the very start belongs to the number, as in Moodle.
    if spec.find("..") > 0:
        low, high = (_number(part) for part in spec.split("..", 1))
        if low > high:
            raise _Skip(f"The range {spec} runs from a higher number to a lower one.")
        return (low + high) / 2, (high - low) / 2
    if spec.find(":") > 0:
        value, tolerance = (_number(part) for part in spec.split(":", 1))
        if tolerance < 0:
            raise _Skip(f"The tolerance in {spec} is negative.")
        return value, tolerance
    return _number(spec), 0.0


def _number(text: str) -> float:
    text = text.strip(_BLANKS)
    if not _NUMBER.fullmatch(text):
        raise _Skip(f"'{text}' is not a number.")
    return float(text)


def _require_full_marks(fractions: Iterable[float]) -> None:
    best = max(fractions, default=0.0)
    if best != 1:
        raise _Skip(f"No answer earns full marks (the best earns {best * 100:g}%).")
