"""Reads behind the learner's pages, each a fixed number of queries."""

import datetime
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db.models import F, Q
from django.http import Http404
from django.urls import reverse

from assessments import answers
from assessments.models import Assessment, Attempt, started_in_effect
from assessments.models import Competency as CompetencyRecord
from assessments.services import answer_name, served_items
from certificates.choices import CertificateStatus
from certificates.models import Certificate
from cms.models import PolicyVersion
from courses.choices import Competency, Mood, ScenarioOutcome
from courses.models import CoursePage, ModulePage, ScenarioPage
from learning.choices import AssignmentStatus, ScenarioMode
from learning.models import (
    Assignment,
    Employee,
    KnowledgeCheckAnswer,
    ModuleProgress,
    ScenarioRun,
)
from learning.recertification import (
    DeltaAssessment,
    RefresherWait,
    completion_held_back,
    delta_assessment_for,
    final_passes_counting,
    is_delta,
    pins_by_course,
    pins_in_effect_from,
    recertification_reason,
    recertification_since,
    refresher_wait,
)

DUE_SOON_DAYS = 14


@dataclass
class CourseProgress:
    course: CoursePage
    modules: list[ModulePage]
    scenarios: list[ScenarioPage] = field(default_factory=list)
    done: set[int] = field(default_factory=set)
    opened: dict[int, datetime.datetime] = field(default_factory=dict)
    passed: set[int] = field(default_factory=set)
    played: set[int] = field(default_factory=set)
    assessment_passed: bool = False
    # A delta recertification is passed with a short assessment on the changed sections.
    short_assessment: bool = False

    @property
    def has_assessment(self) -> bool:
        return self.course.assessment_id is not None

    @property
    def total(self) -> int:
        return len(self.modules) + len(self.scenarios) + int(self.has_assessment)

    @property
    def modules_done(self) -> int:
        return sum(1 for m in self.modules if m.pk in self.done)

    @property
    def scenarios_done(self) -> int:
        return sum(1 for s in self.scenarios if s.pk in self.passed)

    @property
    def completed(self) -> int:
        return (
            self.modules_done
            + self.scenarios_done
            + int(self.has_assessment and self.assessment_passed)
        )

    @property
    def summary(self) -> str:
        """Each kind of work counted on its own, since role-plays and the assessment are
        not modules: "2 of 4 modules, 0 of 1 role-play, final assessment not passed"."""
        parts = []
        if self.modules:
            parts.append(_counted(self.modules_done, len(self.modules), "module"))
        if self.scenarios:
            parts.append(_counted(self.scenarios_done, len(self.scenarios), "role-play"))
        if self.has_assessment:
            kind = "recertification assessment" if self.short_assessment else "final assessment"
            parts.append(f"{kind} {'passed' if self.assessment_passed else 'not passed yet'}")
        return ", ".join(parts)

    @property
    def finished_summary(self) -> str:
        """What a completed course asked for, for a card that shows it done: the live
        progress may already count a recertification begun since."""
        parts = []
        if self.modules:
            parts.append(_plural(len(self.modules), "module"))
        if self.scenarios:
            parts.append(_plural(len(self.scenarios), "role-play"))
        if self.has_assessment:
            parts.append("final assessment passed")
        return ", ".join(parts)

    def holds(self, wait: RefresherWait | None = None) -> list[str]:
        """Whatever still holds completing the course back, each in words: the refresher
        waiting for the course (``wait``), then the work left."""
        said = [wait.hold] if wait is not None else []
        left = [m for m in self.modules if m.pk not in self.done]
        if len(left) == 1:
            said.append(f"the module \u201c{left[0].title}\u201d is not finished yet")
        elif left:
            said.append(f"{len(left)} modules are not finished yet")
        unplayed = [s for s in self.scenarios if s.pk not in self.passed]
        if len(unplayed) == 1:
            said.append(f"the role-play \u201c{unplayed[0].title}\u201d is not passed yet")
        elif unplayed:
            said.append(f"{len(unplayed)} role-plays are not passed yet")
        if self.has_assessment and not self.assessment_passed:
            kind = "recertification assessment" if self.short_assessment else "final assessment"
            said.append(f"the {kind} is not yet passed")
        return said

    def scenario_state(self, scenario: ScenarioPage) -> str:
        if scenario.pk in self.passed:
            return "completed"
        return "in_progress" if scenario.pk in self.played else "not_started"

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


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _counted(done: int, total: int, noun: str) -> str:
    return f"{done} of {_plural(total, noun)}"


