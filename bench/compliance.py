"""Compliance matrix benchmark: a generated organisation of 40 required courses, first
with 500 staff and then grown to 5,000. One page of the matrix is timed against /healthz
at both sizes (paginated work must not grow with the organisation), and so is HR's admin
home with its compliance summary, then the full CSV
export of 5,000 people by 40 courses."""

import datetime
import time

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from bench.harness import compare, count_queries
from certificates.choices import CertificateStatus
from certificates.models import Certificate
from learning.models import Assignment, Department, Employee
from tests.courses.factories import make_course

COURSES = 40
SMALL, LARGE = 500, 5_000
URL = "/admin/reports/compliance/"


def _grow(courses, departments, start: int, stop: int) -> None:
    """Staff ``start`` to ``stop``, each with every course in one of seven states."""
    now = timezone.now()
    today = timezone.localdate()
    password = make_password(None)
    users = get_user_model().objects.bulk_create(
        (
            get_user_model()(
                email=f"bench-org-{n}@example.com",
                first_name=f"Person{n}",
                last_name=f"Bench{n:05d}",
                password=password,
            )
            for n in range(start, stop)
        ),
        batch_size=2000,
    )
    employees = Employee.objects.bulk_create(
        (
            Employee(
                user=user,
                employee_number=f"BENCH-C-{start + n:05d}",
                department=departments[(start + n) % len(departments)],
            )
            for n, user in enumerate(users)
        ),
        batch_size=2000,
    )
    assignments, certificates = [], []
    for n, employee in enumerate(employees, start=start):
        for c, course in enumerate(courses):
            state = (n + c) % 7
            due = today + datetime.timedelta(days=(state - 3) * 9)
            assignments.append(
                Assignment(
                    employee=employee,
                    course=course,
                    reason="rule",
                    assigned_at=now - datetime.timedelta(days=200 - state * 20),
                    due_date=due,
                    started_at=now if state in (1, 2, 3) else None,
                    completed_at=now if state in (0, 1) else None,
                )
            )
            if state in (0, 1, 4):
                issued = today - datetime.timedelta(days=100 if state != 4 else 500)
                certificates.append(
                    Certificate(
                        serial=f"BENCH-C-{n:05d}-{c:02d}",
                        code=f"bench-compliance-{n:05d}-{c:02d}",
                        user_id=employee.user_id,
                        course=course,
                        learner_name=employee.user.email,
                        course_title=course.title,
                        version_set="",
                        issued_on=issued,
                        expires_on=issued + datetime.timedelta(days=365),
                        status=CertificateStatus.VALID,
                    )
                )
    Assignment.objects.bulk_create(assignments, batch_size=5000)
    Certificate.objects.bulk_create(certificates, batch_size=5000)


def run(baseline) -> tuple[list, list[str]]:
    courses = [make_course(f"Bench Compliance {n:02d}", modules=[]) for n in range(COURSES)]
    departments = [Department.objects.create(name=f"Bench department {n}") for n in range(8)]
    hr = get_user_model().objects.create_user(email="bench-hr@example.com")
    hr.groups.add(Group.objects.get(name="HR"))
    client = Client()
    client.force_login(hr)

    def matrix_page():
        response = client.get(URL)
        if response.status_code != 200:
            raise RuntimeError(f"{URL} answered {response.status_code}")
        return response

    def admin_home():
        response = client.get("/admin/")
        if response.status_code != 200:
            raise RuntimeError(f"/admin/ answered {response.status_code}")
        return response

    _grow(courses, departments, 0, SMALL)
    small = compare(f"compliance matrix, {SMALL:,} staff x {COURSES}", matrix_page, baseline)
    home_small = compare(f"HR admin home, {SMALL:,} staff x {COURSES}", admin_home, baseline)
    _grow(courses, departments, SMALL, LARGE)
    large = compare(f"compliance matrix, {LARGE:,} staff x {COURSES}", matrix_page, baseline)
    home_large = compare(f"HR admin home, {LARGE:,} staff x {COURSES}", admin_home, baseline)

    def full_export():
        response = client.get(URL, {"export": "csv"})
        return sum(body.count(b"\n") for body in response.streaming_content)

    export_queries = count_queries(full_export)
    start = time.perf_counter()
    lines = full_export()
    export_seconds = time.perf_counter() - start
    base_start = time.perf_counter()
    for _ in range(20):
        baseline()
    base_seconds = (time.perf_counter() - base_start) / 20
    notes = [
        f"compliance matrix page at {LARGE:,} vs {SMALL:,} staff: "
        f"{large.median / small.median:.2f}x (target at most 2x); "
        f"queries {small.target_queries} vs {large.target_queries}",
        f"HR admin home at {LARGE:,} vs {SMALL:,} staff: "
        f"{home_large.median / home_small.median:.2f}x; "
        f"queries {home_small.target_queries} vs {home_large.target_queries}",
        f"full CSV export of {LARGE:,} people x {COURSES} courses: {export_seconds:.2f} s, "
        f"{lines - 1:,} rows, {export_queries} queries, "
        f"{export_seconds / base_seconds:,.0f}x /healthz",
    ]
    return [small, large, home_small, home_large], notes
