"""Interleaved timing of a target against a baseline, reported as median ratios."""

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection
from django.test.utils import CaptureQueriesContext


@dataclass
class Result:
    name: str
    ratios: list[float]
    target_queries: int
    baseline_queries: int
    target_seconds: float

    @property
    def median(self) -> float:
        return statistics.median(self.ratios)

    def line(self) -> str:
        return (
            f"{self.name:<44} {self.median:>8.2f}x  "
            f"[{min(self.ratios):.2f}-{max(self.ratios):.2f}]  "
            f"{self.target_seconds * 1000:>8.2f} ms  "
            f"{self.target_queries:>4} q / {self.baseline_queries:>2} q"
        )


HEADER = (
    f"{'benchmark':<44} {'median':>9}  {'min-max':<13} {'target':>8}     queries (target / base)"
)


def count_queries(action: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as captured:
        action()
    return len(captured.captured_queries)


def timed(action: Callable[[], object], iterations: int) -> float:
    start = time.perf_counter()
    for _ in range(iterations):
        action()
    return (time.perf_counter() - start) / iterations


def compare(
    name: str,
    target: Callable[[], object],
    baseline: Callable[[], object],
    *,
    rounds: int = 7,
    iterations: int = 10,
) -> Result:
    """Time target and baseline alternately, round by round, after a warm-up of each.

    Interleaving means a slow patch of the machine hits both sides alike, so the ratio
    stays meaningful where absolute times would not.
    """
    for _ in range(2):
        target()
        baseline()
    ratios, target_times = [], []
    for _ in range(rounds):
        base = timed(baseline, iterations)
        took = timed(target, iterations)
        ratios.append(took / base)
        target_times.append(took)
    return Result(
        name=name,
        ratios=ratios,
        target_queries=count_queries(target),
        baseline_queries=count_queries(baseline),
        target_seconds=statistics.median(target_times),
    )
