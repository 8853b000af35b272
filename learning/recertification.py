"""Recertification: when a material policy version takes effect, the people certified on
an older version are put back through the training, in bulk and resumably; and when a
certificate nears its expiry date, its holder is assigned the course again."""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from wagtail.log_actions import log

from certificates.choices import CertificateStatus
from certificates.models import Certificate, CertificateVersion
from certificates.services import certificates_expire
from cms.models import PolicyVersion
from cms.services import policy_version_compare
from courses.models import CoursePage
from learning.choices import AssignmentReason
from learning.models import Assignment, Employee, ModuleProgress

FAN_OUT_BATCH = 500


@dataclass
class FanOutProgress:
    certificates: int = 0  # marked recertification due
    assignments: int = 0  # recertification assignments created
    finished: bool = False


def recertification_due_on(version: PolicyVersion) -> datetime.date:
    effective = timezone.localdate(version.effective_at)
    return effective + datetime.timedelta(days=version.recertification_days or 0)


def _certificates_to_recertify(version: PolicyVersion):
    """Valid certificates naming an older major version of the version's policy."""
    return Certificate.objects.filter(
        status=CertificateStatus.VALID,
        versions__version__policy_id=version.policy_id,
        versions__version__major__lt=version.major,
    )


def recertification_fan_out(
    *, version_id: int, batch_size: int = FAN_OUT_BATCH, max_batches: int | None = None
) -> FanOutProgress:
    """Mark every valid certificate on an older major version of the policy as
    recertification due, and give each active holder a recertification assignment for the
    course, due on the version's effective date plus its window.

    Batches commit one by one. A batch takes only certificates still valid, and an open
    assignment for the course is never duplicated, so running again, or after a crash
    half way, handles each person exactly once. ``max_batches`` bounds one call's work;
    the result says whether everything is done. Editorial versions change nothing.
    """
    version = PolicyVersion.objects.get(pk=version_id)
    progress = FanOutProgress()
    if not version.is_material:
        progress.finished = True
        return progress
    due_on = recertification_due_on(version)
    deltas: dict[int, list[str]] = {}
    cursor, batches = 0, 0
    while max_batches is None or batches < max_batches:
        ids = list(
            _certificates_to_recertify(version)
            .filter(pk__gt=cursor)
            .order_by("pk")
            .values_list("pk", flat=True)
            .distinct()[:batch_size]
        )
        if not ids:
            progress.finished = True
            break
        cursor = ids[-1]
        marked, assigned = _fan_out_batch(
            version=version, certificate_ids=ids, due_on=due_on, deltas=deltas
        )
        progress.certificates += marked
        progress.assignments += assigned
        batches += 1
    if progress.finished:
        log(
            instance=version.policy,
            action="learning.recertification",
            data={"version": version.label, "due_on": due_on.isoformat()},
        )
    return progress


def _modules_to_redo(course_id: int, policy_id: int, keys: tuple[str, ...], memo) -> list[int]:
    """The modules a recertification asks for again: those quoting a changed section of
    the policy, or every module when the whole course is due."""
    memo_key = (course_id, policy_id, keys)
    if memo_key not in memo:
        modules = CoursePage.objects.get(pk=course_id).get_modules()
        memo[memo_key] = [
            module.pk
            for module in modules
            if not keys
            or any(
                quoted_policy == policy_id and key in keys
                for quoted_policy, key in module.quoted_sections()
            )
        ]
    return memo[memo_key]


def progress_reset(*, assignments: list[tuple[int, int, tuple[str, ...]]], policy_id, memo):
    """Unfinish the modules each (user, course, changed keys) must work through again,
    in one statement per course and kind of change, so old progress cannot complete a
    recertification."""
    groups: dict[tuple[int, tuple[str, ...]], list[int]] = {}
    for user_id, course_id, keys in assignments:
        groups.setdefault((course_id, keys), []).append(user_id)
    for (course_id, keys), user_ids in groups.items():
        ModuleProgress.objects.filter(
            user_id__in=user_ids,
            module_id__in=_modules_to_redo(course_id, policy_id, keys, memo),
        ).update(completed_at=None)


def _changed_keys(version: PolicyVersion, old_version_id: int, deltas) -> list[str]:
    if old_version_id not in deltas:
        old = PolicyVersion.objects.get(pk=old_version_id)
        deltas[old_version_id] = policy_version_compare(old=old, new=version).changed_keys
    return deltas[old_version_id]


