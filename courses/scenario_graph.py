"""The rules of a branching role-play, as pure code: its shape, what is wrong with it,
the best path through it, and how playing a choice changes a run. Pages, blocks and
the player build on these; nothing here touches the database."""

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

MIN_CHOICES = 2
MAX_CHOICES = 4
MOOD_MIN = 1
MOOD_MAX = 6


@dataclass(frozen=True)
class Choice:
    line: str
    next_step: str
    scores: dict[str, int] = field(default_factory=dict)
    mood_change: int = 0
    id: str = ""
    feedback: str = ""
    policy_id: int | None = None
    section_key: str = ""

    @property
    def total(self) -> int:
        return sum(self.scores.values())


@dataclass(frozen=True)
class Step:
    key: str
    choices: tuple[Choice, ...] = ()
    outcome: str = ""
    customer_line: str = ""
    narration: str = ""
    debrief: str = ""

    @property
    def is_ending(self) -> bool:
        return not self.choices

    def choice(self, choice_id: str) -> Choice | None:
        return next((c for c in self.choices if c.id == choice_id), None)

    @property
    def best_total(self) -> int | None:
        return max((c.total for c in self.choices), default=None)


@dataclass(frozen=True)
class GraphProblem:
    """Something wrong with the scenario, attached to the step it concerns (or none).

    ``field`` names the part of the step at fault (``key``, ``outcome``, ``choices``, or
    ``next_step`` of the choice at ``choice_index``); empty means the step as a whole.
    """

    step_key: str
    message: str
    field: str = ""
    choice_index: int | None = None
    step_index: int | None = None


class ChoiceNotOffered(ValueError):
    """The choice is not one of those the current step offers."""


@dataclass(frozen=True)
class RunState:
    """Where a play-through stands: the current step, the customer's mood, the scores
    so far and the path as (step key, choice id) pairs."""

    step_key: str
    mood: int
    scores: dict[str, int]
    path: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class PassRule:
    """Any combination of a minimum total, minimums per competency and the endings that
    count as a pass. With nothing set, reaching any ending passes."""

    min_total: int | None = None
    competency_minimums: dict[str, int] = field(default_factory=dict)
    required_outcomes: tuple[str, ...] = ()

    def shortfalls(
        self, *, scores: dict[str, int], outcome: str, names: dict[str, str] | None = None
    ) -> list[str]:
        """Why a finished run did not pass, in words; empty when it passed. ``names``
        gives competencies their display names."""
        reasons = []
        total = sum(scores.values())
        if self.min_total is not None and total < self.min_total:
            reasons.append(f"a total of at least {self.min_total} (you scored {total})")
        for competency, minimum in self.competency_minimums.items():
            if scores.get(competency, 0) < minimum:
                name = (names or {}).get(competency, competency)
                reasons.append(f"at least {minimum} in {name.lower()}")
        if self.required_outcomes and outcome not in self.required_outcomes:
            reasons.append("an ending of the kind this scenario requires")
        return reasons


def mood_after(mood: int, change: int) -> int:
    return max(MOOD_MIN, min(MOOD_MAX, mood + change))


