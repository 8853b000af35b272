"""Each kind of question as served in an attempt: what the learner is shown, how a posted
form becomes a stored answer, how that answer is marked, and what review may reveal.

Everything works from the answer block of the exact revision served and the option
order fixed when the attempt started. Forms name options by the place they were shown
in, never by their place in the answer key, so the markup says nothing about which
option is right.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from assessments import grading

SHUFFLED_KINDS = {
    "single_choice",
    "multiple_response",
    "matching",
    "ordering",
    "situational_judgement",
}
RANKED_KINDS = {"ordering", "situational_judgement"}
# Shown in key order, these would give their answers away, so they are always shuffled.
ALWAYS_SHUFFLED = RANKED_KINDS | {"matching"}
TEXT_LIMIT = 500
ESSAY_LIMIT = 20_000


class AnswerInvalid(ValueError):
    """A posted answer the question cannot take. ``tampered`` marks values no form of ours
    could have sent (an option that does not exist), as against a learner's slip."""

    def __init__(self, message: str, *, tampered: bool = False):
        super().__init__(message)
        self.tampered = tampered


@dataclass
class Shown:
    """One question as the learner sees it: texts only, never credits or feedback."""

    kind: str
    name: str
    options: list[tuple[int, str]] = field(default_factory=list)
    prompts: list[tuple[int, str, int | None]] = field(default_factory=list)
    ranked: list[tuple[int, str, int | None]] = field(default_factory=list)
    places: list[int] = field(default_factory=list)
    selected: object = None


def option_count(kind: str, value) -> int:
    """How many things are shuffled for this kind (0 when nothing is)."""
    match kind:
        case "single_choice" | "multiple_response":
            return len(value["options"])
        case "matching":
            return len(value["pairs"]) + len(value["extra_answers"])
        case "ordering":
            return len(value["items"])
        case "situational_judgement":
            return len(value["responses"])
    return 0


def _texts(kind: str, value) -> list[str]:
    match kind:
        case "single_choice" | "multiple_response":
            return [option["text"] for option in value["options"]]
        case "matching":
            return [pair["answer"] for pair in value["pairs"]] + list(value["extra_answers"])
        case "ordering":
            return list(value["items"])
        case "situational_judgement":
            return [response["text"] for response in value["responses"]]
    return []


def shown(kind: str, value, order: list[int], answer, name: str) -> Shown:
    """The question's parts in the order served, with the stored answer mapped to places."""
    texts = _texts(kind, value)
    place = {original: index for index, original in enumerate(order)}
    result = Shown(kind=kind, name=name, options=[(i, texts[o]) for i, o in enumerate(order)])
    match kind:
        case "single_choice":
            result.selected = place.get(answer) if answer is not None else None
        case "multiple_response":
            result.selected = {place[o] for o in answer or [] if o in place}
        case "true_false":
            result.selected = answer
        case "matching":
            given = list(answer or [])
            given += [None] * (len(value["pairs"]) - len(given))
            result.prompts = [
                (i, pair["prompt"], place.get(given[i]) if given[i] is not None else None)
                for i, pair in enumerate(value["pairs"])
            ]
        case "ordering" | "situational_judgement":
            ranks = {original: rank for rank, original in enumerate(answer or [], start=1)}
            result.ranked = [(i, texts[o], ranks.get(o)) for i, o in enumerate(order)]
            result.places = list(range(1, len(order) + 1))
        case _:
            result.selected = answer or ""
    return result


