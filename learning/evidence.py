"""One person's whole training record for HR, as plain data: the page, the PDF evidence
pack and the JSON export all read it, in a fixed number of queries however much the
person has done."""

import datetime
from dataclasses import asdict, dataclass, field

from django.db.models import F, Prefetch
from django.utils import timezone

from assessments import answers
from assessments.choices import AssessmentMode, AttemptClosedBy, AttemptStatus
from assessments.models import Attempt, AttemptItem
from assessments.models import Competency as CompetencyRecord
from assessments.services import served_question
from assessments.text import plain_text
from certificates.choices import CertificateStatus
from certificates.models import Certificate
from certificates.rendering import verification_url
from cms.models import PolicyAcknowledgement
from cms.site_address import site_base_url
from courses.choices import Competency as ScenarioCompetency
from courses.choices import ScenarioOutcome
from learning.choices import AssignmentStatus, ComplianceStatus, ScenarioMode
from learning.compliance import matrix_columns, matrix_rows
from learning.models import Assignment, Employee, Reminder, ScenarioRun
from learning.recertification import completion_held_back, pins_by_course
from learning.reminders import MANAGER, OVERDUE
from learning.selectors import course_progress_for

FORMAT_VERSION = 1


def _person_label(user) -> str:
    if user is None:
        return ""
    name = user.get_full_name()
    return f"{name} <{user.email}>" if name else user.email


def _version_text(version) -> str:
    return f"{version.title} {version.label}"


@dataclass
class Person:
    id: int
    employee_number: str
    name: str
    email: str
    department: str
    job_role: str
    location: str
    manager: str
    hire_date: datetime.date | None
    active: bool


@dataclass
class CourseStanding:
    course_id: int
    course: str
    status: str
    status_label: str
    status_text: str
    policies: list[str]


@dataclass
class AssignmentEntry:
    id: int
    course_id: int
    course: str
    reason: str
    assigned_at: datetime.datetime
    assigned_by: str
    due_date: datetime.date
    started_at: datetime.datetime | None
    completed_at: datetime.datetime | None
    status: str
    status_label: str
    recertification_for: str
    changed_sections: list[str]
    held_back: str = ""  # what holds an open recertification back, and what happens next
    progress_done: int | None = None
    progress_total: int | None = None
    progress_percent: int | None = None
    progress_text: str = ""


@dataclass
class PathEntry:
    step: str
    customer_line: str
    choice: str
    reply: str
    at: str


@dataclass
class ScenarioRunEntry:
    id: int
    public_id: str
    course: str
    scenario: str
    script_id: int
    script_written_for: list[str]  # the policy versions the script was written for
    mode: str
    started_at: datetime.datetime
    finished_at: datetime.datetime | None
    outcome: str
    outcome_label: str
    passed: bool | None
    scores: dict[str, int]
    policy_versions: list[str]
    path: list[PathEntry]


@dataclass
class AttemptItemEntry:
    position: int
    question_id: int
    question: str
    revision_id: int
    revision_created_at: datetime.datetime
    revision_written_for: str  # the policy version the revision was written for, if any
    revised_since: bool
    kind: str
    stem: str
    answered: bool
    given: list[str]
    state: str | None
    percent: int | None
    right: list[str]


@dataclass
class AttemptEntry:
    id: int
    public_id: str
    assessment: str
    number: int
    mode: str
    status: str
    status_label: str
    started_at: datetime.datetime
    submitted_at: datetime.datetime | None
    closed_by: str
    percent: float | None
    passed: bool | None
    graded_at: datetime.datetime | None
    competencies: list[dict]
    policy_versions: list[str]
    answer_key_shown: bool
    items: list[AttemptItemEntry]


@dataclass
class CertificateVersionEntry:
    policy: str
    label: str
    content_hash: str


@dataclass
class CertificateEntry:
    id: int
    serial: str
    course: str
    status: str
    status_label: str
    status_today: str
    status_today_label: str
    issued_on: datetime.date
    expires_on: datetime.date | None
    recertification_due_on: datetime.date | None
    status_reason: str
    status_changed_at: datetime.datetime | None
    superseded_by: str
    attempt_id: int | None
    pdf_sha256: str
    verification_url: str
    policy_versions: list[CertificateVersionEntry]


@dataclass
class AcknowledgementEntry:
    policy: str
    version: str
    content_hash: str
    acknowledged_at: datetime.datetime


