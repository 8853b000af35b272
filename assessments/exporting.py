"""Write questions out as GIFT or Moodle XML, in the forms the importers read back.

Kinds a format cannot express are left out, each named in a comment in the file so the
trainer knows what to carry over by hand.
"""

import xml.etree.ElementTree as ET  # building only; nothing is parsed here
from collections.abc import Iterable

from assessments.models import Question

_GIFT_SPECIAL = str.maketrans({char: f"\\{char}" for char in "~=#{}:\\"})
_NOT_IN_GIFT = {
    "ordering": "ordering questions have no GIFT form; export as Moodle XML",
    "situational_judgement": "situational judgement questions have no GIFT form",
}
_NOT_IN_MOODLE = {
    "situational_judgement": "situational judgement questions have no Moodle XML form",
}


def _g(text: str) -> str:
    return " ".join(str(text).split("\n")).translate(_GIFT_SPECIAL)


def _fb(text: str) -> str:
    return f"#{_g(text)}" if text else ""


def _weight(credit: int) -> str:
    return f"%{credit}%"


def _gift_answer(kind: str, value) -> str:
    match kind:
        case "single_choice":
            parts = [
                ("=" if o["credit"] == 100 else "~" + (_weight(o["credit"]) if o["credit"] else ""))
                + _g(o["text"])
                + _fb(o["feedback"])
                for o in value["options"]
            ]
        case "multiple_response":
            parts = [
                "~" + _weight(o["credit"]) + _g(o["text"]) + _fb(o["feedback"])
                for o in value["options"]
            ]
        case "true_false":
            right, wrong = (
                ("feedback_if_true", "feedback_if_false")
                if value["correct"] == "true"
                else ("feedback_if_false", "feedback_if_true")
            )
            verdict = "TRUE" if value["correct"] == "true" else "FALSE"
            return f"{verdict}#{_g(value[wrong])}#{_g(value[right])}"
        case "short_answer":
            parts = [
                "="
                + (_weight(a["credit"]) if a["credit"] != 100 else "")
                + _g(a["text"])
                + _fb(a["feedback"])
                for a in value["answers"]
            ]
        case "numerical":
            parts = [
                "="
                + (_weight(a["credit"]) if a["credit"] != 100 else "")
                + f"{a['value']:g}:{a['tolerance']:g}"
                + _fb(a["feedback"])
                for a in value["answers"]
            ]
            if value["other_feedback"]:
                parts.append("~#" + _g(value["other_feedback"]))
            return "#" + " ".join(parts)
        case "matching":
            parts = [f"={_g(p['prompt'])} -> {_g(p['answer'])}" for p in value["pairs"]]
            parts += [f"= -> {_g(extra)}" for extra in value["extra_answers"]]
        case "essay":
            return ""
    return "\n".join(parts)


def export_gift(questions: Iterable[Question]) -> str:
    lines = ["// Exported question bank (GIFT)", ""]
    category = None
    for question in questions:
        kind = question.kind
        if kind in _NOT_IN_GIFT:
            lines += [f"// Not exported: “{question.title}”: {_NOT_IN_GIFT[kind]}.", ""]
            continue
        path = "/".join(part for part in (question.bank.name, question.category) if part)
        if path != category:
            lines += [f"$CATEGORY: $course$/top/{path}", ""]
            category = path
        value = question.answer[0].value
        body = _gift_answer(kind, value)
        if question.general_feedback:
            body += f"####{_g(question.general_feedback)}"
        stem = _g(" ".join(question.stem.split("\n")))
        lines += [f"::{_g(question.title)}::[html]{stem} {{", body, "}", ""]
    return "\n".join(lines)


def _text(parent: ET.Element, tag: str, text: str, *, html: bool = False) -> ET.Element:
    element = ET.SubElement(parent, tag, {"format": "html"} if html else {})
    ET.SubElement(element, "text").text = text
    return element


def _answer(parent, credit, text, feedback="", **extra) -> ET.Element:
    answer = ET.SubElement(parent, "answer", {"fraction": f"{credit:g}", "format": "plain_text"})
    ET.SubElement(answer, "text").text = text
    for tag, content in extra.items():
        ET.SubElement(answer, tag).text = content
    _text(answer, "feedback", feedback)
    return answer


_MOODLE_TYPES = {
    "single_choice": "multichoice",
    "multiple_response": "multichoice",
    "true_false": "truefalse",
    "short_answer": "shortanswer",
    "numerical": "numerical",
    "matching": "matching",
    "ordering": "ordering",
    "essay": "essay",
}


def _moodle_question(quiz: ET.Element, question: Question) -> None:
    kind = question.kind
    value = question.answer[0].value
    element = ET.SubElement(quiz, "question", {"type": _MOODLE_TYPES[kind]})
    _text(element, "name", question.title)
    _text(element, "questiontext", question.stem, html=True)
    _text(element, "generalfeedback", question.general_feedback)
    match kind:
        case "single_choice" | "multiple_response":
            ET.SubElement(element, "single").text = "true" if kind == "single_choice" else "false"
            for option in value["options"]:
                _answer(element, option["credit"], option["text"], option["feedback"])
        case "true_false":
            right = value["correct"] == "true"
            _answer(element, 100 if right else 0, "true", value["feedback_if_true"])
            _answer(element, 0 if right else 100, "false", value["feedback_if_false"])
        case "short_answer":
            ET.SubElement(element, "usecase").text = "1" if value["case_sensitive"] else "0"
            for answer in value["answers"]:
                _answer(element, answer["credit"], answer["text"], answer["feedback"])
        case "numerical":
            for answer in value["answers"]:
                _answer(
                    element,
                    answer["credit"],
                    f"{answer['value']:g}",
                    answer["feedback"],
                    tolerance=f"{answer['tolerance']:g}",
                )
            if value["other_feedback"]:
                _answer(element, 0, "*", value["other_feedback"])
        case "matching":
            pairs = [(p["prompt"], p["answer"]) for p in value["pairs"]]
            pairs += [("", extra) for extra in value["extra_answers"]]
            for prompt, answer in pairs:
                sub = _text(element, "subquestion", prompt)
                _text(sub, "answer", answer)
        case "ordering":
            for position, item in enumerate(value["items"], start=1):
                _answer(element, position, item)
        case "essay":
            rubric = "\n".join(
                f"- {c['criterion']} ({c['points']} points)" for c in value["rubric"]
            )
            guidance = "\n\n".join(part for part in (value["grader_guidance"], rubric) if part)
            _text(element, "graderinfo", guidance)
    competencies = list(question.competencies.all())
    if competencies:
        tags = ET.SubElement(element, "tags")
        for competency in competencies:
            _text(tags, "tag", competency.key)


def export_moodle_xml(questions: Iterable[Question]) -> bytes:
    quiz = ET.Element("quiz")
    category = None
    for question in questions:
        if question.kind in _NOT_IN_MOODLE:
            quiz.append(
                ET.Comment(f" Not exported: {question.title}: {_NOT_IN_MOODLE[question.kind]}. ")
            )
            continue
        path = "/".join(part for part in (question.bank.name, question.category) if part)
        if path != category:
            holder = ET.SubElement(quiz, "question", {"type": "category"})
            _text(holder, "category", f"$course$/top/{path}")
            category = path
        _moodle_question(quiz, question)
    ET.indent(quiz)
    return ET.tostring(quiz, encoding="utf-8", xml_declaration=True)
