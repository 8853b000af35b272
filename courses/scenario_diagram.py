"""Lays a scenario out as boxes and arrows for the SVG diagram trainers see in preview."""

from dataclasses import dataclass

from courses.choices import ScenarioOutcome
from courses.scenario_graph import ScenarioGraph, Step

BOX_WIDTH = 190
BOX_HEIGHT = 70
GAP_X = 36
GAP_Y = 64
MARGIN = 20
LINE_CHARS = 30


@dataclass(frozen=True)
class Box:
    step: Step
    x: int
    y: int
    lines: tuple[tuple[int, str], ...]  # (baseline y, text) of the customer's words
    is_start: bool

    @property
    def outcome_label(self) -> str:
        return ScenarioOutcome(self.step.outcome).label if self.step.outcome else ""


@dataclass(frozen=True)
class Arrow:
    x1: int
    y1: int
    x2: int
    y2: int
    label: str
    title: str


@dataclass(frozen=True)
class Diagram:
    width: int
    height: int
    boxes: list[Box]
    arrows: list[Arrow]
    outcomes: list[tuple[str, str]]


def _snippet(text: str) -> tuple[str, ...]:
    """The customer's line cut to two short lines for a box."""
    words, lines, current = text.split(), [], ""
    for word in words:
        if current and len(current) + len(word) + 1 > LINE_CHARS:
            lines.append(current)
            current = word
            if len(lines) == 2:
                break
        else:
            current = f"{current} {word}".strip()
    else:
        lines.append(current)
        return tuple(line for line in lines if line)
    lines[-1] = lines[-1].rstrip(".,;:") + "…"
    return tuple(lines)


def scenario_diagram(graph: ScenarioGraph) -> Diagram:
    """Rows by how far into the conversation a step can come; endings carry their outcome."""
    depths = graph.depths()
    rows: dict[int, list[Step]] = {}
    seen = set()
    for step in graph.steps:
        if step.key in seen:
            continue  # a duplicate key is shown by the editor's error, not drawn twice
        seen.add(step.key)
        rows.setdefault(depths[step.key], []).append(step)
    widest = max((len(row) for row in rows.values()), default=1)
    width = 2 * MARGIN + widest * BOX_WIDTH + (widest - 1) * GAP_X
    boxes: dict[str, Box] = {}
    for depth, row in sorted(rows.items()):
        row_width = len(row) * BOX_WIDTH + (len(row) - 1) * GAP_X
        left = (width - row_width) // 2
        for n, step in enumerate(row):
            boxes[step.key] = Box(
                step=step,
                x=left + n * (BOX_WIDTH + GAP_X),
                y=(top := MARGIN + depth * (BOX_HEIGHT + GAP_Y)),
                lines=tuple(
                    (top + 36 + 14 * n, line) for n, line in enumerate(_snippet(step.customer_line))
                ),
                is_start=graph.start is not None and step.key == graph.start.key,
            )
    arrows = []
    for box in boxes.values():
        choices = box.step.choices
        for number, choice in enumerate(choices, start=1):
            target = boxes.get(choice.next_step)
            if target is None or target is box:
                continue
            # Spread the arrows leaving one box along its bottom edge.
            start_x = box.x + BOX_WIDTH * number // (len(choices) + 1)
            arrows.append(
                Arrow(
                    x1=start_x,
                    y1=box.y + BOX_HEIGHT,
                    x2=target.x + BOX_WIDTH // 2,
                    y2=target.y - 4,
                    label=str(number),
                    title=f"{box.step.key}, choice {number}: {choice.line}",
                )
            )
    height = 2 * MARGIN + (max(rows, default=0) + 1) * (BOX_HEIGHT + GAP_Y) - GAP_Y
    return Diagram(
        width=width,
        height=height,
        boxes=list(boxes.values()),
        arrows=arrows,
        outcomes=list(ScenarioOutcome.choices),
    )
