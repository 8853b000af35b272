"""Read Moodle XML question files into the same records as the GIFT reader.

Only what Moodle itself writes is accepted: a ``<quiz>`` root and UTF-8 text. Document
type declarations and entities are refused outright (they are the usual route for XML
attacks and Moodle never writes them).
"""

import math
import xml.etree.ElementTree as ET  # the tree types; all parsing goes through defusedxml

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from assessments.gift import (
    ParsedNumeric,
    ParsedOption,
    ParsedQuestion,
    ParseResult,
    QuestionFileError,
    SkippedQuestion,
)

__all__ = ["MoodleXmlFileError", "parse_moodle_xml"]

_FORMATS = {
    "html": "html",
    "moodle_auto_format": "moodle",
    "plain_text": "plain",
    "markdown": "markdown",
}
_TRUTHY = {"1", "true", "yes"}
_NOT_SUPPORTED = {
    "cloze": "Embedded answers (cloze) are not supported.",
    "multianswer": "Embedded answers (cloze) are not supported.",
}


class MoodleXmlFileError(QuestionFileError):
    """A Moodle XML file refused as a whole."""


class _Skip(Exception):
    pass


class _LineRecorder(ET.TreeBuilder):
    """Remembers the line each element starts on, for messages that point into the file."""

    def __init__(self):
        super().__init__()
        self.lines: dict[ET.Element, int] = {}
        self.parser: DefusedXMLParser | None = None

    def start(self, tag, attrs):
        element = super().start(tag, attrs)
        self.lines[element] = self.parser.parser.CurrentLineNumber
        return element


def parse_moodle_xml(data: bytes) -> ParseResult:
    """Read a Moodle XML export; questions that cannot be imported are listed in ``skipped``."""
    root, lines = _parse(data)
    result = ParseResult(questions=[], skipped=[])
    category = ""
    position = 0
    for element in root.iter("question"):
        kind = element.get("type", "").strip()
        if kind == "category":
            category = _text(element, "category")
            continue
        position += 1
        line = lines.get(element, 0)
        title = _text(element, "name")
        try:
            result.questions.append(_question(element, kind, title, category, position, line))
        except _Skip as problem:
            result.skipped.append(
                SkippedQuestion(position=position, line=line, title=title, reason=str(problem))
            )
    return result