def _children_by_course(model, courses: list[CoursePage], *fields) -> dict[int, list]:
    """Live children of one page type for several courses, in one query."""
    if not courses:
        return {}
    by_path = {course.path: course.pk for course in courses}
    depth = {course.depth + 1 for course in courses}
    children = (
        model.objects.live()
        .filter(depth__in=depth)
        .filter(reduce(or_, (Q(path__startswith=path) for path in by_path)))
        .order_by("path")
        .only("pk", "title", "slug", "path", "depth", *fields)
    )
    result: dict[int, list] = {course.pk: [] for course in courses}
    for child in children:
        result[by_path[child.path[: -model.steplen]]].append(child)
    return result


def course_progress_for(
    *, user, courses: list[CoursePage], assignments: dict[int, Assignment] | None = None
) -> dict[int, CourseProgress]:
    """Modules, role-plays and this person's progress in them for several courses, in a
    fixed number of queries. Given each course's assignment, an open recertification
    counts only role-plays and assessment passes since it began (and, for a delta, the
    short assessment made for it), as completing it does; completing it also waits for
    the course to be republished on the new version, which progress does not show."""
    if not courses:
        return {}
    assignments = assignments or {}
    since = {pk: recertification_since(a) for pk, a in assignments.items()}

    def counts(course_id, when) -> bool:
        start = since.get(course_id)
        return start is None or (when is not None and when >= start)

    modules = _children_by_course(ModulePage, courses, "estimated_minutes")
    scenarios = _children_by_course(ScenarioPage, courses)
    progress = {
        course.pk: CourseProgress(course, modules[course.pk], scenarios[course.pk])
        for course in courses
    }
    rows = ModuleProgress.objects.filter(user=user, course_id__in=list(progress)).values_list(
        "course_id", "module_id", "last_opened_at", "completed_at"
    )
    for course_id, module_id, opened, completed in rows:
        # A module opened before a recertification began is not started for it.
        if counts(course_id, opened):
            progress[course_id].opened[module_id] = opened
        if completed:
            progress[course_id].done.add(module_id)
    if any(scenarios.values()):
        # For a delta, only role-plays on the changed policy are played again.
        delta_policy = {
            pk: a.policy_version.policy_id for pk, a in assignments.items() if is_delta(a)
        }
        on_policy = set()
        if delta_policy:
            on_policy = set(
                ScenarioPage.policies.through.objects.filter(
                    scenariopage__in=[s.pk for group in scenarios.values() for s in group]
                ).values_list("scenariopage_id", "policypage_id")
            )
        runs = (
            ScenarioRun.objects.filter(user=user, course_id__in=list(progress))
            .order_by()
            .values_list("course_id", "scenario_id", "mode", "passed", "started_at")
        )
        for course_id, scenario_id, mode, passed, started_at in runs:
            if counts(course_id, started_at):
                progress[course_id].played.add(scenario_id)
            redo = course_id not in delta_policy or (
                (scenario_id, delta_policy[course_id]) in on_policy
            )
            if (
                passed
                and mode == ScenarioMode.ASSESSED
                and (not redo or counts(course_id, started_at))
            ):
                progress[course_id].passed.add(scenario_id)
    assessment_ids = {course.assessment_id for course in courses} - {None}
    if assessment_ids:
        passes = list(
            Attempt.objects.passed_certifying()
            .filter(user=user, assessment_id__in=assessment_ids)
            .values_list("assessment_id", "started_at", "scope_version_id")
        )
        # A pass started before the versions the course now teaches took effect does
        # not count (see final_passes_counting).
        taught_from = pins_in_effect_from(course_ids=[course.pk for course in courses])
        for course in courses:
            assignment = assignments.get(course.pk)
            delta_version = assignment.policy_version_id if is_delta(assignment) else None
            progress[course.pk].short_assessment = delta_version is not None
            progress[course.pk].assessment_passed = any(
                assessment_id == course.assessment_id
                and (scope is None or scope == delta_version)
                and counts(course.pk, started_at)
                and started_in_effect(started_at, in_effect_from=taught_from.get(course.pk))
                for assessment_id, started_at, scope in passes
            )
    return progress


