"""How each kind of question is marked, and how marks add up to a result: pure code.

Every function returns the fraction of the question's marks earned, from 0 to 1. Answers
arrive as the learner's stored response; nothing here trusts a score from a client.
"""

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

_SPACES = re.compile(r"\s+")


def _clip(value: float) -> float:
    return max(0.0, min(1.0, value))


def grade_single_choice(fractions: Sequence[float], chosen: int | None) -> float:
    """``fractions`` gives each option's credit (1 for the right one)."""
    if chosen is None or not 0 <= chosen < len(fractions):
        return 0.0
    return _clip(fractions[chosen])


def grade_multiple_response(fractions: Sequence[float], chosen: Iterable[int]) -> float:
    """Credit for each right option picked, less a penalty for each wrong one.

    A wrong option carries its own negative fraction where the author set one; otherwise
    it costs as much as one right option earns, so ticking everything never pays.
    """
    right = [f for f in fractions if f > 0]
    if not right:
        return 0.0
    default_penalty = -1 / len(right)
    total = 0.0
    for index in set(chosen):
        if not 0 <= index < len(fractions):
            continue
        fraction = fractions[index]
        total += fraction if fraction != 0 else default_penalty
    return _clip(total)


def grade_true_false(correct: bool, answer: bool | None) -> float:
    return 1.0 if answer is not None and answer == correct else 0.0


def grade_matching(correct: Sequence[int], given: Sequence[int | None]) -> float:
    """``correct[i]`` is the answer that belongs to prompt ``i``; each pair earns a share."""
    if not correct:
        return 0.0
    hits = sum(1 for i, answer in enumerate(correct) if i < len(given) and given[i] == answer)
    return hits / len(correct)


def _longest_common_subsequence(a: Sequence[int], b: Sequence[int]) -> int:
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b):
            current.append(previous[j] + 1 if x == y else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1]


def grade_ordering(correct: Sequence[int], given: Sequence[int]) -> float:
    """Credit for the longest run of items kept in the right relative order, so one item
    out of place costs one item, not everything after it."""
    if len(correct) < 2 or sorted(given) != sorted(correct):
        return 0.0
    kept = _longest_common_subsequence(correct, given)
    return (kept - 1) / (len(correct) - 1)


def normalise_text(text: str, *, case_sensitive: bool = False) -> str:
    text = _SPACES.sub(" ", text).strip()
    return text if case_sensitive else text.casefold()


def grade_short_answer(
    accepted: Sequence[tuple[str, float]], answer: str, *, case_sensitive: bool = False
) -> float:
    """The best credit among the accepted answers that match, ignoring extra spaces and,
    unless told otherwise, letter case. As in Moodle, ``*`` in an accepted answer stands
    for any run of characters, so a lone ``*`` catches every other answer."""
    given = normalise_text(answer or "", case_sensitive=case_sensitive)
    if not given:
        return 0.0
    matches = [
        fraction
        for text, fraction in accepted
        if _accepted_pattern(normalise_text(text, case_sensitive=case_sensitive)).fullmatch(given)
    ]
    return _clip(max(matches, default=0.0))


def _accepted_pattern(text: str) -> re.Pattern[str]:
    return re.compile(".*".join(re.escape(piece) for piece in text.split("*")), re.DOTALL)


def parse_number(answer: str) -> float | None:
    """A number as people type it: spaces and thousands commas allowed, a lone comma taken
    as the decimal point."""
    text = (answer or "").strip().replace(" ", "")
    if text.count(",") == 1 and "." not in text and len(text.split(",")[1]) != 3:
        text = text.replace(",", ".")
    text = text.replace(",", "")
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def grade_numerical(answers: Sequence[tuple[float, float, float]], answer: str) -> float:
    """``answers`` are (value, tolerance, fraction); the best one the number falls within."""
    number = parse_number(answer)
    if number is None:
        return 0.0
    hits = [
        fraction
        for value, tolerance, fraction in answers
        if abs(number - value) <= abs(tolerance) + 1e-9
    ]
    return _clip(max(hits, default=0.0))


def grade_ranking(expert: Sequence[int], given: Sequence[int]) -> float:
    """Situational judgement: the learner ranks the responses; credit falls with the total
    distance of each response from its place in the expert ranking."""
    n = len(expert)
    if n < 2 or sorted(given) != sorted(expert):
        return 0.0
    place = {item: position for position, item in enumerate(given)}
    distance = sum(abs(place[item] - position) for position, item in enumerate(expert))
    worst = n * n // 2  # the largest total displacement a ranking of n items can have
    return 1 - distance / worst


@dataclass(frozen=True)
class ItemMark:
    """One question's marks in an attempt."""

    earned: float
    available: float
    competencies: tuple[str, ...] = ()


@dataclass(frozen=True)
class AttemptResult:
    percent: float
    by_competency: dict[str, float]
    passed: bool
    shortfalls: list[str] = field(default_factory=list)


def attempt_result(
    items: Sequence[ItemMark],
    *,
    pass_percent: float,
    competency_minimums: dict[str, float] | None = None,
    names: dict[str, str] | None = None,
) -> AttemptResult:
    """Overall and per-competency percentages, and whether they meet the pass mark.
    ``names`` gives competencies' display names for the shortfall messages."""
    available = sum(item.available for item in items)
    earned = sum(item.earned for item in items)
    percent = 100 * earned / available if available else 0.0
    sums: dict[str, list[float]] = {}
    for item in items:
        for competency in item.competencies:
            pair = sums.setdefault(competency, [0.0, 0.0])
            pair[0] += item.earned
            pair[1] += item.available
    by_competency = {
        competency: (100 * got / out if out else 0.0) for competency, (got, out) in sums.items()
    }
    shortfalls = []
    if percent + 1e-9 < pass_percent:
        shortfalls.append(f"{pass_percent:g}% overall (you scored {percent:.0f}%)")
    for competency, minimum in (competency_minimums or {}).items():
        got = by_competency.get(competency, 0.0)
        if got + 1e-9 < minimum:
            name = (names or {}).get(competency, competency)
            shortfalls.append(f"{minimum:g}% in {name} (you scored {got:.0f}%)")
    return AttemptResult(
        percent=percent, by_competency=by_competency, passed=not shortfalls, shortfalls=shortfalls
    )