def shown_as_posted(kind: str, value, order: list[int], data: Mapping, name: str) -> Shown:
    """The question's parts with the form values a learner posted put back as they were,
    even those ``read_answer`` refused, so a page that was not saved loses nothing typed.
    Values no form of ours could have sent are shown as not chosen."""

    def place(raw) -> int | None:
        try:
            index = int(raw)
        except (TypeError, ValueError):
            return None
        return index if 0 <= index < len(order) else None

    result = shown(kind, value, order, None, name)
    match kind:
        case "single_choice":
            result.selected = place(data.get(name, ""))
        case "multiple_response":
            result.selected = {place(raw) for raw in data.getlist(name)} - {None}
        case "true_false":
            result.selected = {"true": True, "false": False}.get(data.get(name, ""))
        case "matching":
            result.prompts = [
                (i, prompt, place(data.get(f"{name}-{i}", ""))) for i, prompt, _ in result.prompts
            ]
        case "ordering" | "situational_judgement":
            result.ranked = [
                (i, text, _rank(data.get(f"{name}-{i}", ""), len(order)))
                for i, text, _ in result.ranked
            ]
        case _:
            result.selected = data.get(name, "")
    return result


def _rank(raw: str, count: int) -> int | None:
    try:
        number = int(raw)
    except (TypeError, ValueError):
        return None
    return number if 1 <= number <= count else None


def _index(raw: str, limit: int) -> int:
    try:
        index = int(raw)
    except (TypeError, ValueError):
        raise AnswerInvalid("That option is not part of this question.", tampered=True) from None
    if not 0 <= index < limit:
        raise AnswerInvalid("That option is not part of this question.", tampered=True)
    return index


def _part_count(kind: str, value, order: list[int]) -> int | None:
    """How many numbered fields (``name-0``, ``name-1``...) a kind's form posts; None for
    the kinds posted under the bare name."""
    match kind:
        case "matching":
            return len(value["pairs"])
        case "ordering" | "situational_judgement":
            return len(order)
    return None


def _refuse_stray_fields(kind: str, value, order: list[int], data: Mapping, name: str) -> None:
    """Refuse fields for this question that its form could not have sent: a prompt or
    place that does not exist, a bare field for a kind posted in parts (or the reverse),
    and several values where the form sends one."""
    parts = _part_count(kind, value, order)
    prefix = f"{name}-"
    for key in data:
        if key == name:
            if parts is not None:
                raise AnswerInvalid("That answer is not part of this question.", tampered=True)
            if kind != "multiple_response" and len(data.getlist(key)) > 1:
                raise AnswerInvalid("Give one answer to this question.", tampered=True)
        elif key.startswith(prefix):
            suffix = key[len(prefix) :]
            if parts is None or suffix not in {str(part) for part in range(parts)}:
                raise AnswerInvalid("That answer is not part of this question.", tampered=True)
            if len(data.getlist(key)) > 1:
                raise AnswerInvalid("Give one answer for each part.", tampered=True)


def read_answer(kind: str, value, order: list[int], data: Mapping, name: str):
    """The stored answer (in answer-key terms) for a posted form, or None when blank.

    ``data`` is a QueryDict-like mapping with ``get`` and ``getlist``. Fields for this
    question that no form of ours could have sent are refused as tampered.
    """
    _refuse_stray_fields(kind, value, order, data, name)
    match kind:
        case "single_choice":
            raw = data.get(name, "")
            return order[_index(raw, len(order))] if raw != "" else None
        case "multiple_response":
            raws = data.getlist(name)
            return sorted({order[_index(raw, len(order))] for raw in raws}) or None
        case "true_false":
            raw = data.get(name, "")
            if raw == "":
                return None
            if raw not in {"true", "false"}:
                raise AnswerInvalid("Answer true or false.", tampered=True)
            return raw == "true"
        case "matching":
            given = []
            for prompt_index in range(len(value["pairs"])):
                raw = data.get(f"{name}-{prompt_index}", "")
                given.append(order[_index(raw, len(order))] if raw != "" else None)
            return given if any(item is not None for item in given) else None
        case "ordering" | "situational_judgement":
            return _read_ranking(order, data, name)
        case "short_answer" | "numerical":
            text = _text(data, name)
            if len(text) > TEXT_LIMIT:
                raise AnswerInvalid(f"Keep the answer under {TEXT_LIMIT} characters.")
            if kind == "numerical" and text and grading.parse_number(text) is None:
                raise AnswerInvalid("Enter a number in digits, such as 12 or 4.5.")
            return text or None
        case "essay":
            text = _text(data, name)
            if len(text) > ESSAY_LIMIT:
                raise AnswerInvalid(f"Keep the answer under {ESSAY_LIMIT:,} characters.")
            return text or None
    raise AnswerInvalid("This question cannot be answered.", tampered=True)