@dataclass
class DashboardRow:
    assignment: Assignment
    status: str
    progress: CourseProgress
    due_soon: bool
    why: str = ""  # why a recertification asks for the course again
    held_back: str = ""  # what holds its completion back, when the learner cannot help it
    waiting: RefresherWait | None = None  # a refresher that has not opened yet

    @property
    def status_label(self) -> str:
        if self.waiting is not None and self.status != AssignmentStatus.OVERDUE:
            return self.waiting.status_label
        return AssignmentStatus(self.status).label

    @property
    def badge(self) -> str:
        """The status's style: a refresher not open yet reads apart from one not started."""
        if self.waiting is not None and self.status != AssignmentStatus.OVERDUE:
            return "waiting"
        return self.status


def learner_dashboard(*, user, today: datetime.date) -> dict:
    """My training: overdue first, then due soon, in progress, not started, completed."""
    assignments = list(
        Assignment.objects.filter(employee__user=user)
        .select_related("course", "policy_version__policy")
        .order_by("due_date", "pk")
    )
    open_courses = list(
        CoursePage.objects.live()
        .filter(open_to_all=True)
        .exclude(pk__in=[a.course_id for a in assignments])
        .order_by("title")
    )
    courses = {a.course_id: a.course for a in assignments}
    progress = course_progress_for(
        user=user,
        courses=list(courses.values()),
        assignments={a.course_id: a for a in assignments if a.completed_at is None},
    )
    certificates = list(
        Certificate.objects.filter(user=user)
        .prefetch_related("versions")
        .order_by("-issued_on", "-serial")
    )
    newest = {}
    for certificate in certificates:
        newest.setdefault(certificate.course_id, certificate)
    waiting = [a.course_id for a in assignments if a.completed_at is None and a.policy_version_id]
    pinned = pins_by_course(course_ids=waiting)
    rows = []
    for assignment in assignments:
        status = assignment.status_on(today)
        course_progress = progress[assignment.course_id]
        is_open = assignment.completed_at is None
        wait = refresher_wait(assignment, pinned.get(assignment.course_id, {})) if is_open else None
        rows.append(
            DashboardRow(
                waiting=wait,
                why=recertification_reason(
                    assignment=assignment,
                    certificate=newest.get(assignment.course_id),
                    today=today,
                )
                if is_open
                else "",
                held_back=completion_held_back(
                    assignment=assignment,
                    pinned=pinned.get(assignment.course_id, {}),
                    everything_done=course_progress.completed == course_progress.total,
                )
                if is_open
                else "",
                assignment=assignment,
                status=status,
                progress=course_progress,
                due_soon=(
                    status != AssignmentStatus.COMPLETED
                    and status != AssignmentStatus.OVERDUE
                    and wait is None
                    and assignment.due_date <= today + datetime.timedelta(days=DUE_SOON_DAYS)
                ),
            )
        )
    overdue = [r for r in rows if r.status == AssignmentStatus.OVERDUE]
    # A refresher that has not opened has nothing to do yet: it waits on its own.
    waiting = [r for r in rows if r.waiting is not None and r.status != AssignmentStatus.OVERDUE]
    apart = {id(r) for r in waiting}
    rows = [r for r in rows if id(r) not in apart]
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
            ("waiting", "Opens when the course is updated", waiting),
            ("completed", "Completed", completed),
        ],
        "has_assignments": bool(rows or waiting),
        "open_courses": open_courses,
        "certificates": [
            (certificate, CertificateStatus(certificate.status_on(today)).label)
            for certificate in certificates
        ],
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


def scenario_in_course(*, course: CoursePage, slug: str) -> ScenarioPage:
    scenario = ScenarioPage.objects.child_of(course).live().filter(slug=slug).first()
    if scenario is None:
        raise Http404("No such role-play in this course.")
    return scenario


def scenario_run_for_learner(*, user, scenario: ScenarioPage, public_id) -> ScenarioRun:
    """The learner's own run of this scenario; anyone else's is 404, as if it did not exist."""
    run = (
        ScenarioRun.objects.select_related("script")
        .filter(public_id=public_id, user=user, scenario=scenario)
        .first()
    )
    if run is None:
        raise Http404("No such run.")
    return run


def scenario_runs_for(*, user, course: CoursePage, scenario: ScenarioPage) -> list[ScenarioRun]:
    return list(
        ScenarioRun.objects.filter(user=user, course=course, scenario=scenario).order_by(
            "-started_at"
        )[:10]
    )


