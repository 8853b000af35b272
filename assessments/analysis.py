"""Item analysis from graded answers: pure code over plain rows.

Facility is the mean mark on a question as a percentage. Discrimination is the
correlation (times 100) between the mark on the question and the mark on the rest of
the attempt, as Moodle reports it: strong candidates should do better on a good question.
"""

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

MIN_SAMPLE = 5


@dataclass(frozen=True)
class AnswerRow:
    attempt_id: int
    question_id: int
    fraction: float
    answer: object
    kind: str


@dataclass
class ItemStats:
    question_id: int
    kind: str
    count: int
    facility: float | None
    discrimination: float | None
    picks: dict[int, int] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)


def _correlation(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    n = len(xs)
    if n < 2:
        return None
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    cov = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    var_x = sum((x - mean_x) ** 2 for x in xs)
    var_y = sum((y - mean_y) ** 2 for y in ys)
    if var_x == 0 or var_y == 0:
        return None
    return cov / math.sqrt(var_x * var_y)


def _picks(kind: str, answers: Iterable) -> dict[int, int]:
    counts: dict[int, int] = defaultdict(int)
    for answer in answers:
        if answer is None:
            continue
        if kind == "single_choice":
            counts[answer] += 1
        elif kind == "multiple_response":
            for index in answer:
                counts[index] += 1
        elif kind == "true_false":
            counts[int(bool(answer))] += 1
    return dict(counts)


def item_statistics(
    rows: Sequence[AnswerRow], wrong_options: dict[int, dict[int, str]] | None = None
) -> list[ItemStats]:
    """Statistics per question. ``wrong_options`` gives, per question, the options that
    earn no credit (index to text), so a distractor nobody picks can be flagged."""
    totals: dict[int, list[float]] = defaultdict(lambda: [0.0, 0])
    for row in rows:
        totals[row.attempt_id][0] += row.fraction
        totals[row.attempt_id][1] += 1
    by_question: dict[int, list[AnswerRow]] = defaultdict(list)
    for row in rows:
        by_question[row.question_id].append(row)
    stats = []
    for question_id, answers in by_question.items():
        marks = [row.fraction for row in answers]
        rest = []
        for row in answers:
            earned, count = totals[row.attempt_id]
            rest.append((earned - row.fraction) / (count - 1) if count > 1 else 0.0)
        correlation = _correlation(marks, rest)
        kind = answers[0].kind
        item = ItemStats(
            question_id=question_id,
            kind=kind,
            count=len(answers),
            facility=100 * sum(marks) / len(marks),
            discrimination=None if correlation is None else 100 * correlation,
            picks=_picks(kind, (row.answer for row in answers)),
        )
        if item.count >= MIN_SAMPLE:
            if item.discrimination is not None and item.discrimination < 0:
                item.flags.append("Negative discrimination: stronger candidates do worse on it.")
            if item.facility == 0:
                item.flags.append("Nobody gets it right: check the answer key.")
            for index, text in (wrong_options or {}).get(question_id, {}).items():
                if not item.picks.get(index):
                    quoted = text if text.startswith("“") else f"“{text}”"
                    item.flags.append(f"Nobody picks the distractor {quoted}.")
        stats.append(item)
    return sorted(stats, key=lambda item: item.question_id)


@dataclass
class SectionStats:
    policy_id: int
    section_key: str
    questions: int
    count: int
    facility: float


def section_statistics(
    rows: Iterable[tuple[int | None, Sequence[str], int, float]],
) -> list[SectionStats]:
    """Facility per policy section from (policy id, section keys, question id, mark) rows."""
    marks: dict[tuple[int, str], list[float]] = defaultdict(list)
    questions: dict[tuple[int, str], set[int]] = defaultdict(set)
    for policy_id, keys, question_id, fraction in rows:
        if policy_id is None:
            continue
        for key in keys:
            marks[(policy_id, key)].append(fraction)
            questions[(policy_id, key)].add(question_id)
    return [
        SectionStats(
            policy_id=policy_id,
            section_key=key,
            questions=len(questions[(policy_id, key)]),
            count=len(values),
            facility=100 * sum(values) / len(values),
        )
        for (policy_id, key), values in sorted(marks.items())
    ]
