"""A small line chart drawn on the server as SVG, readable without colour: each line has
its own dash pattern and marker shape, and is named at its end."""

import datetime
from dataclasses import dataclass, field

from django.utils.dateformat import format as date_format

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 44, 170, 16, 36
COLOURS = ("#1d4ed8", "#b45309", "#047857", "#9d174d", "#4338ca", "#374151", "#0e7490")
DASHES = ("", "6 4", "2 3", "10 3 2 3", "1 5", "12 6", "4 2 1 2")
MARKERS = ("circle", "square", "triangle", "diamond", "cross", "circle", "square")


@dataclass
class Line:
    name: str
    colour: str
    dash: str
    marker: str
    points: list[tuple[float, float, int]] = field(default_factory=list)  # x, y, value
    label_y: str = ""
    last: int | None = None

    @property
    def path(self) -> str:
        """The polyline through the known points; a gap where a month has no data."""
        parts, pen_down = [], False
        for x, y, value in self.points:
            if value is None:
                pen_down = False
                continue
            parts.append(f"{'L' if pen_down else 'M'}{x:.1f},{y:.1f}")
            pen_down = True
        return " ".join(parts)

    @property
    def plotted(self) -> list[tuple[float, float, int]]:
        return [point for point in self.points if point[2] is not None]

    @property
    def markers(self) -> list[tuple[str, int]]:
        """An SVG path for the marker at each known point, with its value."""
        return [(_marker(self.marker, x, y), value) for x, y, value in self.plotted]


def _marker(shape: str, x: float, y: float) -> str:
    if shape == "square":
        return f"M{x - 3.5:.1f},{y - 3.5:.1f} h7 v7 h-7 z"
    if shape == "triangle":
        return f"M{x:.1f},{y - 4.5:.1f} l4.5,8 h-9 z"
    if shape == "diamond":
        return f"M{x:.1f},{y - 5:.1f} l5,5 l-5,5 l-5,-5 z"
    if shape == "cross":
        return f"M{x - 4:.1f},{y - 1.5:.1f} h8 v3 h-8 z M{x - 1.5:.1f},{y - 4:.1f} h3 v8 h-3 z"
    return f"M{x - 3.5:.1f},{y:.1f} a3.5,3.5 0 1,0 7,0 a3.5,3.5 0 1,0 -7,0 z"


@dataclass
class LineChart:
    title: str
    lines: list[Line]
    x_ticks: list[tuple[str, str]]
    y_ticks: list[tuple[str, str]]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    top: int = TOP
    plot_right: int = WIDTH - RIGHT
    plot_bottom: int = HEIGHT - BOTTOM
    tick_x: int = LEFT - 6
    tick_y: int = HEIGHT - BOTTOM + 18
    label_x: int = WIDTH - RIGHT + 8

    @property
    def empty(self) -> bool:
        return not any(line.plotted for line in self.lines)


def _y(percent: float) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - percent / 100)


def _spread(wanted: list[float], gap: float = 13.0) -> list[float]:
    """Label positions near the wanted heights, at least ``gap`` apart."""
    order = sorted(range(len(wanted)), key=lambda i: wanted[i])
    placed = [0.0] * len(wanted)
    floor = TOP
    for index in order:
        placed[index] = max(wanted[index], floor)
        floor = placed[index] + gap
    return placed


def line_chart(
    *, days: list[datetime.date], series: dict[str, list[int | None]], title: str
) -> LineChart:
    """Percent (0-100) against month ends, one line per series."""
    span = max(len(days) - 1, 1)
    plot_width = WIDTH - LEFT - RIGHT

    def x(index: int) -> float:
        return LEFT + plot_width * index / span

    lines = []
    for number, (name, values) in enumerate(series.items()):
        line = Line(
            name=name,
            colour=COLOURS[number % len(COLOURS)],
            dash=DASHES[number % len(DASHES)],
            marker=MARKERS[number % len(MARKERS)],
            points=[
                (x(i), _y(value) if value is not None else 0.0, value)
                for i, value in enumerate(values)
            ],
        )
        known = line.plotted
        line.last = known[-1][2] if known else None
        lines.append(line)
    for line, label_y in zip(
        lines,
        _spread([line.plotted[-1][1] + 4 if line.plotted else TOP for line in lines]),
        strict=True,
    ):
        line.label_y = f"{label_y:.1f}"
    return LineChart(
        title=title,
        lines=lines,
        x_ticks=[(f"{x(i):.1f}", date_format(day, "M y")) for i, day in enumerate(days)],
        y_ticks=[(f"{_y(percent):.1f}", f"{percent}%") for percent in (0, 25, 50, 75, 100)],
    )