def scenario_step_view(run: ScenarioRun) -> dict:
    """What the learner may see now: the current step and its choices (never where they
    lead or how they score) and the feedback on the choice just made."""
    graph = run.script.graph
    step = graph.by_key[run.current_step]
    last = None
    if run.path:
        previous = graph.by_key[run.path[-1]["step"]]
        choice = previous.choice(run.path[-1]["choice"])
        last = {"line": choice.line, "feedback": choice.feedback}
    return {
        "step": {
            "key": step.key,
            "customer_line": step.customer_line,
            "narration": step.narration,
            "choices": [{"id": c.id, "line": c.line} for c in step.choices],
        },
        "mood": run.mood,
        "mood_label": Mood(run.mood).label,
        "last": last,
        "turn": run.turn,
    }


def _section_links(run: ScenarioRun, choices) -> list[dict]:
    """Links to the policy sections behind choices, in the versions the run was played on."""
    wanted = {(c.policy_id, c.section_key) for c in choices if c.policy_id and c.section_key}
    return policy_section_links(run.policy_versions, wanted)


def policy_section_links(in_force, wanted: set[tuple[int, str]]) -> list[dict]:
    """Links to policy sections, (policy id, key) in ``wanted``, in the versions of
    ``in_force`` (a queryset of versions) or, for a policy it lacks, the newest version."""
    if not wanted:
        return []
    versions = {
        v.policy_id: v
        for v in in_force.select_related("policy").filter(
            policy_id__in={policy_id for policy_id, _ in wanted}
        )
    }
    missing = {policy_id for policy_id, _ in wanted} - set(versions)
    if missing:
        for version in (
            PolicyVersion.objects.filter(policy_id__in=missing)
            .select_related("policy")
            .order_by("policy_id", "major", "minor")
        ):
            versions[version.policy_id] = version
    links = []
    for policy_id, key in sorted(wanted):
        version = versions.get(policy_id)
        section = version.section(key) if version else None
        if section is None:
            continue
        url = reverse("policy_version", args=[version.policy.slug, version.label])
        links.append(
            {
                "url": f"{url}#section-{key}",
                "policy": version.title,
                "label": version.label,
                "heading": section["heading"],
            }
        )
    return links


def scenario_debrief(run: ScenarioRun) -> dict:
    """The end of a run: outcome, scores beside the best path's, both paths, and the
    policy sections the learner's replies departed from."""
    graph = run.script.graph
    ending = graph.by_key[run.current_step]
    best_ids = graph.best_choice_ids()
    taken = []
    for entry in run.path:
        step = graph.by_key[entry["step"]]
        choice = step.choice(entry["choice"])
        taken.append({"step": step, "choice": choice, "best": choice.id in best_ids})
    best_path = [{"step": step, "choice": choice} for step, choice in graph.best_path() if choice]
    best_scores: dict[str, int] = {}
    for item in best_path:
        for competency, points in item["choice"].scores.items():
            best_scores[competency] = best_scores.get(competency, 0) + points
    scores = [
        {
            "label": competency.label,
            "yours": run.scores.get(competency.value, 0),
            "best": best_scores.get(competency.value, 0),
        }
        for competency in Competency
    ]
    rule = run.script.rule()
    return {
        "ending": ending,
        "outcome_label": ScenarioOutcome(ending.outcome).label,
        "passed": run.passed,
        "shortfalls": rule.shortfalls(
            scores=run.scores, outcome=ending.outcome, names=dict(Competency.choices)
        ),
        "scores": scores,
        "total": sum(run.scores.values()),
        "best_total": sum(best_scores.values()),
        "taken": taken,
        "best_path": best_path,
        "best_outcome_label": ScenarioOutcome(graph.best_path()[-1][0].outcome).label,
        # A reply can be less than the best yet keep to its policy section: only the
        # replies that lost points (on compliance or overall) send the learner back to it.
        "missed_sections": _section_links(
            run,
            [
                item["choice"]
                for item in taken
                if not item["best"]
                and (
                    item["choice"].scores.get("policy_compliance", 0) < 0
                    or item["choice"].total < 0
                )
            ],
        ),
    }


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


# ---------------------------------------------------------------------------------------------
# Assessments
# ---------------------------------------------------------------------------------------------

ASSESSMENT_SLOTS = {"final": "assessment", "practice": "practice_assessment"}


def course_assessment(*, course: CoursePage, which: str) -> Assessment:
    """The course's final or practice assessment; 404 when it has none."""
    field_name = ASSESSMENT_SLOTS.get(which)
    assessment_id = getattr(course, f"{field_name}_id", None) if field_name else None
    if assessment_id is None:
        raise Http404("This course has no such assessment.")
    return Assessment.objects.prefetch_related("minimums__competency").get(pk=assessment_id)


