"""Reads for a manager's team pages: who may open them, the team's compliance and one
member's training. Nobody outside the manager's reporting line is ever returned.

A team member is named in URLs by a signed token of their record, not by their database
id or HR number. The id is sequential and the HR number often is too, so either invites
trying the next one; a token carries a signature that only the server can make, so an
edited URL is refused before any lookup. The tree check behind it is the real guard: a
token that someone else's manager was shown still gives a 404 here. The token carries no
timestamp, so a link to a person stays the same from one visit to the next.
"""

import datetime
from dataclasses import dataclass, field

from django.core import signing
from django.db.models import Exists, OuterRef
from django.http import Http404

from learning.choices import AssignmentStatus, ComplianceStatus, Role
from learning.compliance import (
    Cell,
    Column,
    matrix_columns,
    matrix_rows,
    team_member_ids,
)
from learning.models import Assignment, Employee, Reminder
from learning.reminders import NUDGE, nudge_kind
from learning.selectors import CourseProgress, course_progress_for

MEMBER_SALT = "learning.team.member"


def _managers():
    return Employee.objects.filter(Exists(Employee.objects.filter(manager_id=OuterRef("pk"))))


def team_manager(*, user) -> Employee | None:
    """The user's staff record if anyone reports to them (active or not). One query."""
    if not user.is_authenticated:
        return None
    return _managers().filter(user_id=user.pk, active=True).select_related("user").first()


def manages_a_team(*, user) -> bool:
    """Whether the team page has anyone to show this user. One query."""
    return user.is_authenticated and _managers().filter(user_id=user.pk, active=True).exists()


def is_in_managers_group(*, user) -> bool:
    return user.groups.filter(name=Role.MANAGERS).exists()


def member_token(employee_pk: int) -> str:
    return signing.Signer(salt=MEMBER_SALT).sign_object(employee_pk)


def _member_pk(token: str) -> int:
    try:
        pk = signing.Signer(salt=MEMBER_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError):
        raise Http404("No such person in your team.") from None
    if not isinstance(pk, int):
        raise Http404("No such person in your team.")
    return pk


def _team(ids: list[int]):
    return (
        Employee.objects.active()
        .filter(pk__in=ids)
        .select_related("user", "department", "job_role", "manager__user")
    )


@dataclass
class TeamRow:
    employee: Employee
    token: str
    cells: list[Cell]
    direct: bool

    @property
    def overdue(self) -> int:
        return sum(1 for cell in self.cells if cell.status == ComplianceStatus.OVERDUE)


@dataclass
class TeamOverview:
    columns: list[Column]
    rows: list[TeamRow]

    @property
    def overdue_people(self) -> int:
        return sum(1 for row in self.rows if row.overdue)

    @property
    def overdue_cells(self) -> int:
        return sum(row.overdue for row in self.rows)

    @property
    def direct_count(self) -> int:
        return sum(1 for row in self.rows if row.direct)


def team_overview(*, manager: Employee, today: datetime.date) -> TeamOverview:
    """The manager's active direct and indirect reports, each with a cell per course
    required of anyone in the team (the courses nobody in it needs are left out). One
    query per reporting level, then six whatever the team's size."""
    team = list(_team(team_member_ids(manager)))
    columns = matrix_columns()
    matrix = matrix_rows(team, columns, today=today)
    keep = [
        index
        for index in range(len(columns))
        if any(row.cells[index].status != ComplianceStatus.NOT_REQUIRED for row in matrix)
    ]
    rows = [
        TeamRow(
            employee=row.employee,
            token=member_token(row.employee.pk),
            cells=[row.cells[index] for index in keep],
            direct=row.employee.manager_id == manager.pk,
        )
        for row in matrix
    ]
    return TeamOverview(columns=[columns[index] for index in keep], rows=rows)


def team_member(*, manager: Employee, token: str) -> Employee:
    """The active report the token names, if they are in the manager's tree; else 404,
    the same answer for a forged token, someone elsewhere and nobody at all."""
    pk = _member_pk(token)
    if pk not in team_member_ids(manager):
        raise Http404("No such person in your team.")
    member = _team([pk]).first()
    if member is None:
        raise Http404("No such person in your team.")
    return member


@dataclass
class MemberAssignment:
    assignment: Assignment
    status: str
    status_label: str
    progress: CourseProgress
    reminded_today: bool
    last_reminded: datetime.datetime | None = None


@dataclass
class MemberTraining:
    member: Employee
    token: str
    open: list[MemberAssignment] = field(default_factory=list)
    completed: list[MemberAssignment] = field(default_factory=list)
    columns: list[Column] = field(default_factory=list)
    cells: list[Cell] = field(default_factory=list)

    @property
    def standing(self) -> list[tuple[Column, Cell]]:
        return list(zip(self.columns, self.cells, strict=True))


def member_training(*, member: Employee, today: datetime.date) -> MemberTraining:
    """One report's training for their manager: compliance per course, what is assigned
    with status, due date and progress, and the reminders managers sent. No answers."""
    assignments = list(
        Assignment.objects.filter(employee=member)
        .select_related("course", "policy_version__policy")
        .order_by("due_date", "pk")
    )
    courses = {a.course_id: a.course for a in assignments}
    progress = course_progress_for(
        user=member.user,
        courses=list(courses.values()),
        assignments={a.course_id: a for a in assignments if a.completed_at is None},
    )
    nudges: dict[int, list[Reminder]] = {}
    for reminder in Reminder.objects.filter(
        assignment__in=[a.pk for a in assignments if a.completed_at is None],
        kind__startswith=f"{NUDGE}-",
    ).order_by("claimed_at"):
        nudges.setdefault(reminder.assignment_id, []).append(reminder)
    today_kind = nudge_kind(today)
    training = MemberTraining(member=member, token=member_token(member.pk))
    for assignment in assignments:
        sent = nudges.get(assignment.pk, [])
        status = assignment.status_on(today)
        entry = MemberAssignment(
            assignment=assignment,
            status=status,
            status_label=AssignmentStatus(status).label,
            progress=progress[assignment.course_id],
            reminded_today=any(r.kind == today_kind for r in sent),
            last_reminded=sent[-1].claimed_at if sent else None,
        )
        (training.completed if assignment.completed_at else training.open).append(entry)
    training.completed.sort(key=lambda entry: entry.assignment.completed_at, reverse=True)
    columns = matrix_columns()
    (row,) = matrix_rows([member], columns, today=today)
    keep = [i for i, cell in enumerate(row.cells) if cell.status != ComplianceStatus.NOT_REQUIRED]
    training.columns = [columns[i] for i in keep]
    training.cells = [row.cells[i] for i in keep]
    return training


def member_assignment(*, member: Employee, assignment_id: int) -> Assignment:
    """One of the member's assignments (open or not: the service says why a finished one
    gets no reminder); 404 if it is someone else's."""
    assignment = (
        Assignment.objects.filter(pk=assignment_id, employee=member)
        .select_related("course", "employee__user")
        .first()
    )
    if assignment is None:
        raise Http404("No such assignment for this person.")
    return assignment