def _text(data: Mapping, name: str) -> str:
    text = data.get(name, "").strip()
    if "\x00" in text:
        # No keyboard types it, and the database cannot store it.
        raise AnswerInvalid("Remove the NUL character from the answer.")
    return text


def _read_ranking(order: list[int], data: Mapping, name: str) -> list[int] | None:
    count = len(order)
    ranks = [data.get(f"{name}-{place}", "") for place in range(count)]
    if all(rank == "" for rank in ranks):
        return None
    if any(rank == "" for rank in ranks):
        raise AnswerInvalid("Give every item a place, or leave them all blank.")
    numbers = [_index(rank, count + 1) for rank in ranks]
    if 0 in numbers:
        raise AnswerInvalid("That place is not part of this question.", tampered=True)
    if len(set(numbers)) != count:
        raise AnswerInvalid("Give each item a different place.")
    ranked = sorted(range(count), key=lambda place: numbers[place])
    return [order[place] for place in ranked]


def fraction(kind: str, value, answer) -> float | None:
    """The fraction of the marks an answer earns; None for an essay, which a trainer marks."""
    if kind == "essay":
        return None
    if answer is None:
        return 0.0
    match kind:
        case "single_choice":
            return grading.grade_single_choice(_fractions(value["options"]), answer)
        case "multiple_response":
            return grading.grade_multiple_response(_right_scaled(value["options"]), answer)
        case "true_false":
            return grading.grade_true_false(value["correct"] == "true", answer)
        case "matching":
            # By text: two prompts may share an answer, and either copy of it is right.
            texts = _texts(kind, value)
            right = [normalise(pair["answer"]) for pair in value["pairs"]]
            given = [normalise(texts[i]) if i is not None else None for i in answer]
            return grading.grade_matching(right, given)
        case "ordering":
            return grading.grade_ordering(list(range(len(value["items"]))), answer)
        case "situational_judgement":
            return grading.grade_ranking(list(range(len(value["responses"]))), answer)
        case "short_answer":
            accepted = [(item["text"], item["credit"] / 100) for item in value["answers"]]
            return grading.grade_short_answer(
                accepted, answer, case_sensitive=bool(value["case_sensitive"])
            )
        case "numerical":
            bands = [
                (item["value"], item["tolerance"], item["credit"] / 100)
                for item in value["answers"]
            ]
            return grading.grade_numerical(bands, answer)
    return 0.0


def _fractions(options) -> list[float]:
    return [option["credit"] / 100 for option in options]


def _right_scaled(options) -> list[float]:
    """Credits as fractions, the right ones scaled to add up to exactly 1: whole-percent
    credits such as 33 + 33 + 33 must still give full marks for all three."""
    right = sum(option["credit"] for option in options if option["credit"] > 0)
    return [
        option["credit"] / right if option["credit"] > 0 else option["credit"] / 100
        for option in options
    ]


def normalise(text: str) -> str:
    return grading.normalise_text(text)


def feedback(kind: str, value, answer) -> list[str]:
    """The feedback an answer earns (before the question's general feedback)."""
    notes: list[str] = []
    match kind:
        case "single_choice" | "multiple_response":
            picked = [answer] if kind == "single_choice" else answer or []
            notes = [value["options"][i]["feedback"] for i in picked if i is not None]
        case "true_false":
            if answer is not None:
                notes = [value["feedback_if_true" if answer else "feedback_if_false"]]
        case "short_answer":
            case_sensitive = bool(value["case_sensitive"])
            for item in value["answers"]:
                if grading.grade_short_answer(
                    [(item["text"], 1.0)], answer or "", case_sensitive=case_sensitive
                ):
                    notes = [item["feedback"]]
                    break
        case "numerical":
            number = grading.parse_number(answer or "")
            for item in value["answers"]:
                if number is not None and abs(number - item["value"]) <= item["tolerance"] + 1e-9:
                    notes = [item["feedback"]]
                    break
            else:
                notes = [value["other_feedback"]] if answer else []
        case "situational_judgement":
            notes = [response["feedback"] for response in value["responses"]]
    return [note for note in notes if note]


