"""Lays a scenario out as boxes and arrows for the SVG diagram trainers see in preview.

Steps sit on a grid: one row per layer (how far into the conversation a step can come),
columns shared by every row. The gaps between rows and between columns hold no box, so
every arrow runs in them: down from its step into the gap below, along it, down or up a
gap between columns when it has layers to skip (or to go back), and along the gap above
its target into the target's top. No arrow crosses a box on its way.
"""

from dataclasses import dataclass

from courses.choices import ScenarioOutcome
from courses.scenario_graph import ScenarioGraph, Step

VIEW_WIDTH = 1100  # the width the diagram is drawn for; the page scales it to fit
BOX_HEIGHT = 70
MIN_BOX_WIDTH = 170
MAX_BOX_WIDTH = 400
GAP_X = 64  # between columns: room for arrows passing down or up
GAP_Y = 72  # between rows: room for arrows passing across
MARGIN = 24
CHAR_WIDTH = 6.3  # of the 11px text in a box, on average
LANE = 7  # between arrows sharing a gap


@dataclass(frozen=True)
class Box:
    step: Step
    x: int
    y: int
    width: int
    lines: tuple[tuple[int, str], ...]  # (baseline y, text) of the customer's words
    is_start: bool

    @property
    def height(self) -> int:
        return BOX_HEIGHT

    @property
    def outcome_label(self) -> str:
        return ScenarioOutcome(self.step.outcome).label if self.step.outcome else ""


@dataclass(frozen=True)
class Arrow:
    points: tuple[tuple[int, int], ...]  # a polyline of horizontal and vertical runs
    label: str
    title: str
    source: str  # step keys
    target: str

    @property
    def path(self) -> str:
        return " ".join(f"{x},{y}" for x, y in self.points)

    @property
    def label_at(self) -> tuple[int, int]:
        x, y = self.points[0]
        return x + 3, y + 12


@dataclass(frozen=True)
class Diagram:
    width: int
    height: int
    boxes: list[Box]
    arrows: list[Arrow]
    outcomes: list[tuple[str, str]]


def _snippet(text: str, line_chars: int) -> tuple[str, ...]:
    """The customer's line cut to two short lines for a box."""
    words, lines, current = text.split(), [], ""
    for word in words:
        if current and len(current) + len(word) + 1 > line_chars:
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


def _columns(rows: dict[int, list[Step]], width: int) -> dict[str, int]:
    """A column for each step: a row's steps spread across the grid, ordered by where the
    steps leading to them sit, so arrows between neighbouring rows rarely cross."""
    column: dict[str, int] = {}
    parents: dict[str, list[str]] = {}
    for row in rows.values():
        for step in row:
            for choice in step.choices:
                parents.setdefault(choice.next_step, []).append(step.key)
    for _, row in sorted(rows.items()):
        placed = [column[p] for step in row for p in parents.get(step.key, ()) if p in column]
        middle = sum(placed) / len(placed) if placed else (width - 1) / 2

        def centre(step: Step, middle=middle) -> float:
            seen = [column[p] for p in parents.get(step.key, ()) if p in column]
            return sum(seen) / len(seen) if seen else middle

        ordered = sorted(row, key=centre)
        count = len(ordered)
        for n, step in enumerate(ordered):
            column[step.key] = round((n + 0.5) * width / count - 0.5)
    return column


