"""Interleaved timing of a target against a baseline, reported as median ratios."""

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection
from django.test.utils import CaptureQueriesContext

from certificates.models import Certificate, CertificateVersion


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


def certificates_bulk_issue(
    *, users, course, version, prefix: str, issued_on, start: int = 0
) -> None:
    """A valid certificate on ``course`` naming ``version`` for each of ``users``, written
    in bulk: the thousands of holders a benchmark needs, without rendering anything."""

    certificates = Certificate.objects.bulk_create(
        (
            Certificate(
                serial=f"{prefix}-{start + n:06d}",
                code=f"{prefix.lower()}-{start + n:06d}",
                user=user,
                course=course,
                learner_name=user.email,
                course_title=course.title,
                version_set=str(version.pk),
                issued_on=issued_on,
            )
            for n, user in enumerate(users)
        ),
        batch_size=2000,
    )
    CertificateVersion.objects.bulk_create(
        (
            CertificateVersion(
                certificate=certificate,
                version=version,
                policy_title=version.title,
                label=version.label,
                content_hash=version.content_hash,
            )
            for certificate in certificates
        ),
        batch_size=2000,
    )