@dataclass(frozen=True)
class FinalAssessmentState:
    delta: DeltaAssessment | None  # the short recertification assessment, if that is it
    passed: bool  # passed in a way that counts for the learner's assignment now


def final_assessment_state(
    *, user, course: CoursePage, assignment: Assignment | None
) -> FinalAssessmentState:
    """What the learner must pass: the whole final assessment or, on a delta
    recertification, the short one; and whether a pass that counts is already in."""
    if course.assessment_id is None:
        return FinalAssessmentState(delta=None, passed=False)
    if assignment is None or assignment.completed_at is not None:
        # Nothing open: any pass is history worth showing.
        passes = Attempt.objects.passed_certifying().filter(
            user=user, assessment_id=course.assessment_id
        )
    else:
        passes = final_passes_counting(user=user, course=course, assignment=assignment)
    return FinalAssessmentState(
        delta=delta_assessment_for(assignment=assignment, course=course),
        passed=passes.exists(),
    )


def attempts_for(*, user, assessment: Assessment) -> list[Attempt]:
    return list(Attempt.objects.filter(user=user, assessment=assessment).order_by("-number"))


@dataclass(frozen=True)
class NumberedAttempt:
    """An attempt with the number the learner knows it by: on a recertification, its
    place among the attempts made for that recertification."""

    attempt: Attempt
    number: int


@dataclass(frozen=True)
class AttemptHistory:
    """A learner's attempts at one assessment, newest first. On a recertification
    (``since`` set) ``current`` holds those made for it, numbered afresh from 1 as the
    attempt limit counts them, and ``earlier`` those made before it began."""

    current: list[NumberedAttempt]
    earlier: list[NumberedAttempt]
    since: datetime.datetime | None

    @property
    def used(self) -> int:
        return sum(1 for entry in self.current if not entry.attempt.is_open)

    @property
    def open(self) -> NumberedAttempt | None:
        return next((entry for entry in self.current if entry.attempt.is_open), None)


def attempt_history(*, user, assessment: Assessment, since=None) -> AttemptHistory:
    """``since``: when a recertification began counting attempts (see
    ``recertification_since``), or None when every attempt counts."""
    attempts = attempts_for(user=user, assessment=assessment)
    if since is None:
        return AttemptHistory([NumberedAttempt(a, a.number) for a in attempts], [], None)
    current = [a for a in attempts if a.started_at >= since]
    earlier = [NumberedAttempt(a, a.number) for a in attempts if a.started_at < since]
    numbered = [NumberedAttempt(a, len(current) - index) for index, a in enumerate(current)]
    return AttemptHistory(numbered, earlier, since)


def assessment_heading(*, assessment: Assessment, course, short: bool) -> str:
    """What the learner's pages call an assessment. The short recertification one is
    named for what it is, not after the final assessment its questions come from."""
    if short:
        return f"{course.title}: recertification assessment"
    return assessment.title


def attempt_label(*, attempt: Attempt, since=None) -> str:
    """How the learner's pages name one attempt: "Attempt 1 of 3 for this
    recertification" when it counts towards a recertification, else "Attempt 2"."""
    if since is None or attempt.started_at < since:
        return f"Attempt {attempt.number}"
    number = Attempt.objects.filter(
        user_id=attempt.user_id,
        assessment_id=attempt.assessment_id,
        started_at__gte=since,
        number__lte=attempt.number,
    ).count()
    allowed = attempt.assessment.attempts_allowed
    of = f" of {allowed}" if allowed and not attempt.assessment.is_practice else ""
    return f"Attempt {number}{of} for this recertification"


def attempt_for_learner(*, user, assessment: Assessment, public_id) -> Attempt:
    """The learner's own attempt; anyone else's is 404, as if it did not exist."""
    attempt = (
        Attempt.objects.select_related("assessment")
        .filter(public_id=public_id, user=user, assessment=assessment)
        .first()
    )
    if attempt is None:
        raise Http404("No such attempt.")
    return attempt