class ScenarioGraph:
    """Steps in the order the trainer wrote them; the first one is where play starts."""

    def __init__(self, steps: Iterable[Step]):
        self.steps = list(steps)
        self.by_key: dict[str, Step] = {}
        for step in self.steps:
            self.by_key.setdefault(step.key, step)

    @property
    def start(self) -> Step | None:
        return self.steps[0] if self.steps else None

    def problems(self) -> list[GraphProblem]:
        """Everything that stops the scenario being playable, in step order."""
        problems = []
        if not self.steps:
            return [GraphProblem("", "Add at least one step and one ending.")]
        seen: set[str] = set()
        for index, step in enumerate(self.steps):
            if step.key in seen:
                problems.append(
                    GraphProblem(
                        step.key,
                        f"Another step already uses the key “{step.key}”.",
                        "key",
                        step_index=index,
                    )
                )
            seen.add(step.key)
            problems.extend(replace(p, step_index=index) for p in self._step_problems(step))
        if not any(step.is_ending for step in self.steps):
            problems.append(
                GraphProblem("", "The scenario has no ending: add a step without choices.")
            )
        if any(p.field == "next_step" and "missing" in p.message for p in problems):
            return problems  # the walks below need every arrow to land somewhere
        first = {}
        for index, step in enumerate(self.steps):
            first.setdefault(step.key, index)
        problems.extend(
            replace(p, step_index=first.get(p.step_key)) for p in self._shape_problems()
        )
        return problems

    def _shape_problems(self) -> list[GraphProblem]:
        problems = []
        reachable = self._reachable()
        for step in self.steps:
            if step.key not in reachable:
                problems.append(
                    GraphProblem(step.key, "No path from the first step reaches this step.")
                )
        loop = self._loop()
        if loop:
            path = " → ".join(loop)
            problems.append(GraphProblem(loop[0], f"These steps form a loop: {path}."))
        ends = self._can_end()
        for step in self.steps:
            if step.key in reachable and step.key not in ends:
                problems.append(GraphProblem(step.key, "No path from this step reaches an ending."))
        return problems

    def _step_problems(self, step: Step) -> list[GraphProblem]:
        problems = []
        if step.is_ending:
            if not step.outcome:
                problems.append(GraphProblem(step.key, "An ending needs an outcome.", "outcome"))
            return problems
        if step.outcome:
            problems.append(
                GraphProblem(
                    step.key, "Only an ending (a step without choices) has an outcome.", "outcome"
                )
            )
        if not MIN_CHOICES <= len(step.choices) <= MAX_CHOICES:
            problems.append(
                GraphProblem(
                    step.key,
                    f"A step offers {MIN_CHOICES} to {MAX_CHOICES} choices; this one has "
                    f"{len(step.choices)}.",
                    "choices",
                )
            )
        for number, choice in enumerate(step.choices, start=1):
            if choice.next_step not in self.by_key:
                problems.append(
                    GraphProblem(
                        step.key,
                        f"Choice {number} leads to “{choice.next_step}”, a missing step.",
                        "next_step",
                        number - 1,
                    )
                )
            elif choice.next_step == step.key:
                problems.append(
                    GraphProblem(
                        step.key,
                        f"Choice {number} leads back to this step.",
                        "next_step",
                        number - 1,
                    )
                )
        return problems

    def _reachable(self) -> set[str]:
        reached, pending = set(), [self.start.key]
        while pending:
            key = pending.pop()
            if key in reached or key not in self.by_key:
                continue
            reached.add(key)
            pending.extend(choice.next_step for choice in self.by_key[key].choices)
        return reached

    def _can_end(self) -> set[str]:
        ends = {step.key for step in self.steps if step.is_ending}
        changed = True
        while changed:
            changed = False
            for step in self.steps:
                if step.key not in ends and any(c.next_step in ends for c in step.choices):
                    ends.add(step.key)
                    changed = True
        return ends

    def _loop(self) -> list[str]:
        """One cycle among the steps reachable from the start, as keys, or []."""
        state: dict[str, str] = {}
        trail: list[str] = []

        def visit(key: str) -> list[str]:
            state[key] = "open"
            trail.append(key)
            for choice in self.by_key[key].choices:
                nxt = choice.next_step
                if nxt == key or nxt not in self.by_key:
                    continue  # reported as a step problem
                if state.get(nxt) == "open":
                    return [*trail[trail.index(nxt) :], nxt]
                if nxt not in state and (found := visit(nxt)):
                    return found
            state[key] = "done"
            trail.pop()
            return []

        return visit(self.start.key) if self.start else []

    def best_path(self) -> list[tuple[Step, Choice | None]]:
        """The path from the start with the highest total score (ties: the earlier choice).

        Only meaningful for a graph without problems, which is acyclic.
        """
        best: dict[str, tuple[int, list]] = {}

        def walk(key: str) -> tuple[int, list]:
            if key in best:
                return best[key]
            step = self.by_key[key]
            if step.is_ending:
                best[key] = (0, [(step, None)])
                return best[key]
            options = []
            for choice in step.choices:
                score, rest = walk(choice.next_step)
                options.append((choice.total + score, [(step, choice), *rest]))
            best[key] = max(options, key=lambda option: option[0])
            return best[key]

        return walk(self.start.key)[1]

    def best_choice_ids(self) -> set[str]:
        """Every choice that scores as well as the best one offered at its step."""
        return {
            choice.id
            for step in self.steps
            for choice in step.choices
            if choice.total == step.best_total
        }

    def depths(self) -> dict[str, int]:
        """How many choices the longest path from the start takes to reach each step;
        steps no path reaches come after the deepest. Lays out the diagram."""
        depth: dict[str, int] = {}
        if self.start is None:
            return depth
        order = self._topological_order()
        if order is None:  # a loop: fall back to the shortest distance
            pending, depth[self.start.key] = [self.start.key], 0
            while pending:
                key = pending.pop(0)
                for choice in self.by_key[key].choices:
                    if choice.next_step in self.by_key and choice.next_step not in depth:
                        depth[choice.next_step] = depth[key] + 1
                        pending.append(choice.next_step)
        else:
            depth[self.start.key] = 0
            for key in order:
                if key not in depth:
                    continue
                for choice in self.by_key[key].choices:
                    if choice.next_step in self.by_key:
                        depth[choice.next_step] = max(
                            depth.get(choice.next_step, 0), depth[key] + 1
                        )
        last = max(depth.values(), default=-1) + 1
        for step in self.steps:
            depth.setdefault(step.key, last)
        return depth

    def _topological_order(self) -> list[str] | None:
        incoming = dict.fromkeys(self.by_key, 0)
        for step in self.by_key.values():
            for choice in step.choices:
                if choice.next_step in incoming and choice.next_step != step.key:
                    incoming[choice.next_step] += 1
        ready = [key for key in self.by_key if incoming[key] == 0]
        order = []
        while ready:
            key = ready.pop(0)
            order.append(key)
            for choice in self.by_key[key].choices:
                if choice.next_step in incoming and choice.next_step != key:
                    incoming[choice.next_step] -= 1
                    if incoming[choice.next_step] == 0:
                        ready.append(choice.next_step)
        return order if len(order) == len(self.by_key) else None

    # Playing. A run only ever moves through these two functions.

    def start_state(self, *, mood: int) -> RunState:
        return RunState(step_key=self.start.key, mood=mood_after(mood, 0), scores={})

    def choose(self, state: RunState, choice_id: str) -> tuple[RunState, Choice]:
        """The run after the current step's choice ``choice_id``; raises ChoiceNotOffered."""
        step = self.by_key[state.step_key]
        choice = step.choice(choice_id) if choice_id else None
        if choice is None:
            raise ChoiceNotOffered(f"Step “{step.key}” offers no such choice.")
        scores = dict(state.scores)
        for competency, points in choice.scores.items():
            scores[competency] = scores.get(competency, 0) + points
        moved = replace(
            state,
            step_key=choice.next_step,
            mood=mood_after(state.mood, choice.mood_change),
            scores=scores,
            path=(*state.path, (step.key, choice.id)),
        )
        return moved, choice

    # Storage: the plain data a published scenario is frozen as.

    def to_data(self) -> list[dict]:
        return [
            {
                "key": step.key,
                "customer_line": step.customer_line,
                "narration": step.narration,
                "outcome": step.outcome,
                "debrief": step.debrief,
                "choices": [
                    {
                        "id": c.id,
                        "line": c.line,
                        "feedback": c.feedback,
                        "scores": dict(c.scores),
                        "mood_change": c.mood_change,
                        "policy_id": c.policy_id,
                        "section_key": c.section_key,
                        "next_step": c.next_step,
                    }
                    for c in step.choices
                ],
            }
            for step in self.steps
        ]

    @classmethod
    def from_data(cls, data: list[dict]) -> "ScenarioGraph":
        return cls(
            Step(
                key=step["key"],
                customer_line=step["customer_line"],
                narration=step["narration"],
                outcome=step["outcome"],
                debrief=step["debrief"],
                choices=tuple(Choice(**choice) for choice in step["choices"]),
            )
            for step in data
        )
