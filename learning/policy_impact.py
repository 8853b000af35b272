"""What publishing a draft of a policy would set in motion, for the editor's impact
preview: each course teaching the policy with what in it cites the sections changed since
the version it teaches, and the people whose certificates a material version would make
fall due, by department and by name. Reads only, each in a fixed number of queries
however many people hold a certificate."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q

from certificates.choices import CertificateStatus
from certificates.models import Certificate, CertificateVersion
from cms.comparison import policy_version_compare
from cms.models import PolicyVersion
from cms.versioning import PolicyDraft
from courses.models import CoursePage, CoursePolicyPin
from courses.update_list import AffectedItem, affected_items_by_course, page_edit_url
from learning.models import Employee

# The department filter's value for people with no department.
NO_DEPARTMENT = "none"


@dataclass(frozen=True)
class CourseImpact:
    course_id: int
    title: str
    edit_url: str
    teaches: str  # the label of the version of the policy the course is pinned to
    changed: tuple[tuple[str, str], ...]  # (key, heading) of sections changed since
    items: tuple[AffectedItem, ...]

    @property
    def whole_course(self) -> bool:
        """Nothing in the change points to a single section: the whole course is asked."""
        return not self.changed


@dataclass(frozen=True)
class DepartmentHolders:
    department_id: int | None
    name: str
    people: int

    @property
    def filter_value(self) -> str:
        return NO_DEPARTMENT if self.department_id is None else str(self.department_id)


@dataclass(frozen=True)
class PolicyImpact:
    courses: tuple[CourseImpact, ...]  # by title
    departments: tuple[DepartmentHolders, ...]  # by name, no department last

    @property
    def people(self) -> int:
        return sum(department.people for department in self.departments)

    def count_of(self, kind: str) -> int:
        return sum(1 for course in self.courses for item in course.items if item.kind == kind)


def courses_teaching(*, policy_id: int) -> list[CoursePage]:
    """Live courses that list the policy or were published teaching a version of it, by
    title, each with ``pinned``: the newest version of the policy it is pinned to (None
    when it has never been published teaching it). Two queries."""
    courses = list(
        CoursePage.objects.live()
        .filter(Q(policies=policy_id) | Q(policy_pins__version__policy_id=policy_id))
        .distinct()
        .order_by("title", "pk")
        .only("pk", "title")
    )
    pinned: dict[int, PolicyVersion] = {}
    pins = CoursePolicyPin.objects.filter(
        course__in=[course.pk for course in courses], version__policy_id=policy_id
    ).select_related("version")
    for pin in pins:
        held = pinned.get(pin.course_id)
        if held is None or (pin.version.major, pin.version.minor) > (held.major, held.minor):
            pinned[pin.course_id] = pin.version
    for course in courses:
        course.pinned = pinned.get(course.pk)
    return courses


def policy_certificates_falling_due(
    *, policy_id: int, before_major: int, course_ids, today: datetime.date
):
    """Certificates a material version ``before_major`` of the policy would mark
    recertification due: those still valid on ``today`` that name an older major version
    of it, from the courses given."""
    return Certificate.objects.vouching_on(today).filter(
        status=CertificateStatus.VALID,
        course_id__in=course_ids,
        versions__version__policy_id=policy_id,
        versions__version__major__lt=before_major,
    )


def policy_holders_falling_due(
    *, policy_id: int, before_major: int, course_ids, today: datetime.date
):
    """The active employees holding such a certificate, each once."""
    certificates = policy_certificates_falling_due(
        policy_id=policy_id, before_major=before_major, course_ids=course_ids, today=today
    )
    return Employee.objects.filter(
        Exists(certificates.filter(user_id=OuterRef("user_id"))), active=True
    )


def holders_by_department(employees) -> tuple[DepartmentHolders, ...]:
    """How many of ``employees`` are in each department, in one query."""
    rows = (
        employees.order_by()
        .values("department_id", "department__name")
        .annotate(people=Count("pk"))
    )
    departments = [
        DepartmentHolders(row["department_id"], row["department__name"] or "", row["people"])
        for row in rows
    ]
    departments.sort(key=lambda d: (d.department_id is None, d.name.casefold()))
    return tuple(
        DepartmentHolders(d.department_id, d.name or "No department", d.people) for d in departments
    )


def policy_change_impact(
    *, policy_id: int, current: PolicyVersion, draft: PolicyDraft, today: datetime.date
) -> PolicyImpact:
    """What publishing ``draft`` after ``current`` would set in motion, as a material
    change: the courses to update (the items citing sections changed since the version
    each teaches) and the active people whose certificates would fall due, by department.

    A course is checked against every change since the version it is pinned to, so one
    still on a version older than ``current`` lists those changes too."""
    courses = courses_teaching(policy_id=policy_id)
    comparisons: dict[int, list[str]] = {}
    changed_by_course: dict[int, list[str]] = {}
    for course in courses:
        since = course.pinned or current
        if since.pk not in comparisons:
            comparisons[since.pk] = policy_version_compare(old=since, new=draft).changed_keys
        changed_by_course[course.pk] = comparisons[since.pk]
    items = affected_items_by_course(
        policy_id=policy_id,
        changed_keys_by_course={pk: set(keys) for pk, keys in changed_by_course.items()},
    )
    headings = {section["key"]: section["heading"] for section in draft.sections}
    course_impacts = tuple(
        CourseImpact(
            course_id=course.pk,
            title=course.title,
            edit_url=page_edit_url(course.pk),
            teaches=(course.pinned or current).label,
            changed=tuple((key, headings.get(key, key)) for key in changed_by_course[course.pk]),
            items=tuple(items.get(course.pk, ())),
        )
        for course in courses
    )
    employees = policy_holders_falling_due(
        policy_id=policy_id,
        before_major=current.major + 1,
        course_ids=[course.pk for course in courses],
        today=today,
    )
    return PolicyImpact(courses=course_impacts, departments=holders_by_department(employees))


@dataclass(frozen=True)
class HolderCertificate:
    course_title: str
    label: str  # the version of the policy it names
    issued_on: datetime.date


def holder_certificates(
    *, policy_id: int, before_major: int, course_ids, user_ids, today: datetime.date
) -> dict[int, list[HolderCertificate]]:
    """For a page of holders, the certificates that would fall due, by user id, in one
    query."""
    certificates = policy_certificates_falling_due(
        policy_id=policy_id, before_major=before_major, course_ids=course_ids, today=today
    ).filter(user_id__in=user_ids)
    rows = (
        CertificateVersion.objects.filter(
            certificate__in=certificates.values("pk"), version__policy_id=policy_id
        )
        .order_by("certificate__course_title", "certificate__issued_on")
        .values_list(
            "certificate__user_id", "certificate__course_title", "label", "certificate__issued_on"
        )
    )
    found: dict[int, list[HolderCertificate]] = {}
    for user_id, course_title, label, issued_on in rows:
        found.setdefault(user_id, []).append(HolderCertificate(course_title, label, issued_on))
    return found