def attempt_page_view(
    attempt: Attempt, items, page: int, *, posted=None, errors: dict[int, str] | None = None
) -> dict:
    """One page of an attempt as the learner sees it: stems and option texts in the order
    served, their saved answers, and (practice, once checked) the marking of the page.

    ``items`` are the attempt's items as saved, and the count of answered questions comes
    from them. A page that was posted and not saved passes ``posted`` (the form) and
    ``errors`` (by position): its questions show what was typed, each with its error."""
    summary = attempt_summary(attempt, items)
    per_page, pages = attempt.assessment.questions_per_page, summary["pages"]
    if not 1 <= page <= pages:
        raise Http404("No such page in this attempt.")
    on_page = items[(page - 1) * per_page : page * per_page]
    errors = errors or {}
    questions = []
    for item in on_page:
        name = answer_name(item)
        if posted is not None and not item.checked:
            shown = answers.shown_as_posted(item.kind, item.block, item.order, posted, name)
        else:
            shown = answers.shown(item.kind, item.block, item.order, item.answer, name)
        entry = {
            "item": item,
            "stem": item.served.stem,
            "shown": shown,
            "error": errors.get(item.position),
        }
        if item.checked:
            entry["review"] = _review_of(item, correctness=True, right=True, feedback=True)
        questions.append(entry)
    return {
        "questions": questions,
        "page": page,
        "pages": pages,
        "page_range": range(1, pages + 1),
        "answered": summary["answered"],
        "total": summary["total"],
    }


def attempt_summary(attempt: Attempt, items) -> dict:
    """Before submitting: how much is answered, and where each unanswered question is."""
    per_page = attempt.assessment.questions_per_page
    return {
        "answered": sum(1 for item in items if item.answer is not None),
        "total": len(items),
        "pages": max(1, -(-len(items) // per_page)),
        "unanswered": [
            {"position": item.position, "page": index // per_page + 1}
            for index, item in enumerate(items)
            if item.answer is None
        ],
    }


def _review_of(item, *, correctness: bool, right: bool, feedback: bool) -> dict:
    fraction = item.fraction
    review = {
        "given": answers.given_answer(item.kind, item.block, item.answer),
        "state": None,
        "right": [],
        "feedback": [],
    }
    if correctness and fraction is not None:
        review["state"] = "right" if fraction >= 1 else ("partly" if fraction > 0 else "wrong")
        review["percent"] = round(100 * fraction)
    if right:
        review["right"] = answers.right_answer(item.kind, item.block)
    if feedback:
        notes = answers.feedback(item.kind, item.block, item.answer)
        if item.served.general_feedback:
            notes.append(item.served.general_feedback)
        review["feedback"] = notes
    return review


def attempt_result_view(attempt: Attempt, course: CoursePage) -> dict:
    """The result of a closed attempt, showing only what the assessment's review options
    allow; weak competencies come with the modules and policy sections to revisit."""
    assessment = attempt.assessment
    practice = attempt.mode == "practice"
    graded = attempt.status == "graded"
    passed = bool(attempt.passed)
    show = {
        "score": practice or assessment.review_score,
        "correctness": practice or assessment.review_correctness,
        "answers": practice
        or assessment.review_answers
        or (passed and assessment.review_answers_when_passed),
        "feedback": practice
        or assessment.review_feedback
        or (passed and assessment.review_feedback_when_passed),
    }
    items = served_items(attempt)
    names = dict(CompetencyRecord.objects.values_list("key", "name"))
    weak = []
    if graded:
        for key, percent in sorted(attempt.by_competency.items()):
            threshold = attempt.competency_minimums.get(key, attempt.pass_percent)
            if percent + 1e-9 < threshold:
                weak.append({"key": key, "name": names.get(key, key), "percent": percent})
    missed = [item for item in items if item.fraction is not None and item.fraction < 1]
    weak_keys = {entry["key"] for entry in weak}
    sections = {
        (item.policy_id, key)
        for item in missed
        if item.policy_id and (weak_keys & set(item.competencies) or not item.competencies)
        for key in item.section_keys
    }
    modules = [module for module in course.get_modules() if module.quoted_sections() & sections]
    rows = []
    if graded and (show["correctness"] or show["answers"] or show["feedback"]):
        rows = [
            {
                "position": item.position,
                "stem": item.served.stem,
                "review": _review_of(
                    item,
                    correctness=show["correctness"],
                    right=show["answers"],
                    feedback=show["feedback"],
                ),
            }
            for item in items
        ]
    return {
        "show": show,
        "graded": graded,
        "competencies": [
            {"name": names.get(key, key), "percent": percent}
            for key, percent in sorted(
                attempt.by_competency.items(), key=lambda pair: names.get(pair[0], pair[0])
            )
        ],
        "weak": weak,
        "revisit_modules": modules,
        "revisit_sections": policy_section_links(attempt.policy_versions, sections),
        "rows": rows,
    }
