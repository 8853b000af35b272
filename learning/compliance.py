"""Compliance: where each person stands on each course, for HR's matrix, the reports
built on it and a manager's team page.

One rule decides a cell. It is written twice on purpose: ``cell_for`` in Python for the
rows on screen, ``employees_with_status`` in SQL to find, among thousands of people, those with
a cell in a given status. Tests hold the two to the same answers.

A course is *required* of a person once it has been assigned to them; totals and
percentages count those pairs. A certificate earned without an assignment still shows in
its cell.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q

from certificates.choices import CURRENT_STATUSES, CertificateStatus
from certificates.models import Certificate, CertificateVersion
from courses.models import CoursePage, CoursePolicyPin
from learning.choices import COMPLIANT_STATUSES, ComplianceStatus
from learning.models import Assignment, Employee

EXPIRING_WITHIN_DAYS = 30
MAX_REPORTING_DEPTH = 50


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _day(value: datetime.date | None) -> str:
    """ "1 Dec 2026": the admin's short date, written out directly because an export
    formats tens of thousands of them."""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}" if value else ""


@dataclass(frozen=True)
class OpenAssignment:
    """What a cell needs of an open assignment."""

    due_date: datetime.date
    started_at: datetime.datetime | None


@dataclass(frozen=True)
class Cell:
    status: str
    date: datetime.date | None = None
    versions: str = ""

    @property
    def label(self) -> str:
        return ComplianceStatus(self.status).label

    @property
    def compliant(self) -> bool:
        return self.status in COMPLIANT_STATUSES

    @property
    def text(self) -> str:
        """The cell in words, so that it never relies on its colour."""
        on = f"on {self.versions}" if self.versions else ""
        day = _day(self.date)
        match self.status:
            case ComplianceStatus.CURRENT:
                return f"Current {on}".strip()
            case ComplianceStatus.EXPIRING:
                return f"Expires {day} ({on})" if on else f"Expires {day}"
            case ComplianceStatus.OLDER_VERSION:
                return f"Certified {on}, due by {day}".replace("  ", " ")
            case ComplianceStatus.OVERDUE:
                return f"Overdue since {day}"
            case ComplianceStatus.EXPIRED:
                return f"Expired {day}" if day else "Expired"
            case ComplianceStatus.REVOKED:
                # Revoking assigns nothing: say so, and who can.
                return f"Revoked {day}; not assigned again: HR assigns it if still needed"
            case ComplianceStatus.IN_PROGRESS:
                return f"In progress, due {day}"
            case ComplianceStatus.NOT_STARTED:
                return f"Not started, due {day}" if day else "Not started"
        return "Not required"

    @property
    def detail(self) -> str:
        """The words that follow the status, for a page that shows ``label`` as a badge
        of its own: "since 17 Nov 2026" after "Overdue". The whole text where it does not
        begin with the label ("Certified on v1.1, due by ..." after "Older version, due")."""
        text = self.text
        if not text.startswith(self.label):
            return text
        rest = text[len(self.label) :].lstrip(" ,;:")
        return f"on {rest}" if rest[:1].isdigit() else rest


NOT_REQUIRED = Cell(ComplianceStatus.NOT_REQUIRED)


def _ended_on(certificate: Certificate, today: datetime.date) -> datetime.date | None:
    """The last day a lapsed certificate vouched."""
    ends = [certificate.expires_on]
    if certificate.status in (CertificateStatus.RECERTIFICATION_DUE, CertificateStatus.EXPIRED):
        ends.append(certificate.recertification_due_on)
    ends = [day for day in ends if day and day < today]
    if ends:
        return min(ends)
    return certificate.status_changed_at.date() if certificate.status_changed_at else None


def cell_for(
    *,
    certificates: list[Certificate],
    open_assignment: Assignment | OpenAssignment | None,
    assigned: bool,
    today: datetime.date,
    versions: dict[int, str] | None = None,
) -> Cell:
    """One person on one course: from their certificates for it, their open assignment
    (if any) and whether it was ever assigned to them."""
    versions = versions or {}
    statuses = [(c, c.status_on(today)) for c in certificates]
    current = [c for c, status in statuses if status in CURRENT_STATUSES]
    if current:
        soon = today + datetime.timedelta(days=EXPIRING_WITHIN_DAYS)
        valid = [c for c in current if c.status == CertificateStatus.VALID]
        lasting = [c for c in valid if c.expires_on is None or c.expires_on > soon]
        if lasting:
            return Cell(ComplianceStatus.CURRENT, versions=versions.get(lasting[0].pk, ""))
        if valid:
            best = max(valid, key=lambda c: c.expires_on)
            return Cell(ComplianceStatus.EXPIRING, best.expires_on, versions.get(best.pk, ""))
        best = max(current, key=lambda c: c.recertification_due_on or today)
        return Cell(
            ComplianceStatus.OLDER_VERSION,
            best.recertification_due_on,
            versions.get(best.pk, ""),
        )
    if open_assignment is not None and open_assignment.due_date < today:
        return Cell(ComplianceStatus.OVERDUE, open_assignment.due_date)
    lapsed = [c for c, status in statuses if status == CertificateStatus.EXPIRED]
    if lapsed:
        latest = max(lapsed, key=lambda c: (c.issued_on, c.pk))
        return Cell(ComplianceStatus.EXPIRED, _ended_on(latest, today))
    revoked = [c for c, status in statuses if status == CertificateStatus.REVOKED]
    if revoked and open_assignment is None:
        latest = max(revoked, key=lambda c: (c.issued_on, c.pk))
        changed = latest.status_changed_at
        return Cell(ComplianceStatus.REVOKED, changed.date() if changed else None)
    if open_assignment is not None:
        if open_assignment.started_at:
            return Cell(ComplianceStatus.IN_PROGRESS, open_assignment.due_date)
        return Cell(ComplianceStatus.NOT_STARTED, open_assignment.due_date)
    if assigned or certificates:
        return Cell(ComplianceStatus.NOT_STARTED)
    return NOT_REQUIRED


# --- the same rule in SQL --------------------------------------------------------------


def _pair_subqueries(today: datetime.date) -> dict[str, Exists]:
    """Per (person, course) conditions, for use inside a query over courses that is
    itself inside a query over employees."""
    certificates = Certificate.objects.filter(
        user_id=OuterRef(OuterRef("user_id")), course_id=OuterRef("pk")
    ).exclude(status=CertificateStatus.SUPERSEDED)  # as the cells leave them out
    assignments = Assignment.objects.filter(
        employee_id=OuterRef(OuterRef("pk")), course_id=OuterRef("pk")
    )
    open_assignments = assignments.filter(completed_at__isnull=True)
    valid = certificates.in_status(CertificateStatus.VALID, today=today)
    soon = today + datetime.timedelta(days=EXPIRING_WITHIN_DAYS)
    return {
        "lasting": Exists(valid.filter(Q(expires_on__isnull=True) | Q(expires_on__gt=soon))),
        "valid": Exists(valid),
        "due": Exists(certificates.in_status(CertificateStatus.RECERTIFICATION_DUE, today=today)),
        "lapsed": Exists(certificates.in_status(CertificateStatus.EXPIRED, today=today)),
        "revoked": Exists(certificates.in_status(CertificateStatus.REVOKED, today=today)),
        "open": Exists(open_assignments),
        "any_certificate": Exists(certificates),
        "overdue": Exists(open_assignments.filter(due_date__lt=today)),
        "started": Exists(open_assignments.filter(started_at__isnull=False)),
        "assigned": Exists(assignments),
    }


def _status_q(status: str, today: datetime.date) -> Q:
    s = _pair_subqueries(today)
    current = s["valid"] | s["due"]
    before_overdue = ~current
    before_expired = before_overdue & ~s["overdue"]
    before_revoked = before_expired & ~s["lapsed"]
    revoked = s["revoked"] & ~s["open"]
    before_started = before_revoked & ~revoked
    match status:
        case ComplianceStatus.CURRENT:
            return Q(s["lasting"])
        case ComplianceStatus.EXPIRING:
            return ~s["lasting"] & s["valid"]
        case ComplianceStatus.OLDER_VERSION:
            return ~s["valid"] & s["due"]
        case ComplianceStatus.OVERDUE:
            return before_overdue & s["overdue"]
        case ComplianceStatus.EXPIRED:
            return before_expired & s["lapsed"]
        case ComplianceStatus.REVOKED:
            return before_revoked & revoked
        case ComplianceStatus.IN_PROGRESS:
            return before_started & s["started"]
        case ComplianceStatus.NOT_STARTED:
            return before_started & ~s["started"] & (s["assigned"] | s["any_certificate"])
    return ~s["assigned"] & ~s["any_certificate"]


def employees_with_status(employees, *, status: str, course_ids: list[int], today):
    """The employees with at least one cell in ``status`` among the given courses."""
    courses = CoursePage.objects.filter(pk__in=course_ids).filter(_status_q(status, today))
    return employees.filter(Exists(courses))


# --- who is in whose team ----------------------------------------------------------


def team_member_ids(manager: Employee) -> list[int]:
    """The manager's direct and indirect reports (active or not): one query per level of
    the reporting line below them, never one per person."""
    found: list[int] = []
    seen = {manager.pk}
    level = [manager.pk]
    for _ in range(MAX_REPORTING_DEPTH):
        level = [
            pk
            for pk in Employee.objects.filter(manager_id__in=level).values_list("pk", flat=True)
            if pk not in seen
        ]
        if not level:
            break
        seen.update(level)
        found.extend(level)
    return found


# --- the matrix ------------------------------------------------------------------------


@dataclass
class Column:
    course: CoursePage
    policies: list[str]

    @property
    def pk(self) -> int:
        return self.course.pk


def matrix_columns(*, course_id: int | None = None, policy_id: int | None = None) -> list[Column]:
    """The courses assigned to anyone, optionally narrowed to one course or the courses
    teaching one policy; each with the policies it teaches as last published. Two queries."""
    courses = (
        CoursePage.objects.live()
        .filter(Exists(Assignment.objects.filter(course_id=OuterRef("pk"))))
        .order_by("title")
    )
    if course_id is not None:
        courses = courses.filter(pk=course_id)
    if policy_id is not None:
        courses = courses.filter(policy_pins__version__policy_id=policy_id).distinct()
    courses = list(courses.only("pk", "title", "slug", "path", "depth"))
    policies: dict[int, list[str]] = {course.pk: [] for course in courses}
    pins = (
        CoursePolicyPin.objects.filter(course_id__in=list(policies))
        .order_by("version__policy__title")
        .values_list("course_id", "version__policy__title", "version__major", "version__minor")
    )
    for course_pk, title, major, minor in pins:
        policies[course_pk].append(f"{title} {major}.{minor}")
    return [Column(course, policies[course.pk]) for course in courses]


@dataclass
class MatrixRow:
    employee: Employee
    cells: list[Cell]

    @property
    def compliant(self) -> int:
        return sum(1 for cell in self.cells if cell.compliant)

    @property
    def required(self) -> int:
        return sum(1 for cell in self.cells if cell.status != ComplianceStatus.NOT_REQUIRED)


def _version_labels(certificate_ids: list[int]) -> dict[int, str]:
    """Each certificate's policy versions in a few words: "2.0" for one policy, titles
    and labels for several."""
    names: dict[int, list[tuple[str, str]]] = {}
    rows = CertificateVersion.objects.filter(certificate_id__in=certificate_ids).values_list(
        "certificate_id", "policy_title", "label"
    )
    for certificate_id, title, label in rows:
        names.setdefault(certificate_id, []).append((title, label))
    return {
        pk: (
            f"v{entries[0][1]}"
            if len(entries) == 1
            else ", ".join(f"{title} {label}" for title, label in sorted(entries))
        )
        for pk, entries in names.items()
    }


def matrix_rows(
    employees: list[Employee], columns: list[Column], *, today: datetime.date
) -> list[MatrixRow]:
    """Cells for a page of people: three queries whatever the page or column count."""
    if not employees or not columns:
        return [MatrixRow(employee, []) for employee in employees]
    course_ids = [column.pk for column in columns]
    by_user = {employee.user_id: employee.pk for employee in employees}
    certificates: dict[tuple[int, int], list[Certificate]] = {}
    for certificate in (
        Certificate.objects.filter(user_id__in=list(by_user), course_id__in=course_ids)
        .exclude(status=CertificateStatus.SUPERSEDED)
        .only(
            "pk",
            "user_id",
            "course_id",
            "status",
            "issued_on",
            "expires_on",
            "recertification_due_on",
            "status_changed_at",
        )
    ):
        key = (by_user[certificate.user_id], certificate.course_id)
        certificates.setdefault(key, []).append(certificate)
    open_assignments: dict[tuple[int, int], OpenAssignment] = {}
    assigned: set[tuple[int, int]] = set()
    for employee_id, course_id, due_date, started_at, completed_at in Assignment.objects.filter(
        employee_id__in=list(by_user.values()), course_id__in=course_ids
    ).values_list("employee_id", "course_id", "due_date", "started_at", "completed_at"):
        assigned.add((employee_id, course_id))
        if completed_at is None:
            open_assignments[(employee_id, course_id)] = OpenAssignment(due_date, started_at)
    today_current = [
        c.pk
        for group in certificates.values()
        for c in group
        if c.status_on(today) in CURRENT_STATUSES
    ]
    versions = _version_labels(today_current)
    rows = []
    for employee in employees:
        cells = []
        for course_id in course_ids:
            key = (employee.pk, course_id)
            cells.append(
                cell_for(
                    certificates=certificates.get(key, []),
                    open_assignment=open_assignments.get(key),
                    assigned=key in assigned,
                    today=today,
                    versions=versions,
                )
            )
        rows.append(MatrixRow(employee, cells))
    return rows


# --- totals ----------------------------------------------------------------------------


@dataclass
class Tally:
    required: int = 0
    compliant: int = 0

    @property
    def percent(self) -> int | None:
        return round(100 * self.compliant / self.required) if self.required else None


@dataclass
class Totals:
    by_course: dict[int, Tally]
    by_department: list[tuple[str, Tally]]
    overall: Tally


NO_DEPARTMENT = "No department"


def _current_on(day: datetime.date) -> Q:
    """Certificates that vouched on ``day``, judged from their dates and when their
    status last changed, so it holds for past days too."""
    next_day = day + datetime.timedelta(days=1)
    return (
        Q(issued_on__lte=day)
        & (Q(expires_on__isnull=True) | Q(expires_on__gte=day))
        & (Q(recertification_due_on__isnull=True) | Q(recertification_due_on__gte=day))
        & ~Q(
            status__in=(CertificateStatus.SUPERSEDED, CertificateStatus.REVOKED),
            status_changed_at__date__lt=next_day,
        )
    )


def compliance_totals(employees, *, course_ids: list[int], today: datetime.date) -> Totals:
    """Required and compliant (person, course) pairs among ``employees`` (a queryset),
    per course and per department, in one grouped query."""
    pairs = Assignment.objects.filter(employee__in=employees, course_id__in=course_ids)
    holds = Certificate.objects.vouching_on(today).filter(
        user_id=OuterRef("employee__user_id"), course_id=OuterRef("course_id")
    )
    grouped = (
        pairs.values("course_id", "employee__department__name")
        .annotate(
            required=Count("employee_id", distinct=True),
            compliant=Count("employee_id", distinct=True, filter=Q(Exists(holds))),
        )
        .order_by()
    )
    by_course = {pk: Tally() for pk in course_ids}
    departments: dict[str, Tally] = {}
    overall = Tally()
    for row in grouped:
        name = row["employee__department__name"] or NO_DEPARTMENT
        for tally in (
            by_course[row["course_id"]],
            departments.setdefault(name, Tally()),
            overall,
        ):
            tally.required += row["required"]
            tally.compliant += row["compliant"]
    return Totals(by_course, sorted(departments.items()), overall)


def month_ends(today: datetime.date, months: int = 12) -> list[datetime.date]:
    """The last day of each of the previous ``months - 1`` months, then today."""
    days = [today]
    day = today.replace(day=1) - datetime.timedelta(days=1)
    while len(days) < months:
        days.append(day)
        day = day.replace(day=1) - datetime.timedelta(days=1)
    return list(reversed(days))


def compliance_history(
    employees, *, course_ids: list[int], today: datetime.date, months: int = 12
) -> tuple[list[datetime.date], dict[str, list[int | None]]]:
    """% compliant per department at each month end, rebuilt from assignment and
    certificate dates: a pair is required from the day it was first assigned and
    compliant while a certificate vouched. One grouped query per month."""
    days = month_ends(today, months)
    pair = F("employee_id") * 1_000_000 + F("course_id")
    series: dict[str, list[int | None]] = {}
    pairs = Assignment.objects.filter(employee__in=employees, course_id__in=course_ids)
    for index, day in enumerate(days):
        held = Certificate.objects.filter(
            _current_on(day),
            user_id=OuterRef("employee__user_id"),
            course_id=OuterRef("course_id"),
        )
        grouped = (
            pairs.filter(assigned_at__date__lte=day)
            .values("employee__department__name")
            .annotate(
                required=Count(pair, distinct=True),
                compliant=Count(pair, distinct=True, filter=Q(Exists(held))),
            )
            .order_by()
        )
        for row in grouped:
            name = row["employee__department__name"] or NO_DEPARTMENT
            points = series.setdefault(name, [None] * len(days))
            points[index] = (
                round(100 * row["compliant"] / row["required"]) if row["required"] else None
            )
    return days, dict(sorted(series.items()))
