"""Recertification benchmark: the fan-out after a material policy change for 10,000
certified staff, against a plain bulk_create of 10,000 assignment rows in the same run."""

import statistics
import time

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench.harness import certificates_bulk_issue
from certificates.choices import CertificateStatus
from certificates.models import Certificate
from cms.choices import ChangeKind
from learning.choices import AssignmentReason
from learning.models import Assignment, Employee
from learning.recertification import recertification_fan_out
from tests.cms.factories import DEFAULT_SECTIONS, publish_policy, revise, section
from tests.courses.factories import excerpt, make_course

STAFF = 10_000


def certified_staff(count: int):
    """``count`` people, each holding a valid certificate on version 1.0 of a policy,
    made in bulk; then the policy's material 2.0. Returns the new version."""
    policy = publish_policy(title="Bench Refunds", slug="bench-refunds")
    course = make_course(
        "Bench Recertification Course",
        policies=[policy],
        modules=[("Window", [excerpt(policy, "returns-window")])],
    )
    old_version = policy.current_version
    password = make_password(None)
    users = get_user_model().objects.bulk_create(
        get_user_model()(email=f"bench-staff-{n}@example.com", password=password)
        for n in range(count)
    )
    Employee.objects.bulk_create(
        Employee(user=user, employee_number=f"BENCH-R-{n}") for n, user in enumerate(users)
    )
    today = timezone.localdate()
    certificates_bulk_issue(
        users=users, course=course, version=old_version, prefix="BENCH-R", issued_on=today
    )
    policy = revise(
        policy,
        kind=ChangeKind.MATERIAL,
        summary="Forty-five days.",
        days=30,
        sections=[
            section("returns-window", "The returns window", "Within 45 days."),
            *DEFAULT_SECTIONS[1:],
        ],
    )
    return policy.current_version, course


def _reset(course) -> None:
    Assignment.objects.filter(course=course).delete()
    Certificate.objects.filter(course=course).update(
        status=CertificateStatus.VALID, recertification_due_on=None
    )


def run() -> list[str]:
    version, course = certified_staff(STAFF)
    employees = list(
        Employee.objects.filter(user__certificates__course=course).values_list("pk", flat=True)
    )
    ratios, fan_out_times = [], []
    for _ in range(3):
        _reset(course)
        start = time.perf_counter()
        progress = recertification_fan_out(version_id=version.pk)
        took = time.perf_counter() - start
        if progress.assignments != STAFF:
            raise RuntimeError(f"the fan-out assigned {progress.assignments}, not {STAFF}")
        _reset(course)
        now = timezone.now()
        start = time.perf_counter()
        with transaction.atomic():
            Assignment.objects.bulk_create(
                Assignment(
                    employee_id=pk,
                    course=course,
                    reason=AssignmentReason.RECERTIFICATION,
                    assigned_at=now,
                    due_date=now.date(),
                )
                for pk in employees
            )
        base = time.perf_counter() - start
        ratios.append(took / base)
        fan_out_times.append(took)
    _reset(course)
    with CaptureQueriesContext(connection) as queries:
        recertification_fan_out(version_id=version.pk)
    name = f"fan-out to {STAFF:,} staff vs bulk_create of {STAFF:,}"
    return [
        f"{name:<44} {statistics.median(ratios):>8.2f}x  "
        f"[{min(ratios):.2f}-{max(ratios):.2f}]  {statistics.median(fan_out_times):.2f} s, "
        f"{len(queries.captured_queries)} statements"
    ]