@dataclass
class ReminderEntry:
    course: str
    kind: str
    kind_label: str
    recipient: str
    claimed_at: datetime.datetime
    sent_at: datetime.datetime | None


@dataclass
class EmployeeRecord:
    person: Person
    today: datetime.date
    standing: list[CourseStanding] = field(default_factory=list)
    assignments: list[AssignmentEntry] = field(default_factory=list)
    scenario_runs: list[ScenarioRunEntry] = field(default_factory=list)
    attempts: list[AttemptEntry] = field(default_factory=list)
    certificates: list[CertificateEntry] = field(default_factory=list)
    acknowledgements: list[AcknowledgementEntry] = field(default_factory=list)
    reminders: list[ReminderEntry] = field(default_factory=list)


def _person(employee: Employee) -> Person:
    return Person(
        id=employee.pk,
        employee_number=employee.employee_number,
        name=employee.full_name,
        email=employee.email,
        department=str(employee.department or ""),
        job_role=str(employee.job_role or ""),
        location=str(employee.location or ""),
        manager=employee.manager.full_name if employee.manager else "",
        hire_date=employee.hire_date,
        active=employee.active,
    )


def _standing(employee: Employee, today: datetime.date) -> list[CourseStanding]:
    """The person's cell on every course that concerns them, as the compliance matrix
    shows it."""
    columns = matrix_columns()
    (row,) = matrix_rows([employee], columns, today=today)
    return [
        CourseStanding(
            course_id=column.pk,
            course=column.course.title,
            status=cell.status,
            status_label=cell.label,
            status_text=cell.text,
            policies=column.policies,
        )
        for column, cell in zip(columns, row.cells, strict=True)
        if cell.status != ComplianceStatus.NOT_REQUIRED
    ]


def _assignments(employee: Employee, today: datetime.date) -> list[AssignmentEntry]:
    assignments = list(
        Assignment.objects.filter(employee=employee)
        .select_related("course", "assigned_by", "policy_version")
        .order_by("-assigned_at", "-pk")
    )
    open_courses = {a.course_id: a.course for a in assignments if a.completed_at is None}
    progress = course_progress_for(
        user=employee.user,
        courses=list(open_courses.values()),
        assignments={a.course_id: a for a in assignments if a.completed_at is None},
    )
    waiting = [a.course_id for a in assignments if a.completed_at is None and a.policy_version_id]
    pinned = pins_by_course(course_ids=waiting)
    entries = []
    for assignment in assignments:
        status = assignment.status_on(today)
        version = assignment.policy_version
        entry = AssignmentEntry(
            id=assignment.pk,
            course_id=assignment.course_id,
            course=assignment.course.title,
            reason=assignment.get_reason_display(),
            assigned_at=assignment.assigned_at,
            assigned_by=_person_label(assignment.assigned_by),
            due_date=assignment.due_date,
            started_at=assignment.started_at,
            completed_at=assignment.completed_at,
            status=status,
            status_label=AssignmentStatus(status).label,
            recertification_for=_version_text(version) if version else "",
            changed_sections=assignment.changed_section_headings,
        )
        if assignment.completed_at is None and assignment.course_id in progress:
            course_progress = progress[assignment.course_id]
            entry.held_back = completion_held_back(
                assignment=assignment,
                pinned=pinned.get(assignment.course_id, {}),
                everything_done=course_progress.completed == course_progress.total,
                for_hr=True,
            )
            if status == AssignmentStatus.NOT_STARTED and course_progress.completed:
                # Work done before the assignment (modules a recertification does not ask
                # for again, role-plays on unchanged policies) counts towards completing
                # it, as the progress beside it says: so it is under way.
                entry.status = AssignmentStatus.IN_PROGRESS
                entry.status_label = AssignmentStatus.IN_PROGRESS.label
            entry.progress_done = course_progress.completed
            entry.progress_total = course_progress.total
            entry.progress_percent = course_progress.percent
            entry.progress_text = course_progress.summary
        entries.append(entry)
    return entries


def _path(run: ScenarioRun) -> list[PathEntry]:
    """Each choice made, with the words on both sides as the run's own script had them."""
    graph = run.script.graph
    entries = []
    for taken in run.path:
        step = graph.by_key.get(taken["step"])
        choice = step.choice(taken["choice"]) if step else None
        entries.append(
            PathEntry(
                step=taken["step"],
                customer_line=step.customer_line if step else "",
                choice=taken["choice"],
                reply=choice.line if choice else "",
                at=taken.get("at", ""),
            )
        )
    return entries


