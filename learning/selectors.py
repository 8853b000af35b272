"""Reads behind the learner's pages, each a fixed number of queries."""

import datetime
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db.models import F, Q
from django.http import Http404

from courses.models import CoursePage, ModulePage
from learning.choices import AssignmentStatus
from learning.models import Assignment, Employee, KnowledgeCheckAnswer, ModuleProgress

DUE_SOON_DAYS = 14


@dataclass
class CourseProgress:
    course: CoursePage
    modules: list[ModulePage]
    done: set[int] = field(default_factory=set)
    opened: dict[int, datetime.datetime] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return len(self.modules)

    @property
    def completed(self) -> int:
        return sum(1 for m in self.modules if m.pk in self.done)

    @property
    def percent(self) -> int:
        return round(100 * self.completed / self.total) if self.total else 0

    @property
    def resume_module(self) -> ModulePage | None:
        """The first module not yet finished, else the first one."""
        pending = [m for m in self.modules if m.pk not in self.done]
        return (pending or self.modules or [None])[0]

    def state_of(self, module: ModulePage) -> str:
        if module.pk in self.done:
            return "completed"
        return "in_progress" if module.pk in self.opened else "not_started"


def _modules_by_course(courses: list[CoursePage]) -> dict[int, list[ModulePage]]:
    if not courses:
        return {}
    by_path = {course.path: course.pk for course in courses}
    depth = {course.depth + 1 for course in courses}
    modules = (
        ModulePage.objects.live()
        .filter(depth__in=depth)
        .filter(reduce(or_, (Q(path__startswith=path) for path in by_path)))
        .order_by("path")
        .only("pk", "title", "slug", "path", "depth", "estimated_minutes")
    )
    result: dict[int, list[ModulePage]] = {course.pk: [] for course in courses}
    for module in modules:
        result[by_path[module.path[: -ModulePage.steplen]]].append(module)
    return result


def course_progress_for(*, user, courses: list[CoursePage]) -> dict[int, CourseProgress]:
    """Modules and this person's progress for several courses, in two queries."""
    modules = _modules_by_course(courses)
    progress = {course.pk: CourseProgress(course, modules[course.pk]) for course in courses}
    rows = ModuleProgress.objects.filter(user=user, course_id__in=list(progress)).values_list(
        "course_id", "module_id", "last_opened_at", "completed_at"
    )
    for course_id, module_id, opened, completed in rows:
        progress[course_id].opened[module_id] = opened
        if completed:
            progress[course_id].done.add(module_id)
    return progress


@dataclass
class DashboardRow:
    assignment: Assignment
    status: str
    progress: CourseProgress
    due_soon: bool

    @property
    def status_label(self) -> str:
        return AssignmentStatus(self.status).label


def learner_dashboard(*, user, today: datetime.date) -> dict:
    """My training: overdue first, then due soon, in progress, not started, completed."""
    assignments = list(
        Assignment.objects.filter(employee__user=user)
        .select_related("course")
        .order_by("due_date", "pk")
    )
    open_courses = list(
        CoursePage.objects.live()
        .filter(open_to_all=True)
        .exclude(pk__in=[a.course_id for a in assignments])
        .order_by("title")
    )
    courses = {a.course_id: a.course for a in assignments}
    progress = course_progress_for(user=user, courses=list(courses.values()))
    rows = []
    for assignment in assignments:
        status = assignment.status_on(today)
        rows.append(
            DashboardRow(
                assignment=assignment,
                status=status,
                progress=progress[assignment.course_id],
                due_soon=(
                    status != AssignmentStatus.COMPLETED
                    and status != AssignmentStatus.OVERDUE
                    and assignment.due_date <= today + datetime.timedelta(days=DUE_SOON_DAYS)
                ),
            )
        )
    overdue = [r for r in rows if r.status == AssignmentStatus.OVERDUE]
    due_soon = [r for r in rows if r.due_soon]
    in_progress = [r for r in rows if r.status == AssignmentStatus.IN_PROGRESS and not r.due_soon]
    not_started = [r for r in rows if r.status == AssignmentStatus.NOT_STARTED and not r.due_soon]
    completed = sorted(
        (r for r in rows if r.status == AssignmentStatus.COMPLETED),
        key=lambda r: r.assignment.completed_at,
        reverse=True,
    )
    return {
        "sections": [
            ("overdue", "Overdue", overdue),
            ("due-soon", "Due in the next two weeks", due_soon),
            ("in-progress", "In progress", in_progress),
            ("not-started", "Not started yet", not_started),
            ("completed", "Completed", completed),
        ],
        "has_assignments": bool(rows),
        "open_courses": open_courses,
    }


def course_for_learner(*, user, slug: str) -> tuple[CoursePage, Assignment | None]:
    """A live course this person may take: assigned to them, or open to all. Else 404."""
    course = CoursePage.objects.live().filter(slug=slug).first()
    if course is None:
        raise Http404("No such course.")
    assignment = (
        Assignment.objects.filter(employee__user=user, course=course)
        .order_by(F("completed_at").asc(nulls_first=True), "due_date")
        .first()
    )
    if assignment is None and not course.open_to_all:
        raise Http404("This course is not assigned to you.")
    return course, assignment


def module_in_course(*, course: CoursePage, slug: str) -> ModulePage:
    module = ModulePage.objects.child_of(course).live().filter(slug=slug).first()
    if module is None:
        raise Http404("No such module in this course.")
    return module


def knowledge_check_answers(*, user, module: ModulePage) -> dict[str, KnowledgeCheckAnswer]:
    return {
        answer.block_id: answer
        for answer in KnowledgeCheckAnswer.objects.filter(user=user, module=module)
    }


def rule_match_counts(rules) -> dict[int, int]:
    """How many active employees each rule matches, in one query for any number of rules."""
    people = list(
        Employee.objects.active().values_list("department_id", "job_role_id", "location_id")
    )
    counts = {}
    for rule in rules:
        counts[rule.pk] = sum(
            1
            for department_id, job_role_id, location_id in people
            if (not rule.department_id or rule.department_id == department_id)
            and (not rule.job_role_id or rule.job_role_id == job_role_id)
            and (not rule.location_id or rule.location_id == location_id)
        )
    return counts
