"""Policy impact preview benchmark: the editor of a policy with a material draft, its
preview listing the courses to update and the certificates that would fall due, timed
against /healthz with 10 and then 10,000 certificate holders. The preview counts holders
by department in the database, so its time and queries should barely move."""

import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.test import Client
from django.utils import timezone

from bench.harness import certificates_bulk_issue, compare
from cms.choices import ChangeKind
from cms.models import PolicyPage
from learning.models import Department, Employee
from tests.cms.factories import DEFAULT_SECTIONS, publish_policy, section
from tests.courses.factories import excerpt, make_course, text

SMALL, LARGE = 10, 10_000


def _holders(course, version, departments, start: int, stop: int) -> None:
    """People ``start`` to ``stop``, each with a valid certificate on ``version``."""
    password = make_password(None)
    users = get_user_model().objects.bulk_create(
        (
            get_user_model()(
                email=f"bench-holder-{n}@example.com",
                last_name=f"Holder{n:05d}",
                password=password,
            )
            for n in range(start, stop)
        ),
        batch_size=2000,
    )
    Employee.objects.bulk_create(
        (
            Employee(
                user=user,
                employee_number=f"BENCH-P-{start + n:05d}",
                department=departments[(start + n) % len(departments)],
            )
            for n, user in enumerate(users)
        ),
        batch_size=2000,
    )
    certificates_bulk_issue(
        users=users,
        course=course,
        version=version,
        prefix="BENCH-P",
        issued_on=timezone.localdate() - datetime.timedelta(days=60),
        start=start,
    )


def run(baseline) -> tuple[list, list[str]]:
    policy = publish_policy(title="Bench Exchanges", slug="bench-exchanges")
    course = make_course(
        "Bench Exchanges Course",
        policies=[policy],
        modules=[
            ("Welcome", [text("<p>Hello.</p>")]),
            ("Window", [excerpt(policy, "returns-window")]),
            ("Paying", [excerpt(policy, "refund-method")]),
        ],
    )
    draft = PolicyPage.objects.get(pk=policy.pk)
    draft.sections = [
        section("returns-window", "The returns window", "Within 45 days."),
        *DEFAULT_SECTIONS[1:],
    ]
    draft.change_kind = ChangeKind.MATERIAL
    draft.change_summary = "Forty-five days."
    draft.recertification_days = 30
    draft.save_revision()
    departments = [
        Department.objects.get_or_create(name=f"Bench department {n}")[0] for n in range(8)
    ]
    trainer = Client()
    trainer.force_login(get_user_model().objects.get(email="trainer@example.com"))
    url = f"/admin/pages/{policy.pk}/edit/"

    def editor():
        response = trainer.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        return response

    _holders(course, policy.current_version, departments, 0, SMALL)
    small = compare(f"policy editor with preview, {SMALL} holders", editor, baseline, rounds=5)
    _holders(course, policy.current_version, departments, SMALL, LARGE)
    if f"{LARGE} people</strong>" not in editor().content.decode():
        raise RuntimeError(f"the preview does not count {LARGE} holders")
    large = compare(f"policy editor with preview, {LARGE:,} holders", editor, baseline, rounds=5)
    growth = large.median / small.median
    return [small, large], [
        f"{'policy preview: 10,000 vs 10 holders':<44} {growth:>8.2f}x  "
        f"({large.target_queries} vs {small.target_queries} queries)"
    ]