def _parse(data: bytes) -> tuple[ET.Element, dict[ET.Element, int]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise MoodleXmlFileError(
            f"The file is not UTF-8 text (the first byte that is not UTF-8 is on line {line}). "
            "Save it as UTF-8 and import it again."
        ) from None
    builder = _LineRecorder()
    parser = DefusedXMLParser(target=builder, forbid_dtd=True)
    builder.parser = parser
    try:
        parser.feed(text)
        root = parser.close()
    except ET.ParseError as error:
        line, column = error.position
        raise MoodleXmlFileError(
            f"Line {line}, column {column + 1}: the file is not well-formed XML."
        ) from None
    except DefusedXmlException:
        raise MoodleXmlFileError(
            "The file declares a document type or entities, which Moodle XML never uses; "
            "it was refused for safety."
        ) from None
    if root.tag != "quiz":
        raise MoodleXmlFileError(
            f"The file's outer element is <{root.tag}>, not <quiz>: it is not a Moodle XML "
            "question file."
        )
    return root, builder.lines


def _text(element: ET.Element, path: str) -> str:
    """The ``<text>`` inside the child at ``path``, as Moodle stores it."""
    found = element.find(f"{path}/text")
    return (found.text or "").strip() if found is not None else ""


def _format(element: ET.Element, path: str) -> str:
    found = element.find(path)
    raw = found.get("format", "html") if found is not None else "html"
    return _FORMATS.get(raw, "html")


def _flag(element: ET.Element, path: str, default: bool = False) -> bool:
    found = element.findtext(path)
    return default if found is None else found.strip().lower() in _TRUTHY


def _fraction(answer: ET.Element) -> float:
    raw = answer.get("fraction", "0").strip()
    try:
        value = float(raw)
    except ValueError:
        raise _Skip(f"The answer weight '{raw}' is not a number.") from None
    if not math.isfinite(value) or not -100 <= value <= 100:
        raise _Skip(f"The answer weight {raw}% is outside -100% to 100%.")
    return value / 100


def _answers(element: ET.Element) -> list[ParsedOption]:
    return [
        ParsedOption(
            text=_text(answer, "."),
            fraction=_fraction(answer),
            feedback=_text(answer, "feedback"),
        )
        for answer in element.findall("answer")
    ]


def _question(
    element: ET.Element, kind: str, title: str, category: str, position: int, line: int
) -> ParsedQuestion:
    if kind in _NOT_SUPPORTED:
        raise _Skip(_NOT_SUPPORTED[kind])
    if kind == "description":
        raise _Skip("Description items carry no question; skipped.")
    reader = _READERS.get(kind)
    if reader is None:
        raise _Skip(f"Moodle's '{kind or 'untyped'}' questions are not supported.")
    stem = _text(element, "questiontext")
    if not stem:
        raise _Skip("The question has no text.")
    tags = tuple(
        text.strip()
        for text in (tag.findtext("text") or "" for tag in element.findall("tags/tag"))
        if text.strip()
    )
    return ParsedQuestion(
        title=title,
        stem=stem,
        text_format=_format(element, "questiontext"),
        category=category,
        position=position,
        line=line,
        general_feedback=_text(element, "generalfeedback"),
        id_number=(element.findtext("idnumber") or "").strip(),
        tags=tags,
        **reader(element),
    )


def _require_full_marks(fractions) -> None:
    best = max(fractions, default=0.0)
    if abs(best - 1) > 1e-6:
        raise _Skip(f"No answer earns full marks (the best earns {best * 100:g}%).")


def _multichoice(element: ET.Element) -> dict[str, object]:
    options = _answers(element)
    if len(options) < 2:
        raise _Skip("A choice question needs at least two answers.")
    if any(not option.text for option in options):
        raise _Skip("One of the answers is empty.")
    if _flag(element, "single", default=True):
        _require_full_marks(option.fraction for option in options)
        return {"kind": "single_choice", "options": tuple(options)}
    return {"kind": "multiple_response", "options": tuple(options)}


def _truefalse(element: ET.Element) -> dict[str, object]:
    by_text = {option.text.strip().lower(): option for option in _answers(element)}
    if set(by_text) != {"true", "false"}:
        raise _Skip("A true/false question needs one 'true' and one 'false' answer.")
    return {
        "kind": "true_false",
        "correct": by_text["true"].fraction >= by_text["false"].fraction,
        "true_feedback": by_text["true"].feedback,
        "false_feedback": by_text["false"].feedback,
    }


def _shortanswer(element: ET.Element) -> dict[str, object]:
    options = [option for option in _answers(element) if option.text]
    if not options:
        raise _Skip("The short-answer question accepts no answer.")
    _require_full_marks(option.fraction for option in options)
    return {
        "kind": "short_answer",
        "options": tuple(options),
        "case_sensitive": _flag(element, "usecase"),
    }


def _numerical(element: ET.Element) -> dict[str, object]:
    bands = []
    for answer in element.findall("answer"):
        raw = _text(answer, ".")
        fraction = _fraction(answer)
        feedback = _text(answer, "feedback")
        if raw == "*":
            bands.append(ParsedNumeric(0.0, math.inf, fraction=fraction, feedback=feedback))
            continue
        try:
            value = float(raw)
            tolerance = abs(float((answer.findtext("tolerance") or "0").strip() or 0))
        except ValueError:
            raise _Skip(f"'{raw}' is not a number.") from None
        bands.append(ParsedNumeric(value, tolerance, fraction=fraction, feedback=feedback))
    if not bands:
        raise _Skip("The numerical question gives no number.")
    _require_full_marks(band.fraction for band in bands)
    return {"kind": "numerical", "numeric": tuple(bands)}


def _matching(element: ET.Element) -> dict[str, object]:
    pairs = tuple((_text(sub, "."), _text(sub, "answer")) for sub in element.findall("subquestion"))
    if any(not answer for _, answer in pairs):
        raise _Skip("A matching prompt has no answer.")
    if sum(1 for prompt, _ in pairs if prompt) < 2 or len(pairs) < 3:
        raise _Skip(
            "A matching question needs at least three pairs, at least two of them with a "
            f"prompt; this one has {len(pairs)}."
        )
    return {"kind": "matching", "pairs": pairs}


def _ordering(element: ET.Element) -> dict[str, object]:
    items = tuple(_text(answer, ".") for answer in element.findall("answer"))
    if len(items) < 2 or any(not item for item in items):
        raise _Skip("An ordering question needs at least two items, none of them empty.")
    return {"kind": "ordering", "items": items}


def _essay(element: ET.Element) -> dict[str, object]:
    return {"kind": "essay", "grader_info": _text(element, "graderinfo")}


_READERS = {
    "multichoice": _multichoice,
    "truefalse": _truefalse,
    "shortanswer": _shortanswer,
    "numerical": _numerical,
    "matching": _matching,
    "ordering": _ordering,
    "essay": _essay,
}