def _number(value: float) -> str:
    return f"{value:g}" if math.isfinite(value) else str(value)


def right_answer(kind: str, value) -> list[str]:
    """The right answer in words, for review once the options allow it."""
    match kind:
        case "single_choice":
            return [o["text"] for o in value["options"] if o["credit"] == 100]
        case "multiple_response":
            return [o["text"] for o in value["options"] if o["credit"] > 0]
        case "true_false":
            return ["True" if value["correct"] == "true" else "False"]
        case "matching":
            return [f"{pair['prompt']} → {pair['answer']}" for pair in value["pairs"]]
        case "ordering":
            return list(value["items"])
        case "situational_judgement":
            return [response["text"] for response in value["responses"]]
        case "short_answer":
            return [a["text"] for a in value["answers"] if a["credit"] == 100][:1]
        case "numerical":
            best = [a for a in value["answers"] if a["credit"] == 100][:1]
            return [
                _number(a["value"]) + (f" ± {_number(a['tolerance'])}" if a["tolerance"] else "")
                for a in best
            ]
        case "essay":
            return [criterion["criterion"] for criterion in value["rubric"]]
    return []


def given_answer(kind: str, value, answer) -> list[str]:
    """The learner's answer in words, for review."""
    if answer is None:
        return []
    texts = _texts(kind, value)
    match kind:
        case "single_choice":
            return [texts[answer]]
        case "multiple_response":
            return [texts[i] for i in answer]
        case "true_false":
            return ["True" if answer else "False"]
        case "matching":
            return [
                f"{pair['prompt']} → {texts[given] if given is not None else '(no answer)'}"
                for pair, given in zip(value["pairs"], answer, strict=False)
            ]
        case "ordering" | "situational_judgement":
            return [texts[i] for i in answer]
    return [str(answer)]


def best_answer(kind: str, value):
    """An answer earning full marks, in answer-key terms (None for an essay)."""
    match kind:
        case "single_choice":
            return next(i for i, o in enumerate(value["options"]) if o["credit"] == 100)
        case "multiple_response":
            return [i for i, o in enumerate(value["options"]) if o["credit"] > 0]
        case "true_false":
            return value["correct"] == "true"
        case "matching":
            return list(range(len(value["pairs"])))
        case "ordering" | "situational_judgement":
            return list(range(option_count(kind, value)))
        case "short_answer":
            return next(a["text"] for a in value["answers"] if a["credit"] == 100)
        case "numerical":
            return f"{next(a['value'] for a in value['answers'] if a['credit'] == 100):g}"
    return None


def form_fields(kind: str, order: list[int], answer, name: str) -> dict[str, list[str]]:
    """The form fields a browser posts for ``answer`` (answer-key terms): the inverse of
    ``read_answer``, for scripted learners such as the demo and the benchmarks."""
    if answer is None:
        return {}
    place = {original: index for index, original in enumerate(order)}
    match kind:
        case "single_choice":
            return {name: [str(place[answer])]}
        case "multiple_response":
            return {name: [str(place[index]) for index in answer]}
        case "true_false":
            return {name: ["true" if answer else "false"]}
        case "matching":
            return {f"{name}-{i}": [str(place[given])] for i, given in enumerate(answer)}
        case "ordering" | "situational_judgement":
            ranks = {original: number for number, original in enumerate(answer, start=1)}
            return {
                f"{name}-{shown}": [str(ranks[original])] for shown, original in enumerate(order)
            }
    return {name: [str(answer)]}