def _scenario_runs(employee: Employee) -> list[ScenarioRunEntry]:
    runs = (
        ScenarioRun.objects.filter(user_id=employee.user_id)
        .select_related("course", "script")
        .prefetch_related("policy_versions", "script__policy_versions")
        .order_by("-started_at", "-pk")
    )
    competency_names = dict(ScenarioCompetency.choices)
    return [
        ScenarioRunEntry(
            id=run.pk,
            public_id=str(run.public_id),
            course=run.course.title,
            scenario=run.script.title,
            script_id=run.script_id,
            script_written_for=sorted(_version_text(v) for v in run.script.policy_versions.all()),
            mode=ScenarioMode(run.mode).label,
            started_at=run.started_at,
            finished_at=run.finished_at,
            outcome=run.outcome,
            outcome_label=ScenarioOutcome(run.outcome).label if run.outcome else "",
            passed=run.passed,
            scores={competency_names.get(k, k): v for k, v in sorted(run.scores.items())},
            policy_versions=sorted(_version_text(v) for v in run.policy_versions.all()),
            path=_path(run),
        )
        for run in runs
    ]


def _written_for(revision) -> str:
    """The policy version a question revision was written for, in words; empty for a
    question that tests no policy."""
    record = getattr(revision, "question_version", None)
    return _version_text(record.version) if record is not None and record.version_id else ""


def _attempt_item(item: AttemptItem, *, reveal: bool) -> AttemptItemEntry:
    question = served_question(item.revision)
    block = question.answer[0].value
    fraction = item.fraction if reveal else None
    state = None
    if fraction is not None:
        state = "right" if fraction >= 1 else ("partly" if fraction > 0 else "wrong")
    return AttemptItemEntry(
        position=item.position,
        question_id=item.question_id,
        question=question.title,
        revision_id=item.revision_id,
        revision_created_at=item.revision.created_at,
        revision_written_for=_written_for(item.revision),
        revised_since=item.latest_revision_id != item.revision_id,
        kind=item.kind,
        stem=plain_text(question.stem),
        answered=item.answer is not None,
        given=answers.given_answer(item.kind, block, item.answer),
        state=state,
        percent=round(100 * fraction) if fraction is not None else None,
        right=answers.right_answer(item.kind, block) if reveal else [],
    )


def _attempts(employee: Employee) -> list[AttemptEntry]:
    items = AttemptItem.objects.select_related("revision__question_version__version").annotate(
        latest_revision_id=F("question__latest_revision_id")
    )
    attempts = (
        Attempt.objects.filter(user_id=employee.user_id)
        .select_related("assessment")
        .prefetch_related(Prefetch("items", queryset=items.order_by("position")), "policy_versions")
        .order_by("-started_at", "-pk")
    )
    attempts = list(attempts)
    names = dict(CompetencyRecord.objects.values_list("key", "name")) if attempts else {}
    entries = []
    for attempt in attempts:
        # Answer keys only once the attempt is closed: never for one still being sat.
        reveal = attempt.status != AttemptStatus.IN_PROGRESS
        entries.append(
            AttemptEntry(
                id=attempt.pk,
                public_id=str(attempt.public_id),
                assessment=attempt.assessment.title,
                number=attempt.number,
                mode="Practice" if attempt.mode == AssessmentMode.PRACTICE else "Certifying",
                status=attempt.status,
                status_label=AttemptStatus(attempt.status).label,
                started_at=attempt.started_at,
                submitted_at=attempt.submitted_at,
                closed_by=AttemptClosedBy(attempt.closed_by).label if attempt.closed_by else "",
                percent=attempt.percent,
                passed=attempt.passed,
                graded_at=attempt.graded_at,
                competencies=[
                    {"key": key, "name": names.get(key, key), "percent": percent}
                    for key, percent in sorted(attempt.by_competency.items())
                ],
                policy_versions=sorted(_version_text(v) for v in attempt.policy_versions.all()),
                answer_key_shown=reveal,
                items=[_attempt_item(item, reveal=reveal) for item in attempt.items.all()],
            )
        )
    return entries