class _Lanes:
    """Hands out distinct offsets within one gap, so arrows sharing it run side by side."""

    def __init__(self):
        self.used: dict[tuple, int] = {}

    def offset(self, gap: tuple, size: int) -> int:
        n = self.used.get(gap, 0)
        self.used[gap] = n + 1
        # 0, +1, -1, +2, -2 ... lanes from the middle of the gap, never past its edges.
        step = (n + 1) // 2 * (1 if n % 2 else -1)
        limit = size // 2 - 4
        return max(-limit, min(limit, step * LANE))


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
    grid_width = max((len(row) for row in rows.values()), default=1)
    # The outer gaps are as wide as the inner ones: arrows run there too.
    box_width = (VIEW_WIDTH - 2 * MARGIN - (grid_width + 1) * GAP_X) // grid_width
    box_width = max(MIN_BOX_WIDTH, min(MAX_BOX_WIDTH, box_width))
    used = grid_width * box_width + (grid_width - 1) * GAP_X
    width = max(VIEW_WIDTH, used + 2 * (MARGIN + GAP_X))
    left = (width - used) // 2
    line_chars = int((box_width - 20) / CHAR_WIDTH)
    column = _columns(rows, grid_width)
    top = MARGIN + GAP_Y  # the gap above the first row carries arrows going back up

    def x_of(col: int) -> int:
        return left + col * (box_width + GAP_X)

    def y_of(layer: int) -> int:
        return top + layer * (BOX_HEIGHT + GAP_Y)

    boxes: dict[str, Box] = {}
    for layer, row in sorted(rows.items()):
        for step in row:
            y = y_of(layer)
            boxes[step.key] = Box(
                step=step,
                x=x_of(column[step.key]),
                y=y,
                width=box_width,
                lines=tuple(
                    (y + 36 + 14 * n, line)
                    for n, line in enumerate(_snippet(step.customer_line, line_chars))
                ),
                is_start=graph.start is not None and step.key == graph.start.key,
            )

    # Where arrows leave a step (along its bottom) and arrive (along its top).
    incoming: dict[str, list[tuple[str, int]]] = {}
    for box in boxes.values():
        for number, choice in enumerate(box.step.choices, start=1):
            if choice.next_step in boxes and choice.next_step != box.step.key:
                incoming.setdefault(choice.next_step, []).append((box.step.key, number))

    def arrival_x(target: Box, source_key: str, number: int) -> int:
        arrivals = incoming[target.step.key]
        n = arrivals.index((source_key, number)) + 1
        return target.x + target.width * n // (len(arrivals) + 1)

    lanes = _Lanes()
    arrows = []
    for box in boxes.values():
        choices = box.step.choices
        layer = depths[box.step.key]
        for number, choice in enumerate(choices, start=1):
            target = boxes.get(choice.next_step)
            if target is None or target is box:
                continue
            target_layer = depths[target.step.key]
            start = (box.x + box.width * number // (len(choices) + 1), box.y + BOX_HEIGHT)
            end_x = arrival_x(target, box.step.key, number)
            below = box.y + BOX_HEIGHT + GAP_Y // 2 + lanes.offset(("row", layer), GAP_Y)
            if target_layer == layer + 1:
                points = [start, (start[0], below), (end_x, below), (end_x, target.y - 2)]
            else:
                # Skip rows (or go back up) in the gap between columns nearest the target.
                # Gap n runs left of column n; gap grid_width, right of the last column.
                col = column[target.step.key]
                if column[box.step.key] < col:
                    gap = col  # coming from the left: the gap left of the target
                elif column[box.step.key] > col:
                    gap = col + 1  # from the right: the gap right of it
                else:
                    gap = col + 1 if col < grid_width - 1 else col
                channel = x_of(gap) - GAP_X // 2 + lanes.offset(("column", gap), GAP_X)
                above = target.y - GAP_Y // 2 + lanes.offset(("row", target_layer - 1), GAP_Y)
                points = [
                    start,
                    (start[0], below),
                    (channel, below),
                    (channel, above),
                    (end_x, above),
                    (end_x, target.y - 2),
                ]
            arrows.append(
                Arrow(
                    points=tuple(_tidy(points)),
                    label=str(number),
                    title=f"{box.step.key}, choice {number}: {choice.line}",
                    source=box.step.key,
                    target=target.step.key,
                )
            )
    height = top + (max(rows, default=0) + 1) * (BOX_HEIGHT + GAP_Y) + MARGIN
    return Diagram(
        width=width,
        height=height,
        boxes=list(boxes.values()),
        arrows=arrows,
        outcomes=list(ScenarioOutcome.choices),
    )


def _tidy(points: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The polyline without repeated points or runs of zero length."""
    tidy = []
    for point in points:
        if not tidy or point != tidy[-1]:
            tidy.append(point)
    return tidy
