"""The rules of a branching role-play, as pure code: its shape, what is wrong with it,
and the best path through it. Pages, blocks and the player build on these."""

from collections.abc import Iterable
from dataclasses import dataclass, field

MIN_CHOICES = 2
MAX_CHOICES = 4


@dataclass(frozen=True)
class Choice:
    line: str
    next_step: str
    scores: dict[str, int] = field(default_factory=dict)
    mood_change: int = 0

    @property
    def total(self) -> int:
        return sum(self.scores.values())


@dataclass(frozen=True)
class Step:
    key: str
    choices: tuple[Choice, ...] = ()
    outcome: str = ""

    @property
    def is_ending(self) -> bool:
        return not self.choices


@dataclass(frozen=True)
class GraphProblem:
    """Something wrong with the scenario, attached to the step it concerns (or none)."""

    step_key: str
    message: str


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
        for step in self.steps:
            if step.key in seen:
                problems.append(
                    GraphProblem(step.key, f"Another step already uses the key “{step.key}”.")
                )
            seen.add(step.key)
            problems.extend(self._step_problems(step))
        if not any(step.is_ending for step in self.steps):
            problems.append(
                GraphProblem("", "The scenario has no ending: add a step without choices.")
            )
        if any(p.message.startswith("Choice") and "missing" in p.message for p in problems):
            return problems  # the walks below need every arrow to land somewhere
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
                problems.append(GraphProblem(step.key, "An ending needs an outcome."))
            return problems
        if step.outcome:
            problems.append(
                GraphProblem(step.key, "Only an ending (a step without choices) has an outcome.")
            )
        if not MIN_CHOICES <= len(step.choices) <= MAX_CHOICES:
            problems.append(
                GraphProblem(
                    step.key,
                    f"A step offers {MIN_CHOICES} to {MAX_CHOICES} choices; this one has "
                    f"{len(step.choices)}.",
                )
            )
        for number, choice in enumerate(step.choices, start=1):
            if choice.next_step not in self.by_key:
                problems.append(
                    GraphProblem(
                        step.key,
                        f"Choice {number} leads to “{choice.next_step}”, a missing step.",
                    )
                )
            elif choice.next_step == step.key:
                problems.append(GraphProblem(step.key, f"Choice {number} leads back to this step."))
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