def _certificates(
    employee: Employee, today: datetime.date, base_url: str
) -> list[CertificateEntry]:
    certificates = list(
        Certificate.objects.filter(user_id=employee.user_id)
        .prefetch_related("versions")
        .order_by("-issued_on", "-serial")
    )
    serials = {certificate.pk: certificate.serial for certificate in certificates}
    entries = []
    for certificate in certificates:
        today_status = certificate.status_on(today)
        entries.append(
            CertificateEntry(
                id=certificate.pk,
                serial=certificate.serial,
                course=certificate.course_title,
                status=certificate.status,
                status_label=CertificateStatus(certificate.status).label,
                status_today=today_status,
                status_today_label=CertificateStatus(today_status).label,
                issued_on=certificate.issued_on,
                expires_on=certificate.expires_on,
                recertification_due_on=certificate.recertification_due_on,
                status_reason=certificate.status_reason,
                status_changed_at=certificate.status_changed_at,
                superseded_by=serials.get(certificate.superseded_by_id, ""),
                attempt_id=certificate.attempt_id,
                pdf_sha256=certificate.pdf_sha256,
                verification_url=verification_url(certificate, base_url=base_url),
                policy_versions=[
                    CertificateVersionEntry(v.policy_title, v.label, v.content_hash)
                    for v in certificate.versions.all()
                ],
            )
        )
    return entries


def _acknowledgements(employee: Employee) -> list[AcknowledgementEntry]:
    rows = (
        PolicyAcknowledgement.objects.filter(user_id=employee.user_id)
        .select_related("version")
        .order_by("-acknowledged_at", "-pk")
    )
    return [
        AcknowledgementEntry(
            policy=row.version.title,
            version=row.version.label,
            content_hash=row.version.content_hash,
            acknowledged_at=row.acknowledged_at,
        )
        for row in rows
    ]


def reminder_kind_label(kind: str) -> str:
    if kind == OVERDUE:
        return "Overdue, to the learner"
    if kind == MANAGER:
        return "Overdue, to their manager"
    if kind.startswith("nudge-"):  # a manager's "send reminder", one kind per day
        return "Sent by their manager"
    days = kind.removeprefix("due-")
    if days.isdigit():
        return f"{days} day{'' if days == '1' else 's'} before due"
    return kind


def _reminders(employee: Employee) -> list[ReminderEntry]:
    rows = (
        Reminder.objects.filter(assignment__employee=employee)
        .order_by("-claimed_at", "-pk")
        .values_list("assignment__course__title", "kind", "recipient", "claimed_at", "sent_at")
    )
    return [
        ReminderEntry(
            course=course,
            kind=kind,
            kind_label=reminder_kind_label(kind),
            recipient=recipient,
            claimed_at=claimed_at,
            sent_at=sent_at,
        )
        for course, kind, recipient, claimed_at, sent_at in rows
    ]


def employee_record(
    *, employee: Employee, today: datetime.date | None = None, base_url: str | None = None
) -> EmployeeRecord:
    """Everything about one person's training. ``employee`` should come from
    ``Employee.objects.with_org()``. A fixed number of queries, whatever the number of
    assignments, runs, attempts, certificates or reminders. Verification addresses start
    with ``base_url``: the site's address (``site_base_url``) unless given."""
    today = today or timezone.localdate()
    base_url = base_url or site_base_url()
    return EmployeeRecord(
        person=_person(employee),
        today=today,
        standing=_standing(employee, today),
        assignments=_assignments(employee, today),
        scenario_runs=_scenario_runs(employee),
        attempts=_attempts(employee),
        certificates=_certificates(employee, today, base_url),
        acknowledgements=_acknowledgements(employee),
        reminders=_reminders(employee),
    )


def _plain(value):
    """JSON-ready: dates and times as ISO 8601 (times in local time, with the offset)."""
    if isinstance(value, datetime.datetime):
        return (timezone.localtime(value) if timezone.is_aware(value) else value).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def employee_record_data(
    record: EmployeeRecord, *, generated_by: str, generated_at: datetime.datetime
) -> dict:
    """The record as JSON-ready data, stamped with who generated it and when."""
    return _plain(
        {
            "format_version": FORMAT_VERSION,
            "generated_by": generated_by,
            "generated_at": generated_at,
            **asdict(record),
        }
    )


def generated_by_label(user) -> str:
    """Who generated an export, as the stamp names them: "Name <email>"."""
    return _person_label(user)