@transaction.atomic
def _fan_out_batch(*, version, certificate_ids, due_on, deltas) -> tuple[int, int]:
    today = timezone.localdate()
    rows = list(
        Certificate.objects.select_for_update()
        .filter(pk__in=certificate_ids, status=CertificateStatus.VALID)
        .values_list("pk", "user_id", "course_id", "expires_on")
    )
    if not rows:
        return 0, 0
    lapsed = [pk for pk, _, _, expires_on in rows if expires_on and expires_on < today]
    # Past its expiry date already: it lapses rather than falls due, and the holder
    # gets the full course.
    Certificate.objects.filter(pk__in=lapsed).update(
        status=CertificateStatus.EXPIRED, status_changed_at=timezone.now()
    )
    Certificate.objects.filter(pk__in=[pk for pk, *_ in rows]).exclude(pk__in=lapsed).update(
        status=CertificateStatus.RECERTIFICATION_DUE,
        recertification_due_on=due_on,
        status_changed_at=timezone.now(),
    )
    named = dict(
        CertificateVersion.objects.filter(
            certificate_id__in=[pk for pk, *_ in rows], version__policy_id=version.policy_id
        ).values_list("certificate_id", "version_id")
    )
    employees = dict(
        Employee.objects.filter(
            user_id__in={user for _, user, _, _ in rows}, active=True
        ).values_list("user_id", "pk")
    )
    open_assignments = {}
    whole_course_due = set()  # open recertifications of the whole course: never narrowed
    for pk, employee_id, course_id, due_date, reason, changed in Assignment.objects.filter(
        employee_id__in=employees.values(),
        course_id__in={course for _, _, course, _ in rows},
        completed_at__isnull=True,
    ).values_list("pk", "employee_id", "course_id", "due_date", "reason", "changed_sections"):
        open_assignments[(employee_id, course_id)] = (pk, due_date)
        if reason == AssignmentReason.RECERTIFICATION and not changed:
            whole_course_due.add((employee_id, course_id))
    now = timezone.now()
    wanted: dict[tuple[int, int], list[str]] = {}
    for pk, user_id, course_id, expires_on in rows:
        employee_id = employees.get(user_id)
        if employee_id is None:
            continue  # deactivated: the certificate is due, but nobody is assigned
        still_valid = expires_on is None or expires_on >= today
        # A certificate still valid earns the delta path: only what changed.
        wanted[(employee_id, course_id)] = (
            _changed_keys(version, named[pk], deltas) if still_valid else []
        )
    for pair in whole_course_due:
        if pair in wanted:
            wanted[pair] = []
    new_rows = [
        Assignment(
            employee_id=employee_id,
            course_id=course_id,
            reason=AssignmentReason.RECERTIFICATION,
            assigned_at=now,
            due_date=due_on,
            policy_version=version,
            changed_sections=changed,
        )
        for (employee_id, course_id), changed in wanted.items()
        if (employee_id, course_id) not in open_assignments
    ]
    # The partial unique index still has the last word if someone assigned the course
    # by hand a moment ago.
    Assignment.objects.bulk_create(new_rows, ignore_conflicts=True)
    users = {employee_id: user_id for user_id, employee_id in employees.items()}
    progress_reset(
        assignments=[
            (users[employee_id], course_id, tuple(changed))
            for (employee_id, course_id), changed in wanted.items()
        ],
        policy_id=version.policy_id,
        memo=deltas,
    )
    # Someone with the course already open keeps that assignment, now due no later than
    # the recertification and naming the change, in one statement per kind of change.
    by_change: dict[tuple[str, ...], list[tuple[int, datetime.date]]] = {}
    for pair, changed in wanted.items():
        if pair in open_assignments:
            by_change.setdefault(tuple(changed), []).append(open_assignments[pair])
    for changed, assignments in by_change.items():
        Assignment.objects.filter(pk__in=[pk for pk, _ in assignments]).update(
            policy_version=version, changed_sections=list(changed)
        )
        Assignment.objects.filter(pk__in=[pk for pk, due in assignments if due > due_on]).update(
            due_date=due_on
        )
    return len(rows), len(new_rows)


def recertification_assign_expiring(*, today: datetime.date) -> int:
    """Open the recertification window: holders of a valid certificate that expires within
    its course's window get the full course again, due on the expiry date. One query per
    course with expiring certificates; someone with the course already open keeps it."""
    created = 0
    courses = CoursePage.objects.filter(certificate_validity_months__isnull=False)
    for course in courses.only("pk", "recertification_window_days"):
        horizon = today + datetime.timedelta(days=course.recertification_window_days)
        expiring = list(
            Certificate.objects.filter(
                course=course,
                status=CertificateStatus.VALID,
                expires_on__gte=today,
                expires_on__lte=horizon,
                user__employee__active=True,
            )
            .exclude(
                user__employee__pk__in=Assignment.objects.filter(
                    course=course, completed_at__isnull=True
                ).values("employee_id")
            )
            .values_list("user__employee__pk", "expires_on")
        )
        if not expiring:
            continue
        now = timezone.now()
        with transaction.atomic():
            Assignment.objects.bulk_create(
                [
                    Assignment(
                        employee_id=employee_id,
                        course=course,
                        reason=AssignmentReason.RECERTIFICATION,
                        assigned_at=now,
                        due_date=expires_on,
                    )
                    for employee_id, expires_on in expiring
                ],
                ignore_conflicts=True,
            )
            ModuleProgress.objects.filter(
                user__employee__pk__in=[employee_id for employee_id, _ in expiring],
                module_id__in=course.get_modules().values("pk"),
            ).update(completed_at=None)
        created += len(expiring)
    return created


def recertification_sweep(*, today: datetime.date | None = None) -> dict[str, int]:
    """The daily pass: write down expiries, then open the windows that have come round."""
    today = today or timezone.localdate()
    return {
        "expired": certificates_expire(today=today),
        "assigned": recertification_assign_expiring(today=today),
    }
