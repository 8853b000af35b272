"""State changes for people and their training: employees, the staff import,
assignments and their rules, module progress, role-play runs and course completion."""

import csv
import datetime
import io
import logging
import unicodedata
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone
from wagtail.log_actions import log

from accounts.addresses import account_email_set_verified
from assessments.choices import AssessmentMode
from assessments.models import Assessment, Attempt
from assessments.services import attempt_start
from certificates.services import CertificateIssueRefused, certificate_issue
from courses.models import CoursePage, CoursePolicyPin, ModulePage, ScenarioPage
from courses.scenario_graph import Choice, ChoiceNotOffered, RunState
from courses.scripts import scenario_script_for_course
from courses.services import KnowledgeCheckResult, knowledge_check_grade
from learning.account_guard import AccountChange, account_change_refusals, employee_account_refusal
from learning.choices import AssignmentReason, ScenarioMode
from learning.models import (
    Assignment,
    AssignmentRule,
    Department,
    Employee,
    JobRole,
    KnowledgeCheckAnswer,
    Location,
    ModuleProgress,
    ScenarioRun,
)
from learning.recertification import (
    delta_assessment_for,
    final_passes_counting,
    recertification_since,
    recertification_waits_for,
    refresher_check_open,
)

User = get_user_model()
logger = logging.getLogger(__name__)

REQUIRED_COLUMNS = ("employee_number", "first_name", "last_name", "email")
OPTIONAL_COLUMNS = (
    "department",
    "job_role",
    "location",
    "manager_employee_number",
    "hire_date",
    "active",
)
TRUE_WORDS = {"", "1", "y", "yes", "true", "active"}
FALSE_WORDS = {"0", "n", "no", "false", "inactive"}


@transaction.atomic
def employee_save(
    *,
    employee: Employee,
    email: str,
    first_name: str,
    last_name: str,
    actor=None,
    apply_rules: bool = True,
) -> Employee:
    """Create or update an employee together with their user account.

    Onboarding courses and assignment rules are applied straight away, so someone
    created, imported or moved to another role sees their training at once. Linking,
    re-emailing or (de)activating an account beyond HR's (see ``learning.account_guard``)
    is refused unless ``actor`` is a superuser.
    """
    creating = employee.pk is None
    email = email.strip().lower()
    refusal = employee_account_refusal(
        actor=actor, employee=employee, email=email, active=employee.active
    )
    if refusal:
        raise ValidationError({"email": refusal})
    if creating:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email=email, first_name=first_name, last_name=last_name)
        elif Employee.objects.filter(user=user).exists():
            raise ValidationError({"email": "Another employee already uses this email address."})
        employee.user = user
    user = employee.user
    user.email, user.first_name, user.last_name = email, first_name, last_name
    was_active = user.is_active
    user.is_active = employee.active
    user.save()
    account_email_set_verified(user=user)  # HR gave the address, so it is the person's
    employee.full_clean()
    employee.save()
    log(instance=employee, action="wagtail.create" if creating else "wagtail.edit", user=actor)
    if was_active and not employee.active:
        log(instance=employee, action="learning.deactivate", user=actor)
    if employee.active and apply_rules:
        assignments_apply_rules(employees=[employee])
    return employee


@dataclass(frozen=True)
class RowError:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass(frozen=True)
class PlannedAssignment:
    """A course the import gives someone, as the preview shows it."""

    employee_number: str
    person: str
    course: str
    reason: str
    due_date: datetime.date
    overdue: bool


@dataclass
class StaffImportResult:
    dry_run: bool
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    deactivated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    assignments: list[PlannedAssignment] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def overdue(self) -> list[PlannedAssignment]:
        return [planned for planned in self.assignments if planned.overdue]

    def assignments_summary(self) -> str:
        count, late = len(self.assignments), len(self.overdue)
        if not count:
            return "No course is assigned by this import."
        made = "would be assigned" if self.dry_run else "assigned"
        text = f"{count} course{'s' if count != 1 else ''} {made}"
        if late:
            text += f"; {late} {'is' if late == 1 else 'are'} already overdue on the day"
            text += " of the import (people hired longer ago than the course allows)"
        return text + "."

    def summary(self) -> str:
        verb = "Would create" if self.dry_run else "Created"
        return (
            f"{verb} {len(self.created)}, "
            f"{'would update' if self.dry_run else 'updated'} {len(self.updated)}, "
            f"{'would deactivate' if self.dry_run else 'deactivated'} {len(self.deactivated)}; "
            f"{len(self.unchanged)} unchanged."
        )


@dataclass
class StaffRow:
    line: int
    employee_number: str
    first_name: str
    last_name: str
    email: str
    department: str
    job_role: str
    location: str
    manager_number: str
    hire_date: datetime.date | None
    active: bool


def staff_import_template() -> str:
    """The columns the import reads, and one made-up person as an example."""
    example = {
        "employee_number": "E-1001",
        "first_name": "Sam",
        "last_name": "Example",
        "email": "sam.example@example.com",
        "department": "Customer Service",
        "job_role": "Agent",
        "location": "Head office",
        "manager_employee_number": "",
        "hire_date": timezone.localdate().isoformat(),
        "active": "yes",
    }
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS])
    writer.writeheader()
    writer.writerow(example)
    return out.getvalue()


class StaffFileError(Exception):
    """The file as a whole cannot be read; no row was looked at."""


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise StaffFileError(
            f"The file is not UTF-8 text (byte {exc.start} cannot be read). "
            "Export it from your HR system as CSV UTF-8."
        ) from exc


def _column_limits() -> dict[str, int]:
    """The longest value each column may hold: what the database column it lands in
    takes, so a value too long is a line's error at the check, never a failed write."""
    number = Employee._meta.get_field("employee_number").max_length
    unit = Department._meta.get_field("name").max_length
    return {
        "employee_number": number,
        "first_name": User._meta.get_field("first_name").max_length,
        "last_name": User._meta.get_field("last_name").max_length,
        "email": User._meta.get_field("email").max_length,
        "department": unit,
        "job_role": JobRole._meta.get_field("name").max_length,
        "location": Location._meta.get_field("name").max_length,
        "manager_employee_number": number,
    }


def _shown(value: str, limit: int = 40) -> str:
    """A value quoted back in an error, cut short: a hostile file may hold megabytes."""
    return repr(value if len(value) <= limit else value[:limit] + "…")


def _has_control_character(value: str) -> bool:
    return any(unicodedata.category(char) == "Cc" for char in value)


def _parse_rows(text: str, errors: list[RowError]) -> list[StaffRow]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        return _read_records(reader, errors)
    except csv.Error as exc:
        # The csv module gives up on a line it cannot read (a value longer than it
        # allows, a stray quote); nothing after it can be trusted either.
        why = (
            f"a value is longer than {csv.field_size_limit():,} characters"
            if "field larger than field limit" in str(exc)
            else str(exc)
        )
        # DictReader's own count moves only after a good row; its reader's has counted
        # the line it choked on.
        raise StaffFileError(
            f"Line {reader.reader.line_num} cannot be read as CSV ({why}), so nothing was "
            "imported. Check that the file is a staff export from your HR system."
        ) from exc


def _read_records(reader: csv.DictReader, errors: list[RowError]) -> list[StaffRow]:
    header = [name.strip().lower() for name in (reader.fieldnames or [])]
    if not header:
        raise StaffFileError("The file is empty: it needs a header row and one row per person.")
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        errors.append(RowError(1, f"missing column {', '.join(missing)}"))
        return []
    reader.fieldnames = header
    limits = _column_limits()

    rows: list[StaffRow] = []
    for record in reader:
        line = reader.line_num
        if None in record:
            errors.append(RowError(line, "more values than there are columns"))
            continue
        values = {key: (value or "").strip() for key, value in record.items()}
        if not any(values.values()):
            continue
        row_errors = []
        for name in REQUIRED_COLUMNS:
            if not values.get(name):
                row_errors.append(f"{name} is empty")
        for name, limit in limits.items():
            value = values.get(name, "")
            if len(value) > limit:
                row_errors.append(
                    f"{name} is {len(value):,} characters long; the most it can hold is {limit}"
                )
                values[name] = ""  # reported; the checks below would only repeat it
            elif _has_control_character(value):
                row_errors.append(f"{name} contains a control character (a tab, NUL, ...)")
                values[name] = ""
        email = values.get("email", "").lower()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                row_errors.append(f"email {_shown(email)} is not a valid email address")
        hire_date = None
        if values.get("hire_date"):
            try:
                hire_date = datetime.date.fromisoformat(values["hire_date"])
            except ValueError:
                row_errors.append(
                    f"hire_date {_shown(values['hire_date'])} is not a date like 2026-03-31"
                )
        active_word = values.get("active", "").lower()
        if active_word not in TRUE_WORDS | FALSE_WORDS:
            row_errors.append(f"active {_shown(values['active'])} should be yes or no")
        if row_errors:
            errors.extend(RowError(line, message) for message in row_errors)
            continue
        rows.append(
            StaffRow(
                line=line,
                employee_number=values["employee_number"],
                first_name=values["first_name"],
                last_name=values["last_name"],
                email=email,
                department=values.get("department", ""),
                job_role=values.get("job_role", ""),
                location=values.get("location", ""),
                manager_number=values.get("manager_employee_number", ""),
                hire_date=hire_date,
                active=active_word in TRUE_WORDS,
            )
        )
    return rows


def _check_across_rows(rows: list[StaffRow], errors: list[RowError], actor) -> dict[str, Employee]:
    """Checks that need the whole file and the database; returns existing staff by number."""
    first_line_of_number: dict[str, int] = {}
    first_line_of_email: dict[str, int] = {}
    for row in rows:
        if row.employee_number in first_line_of_number:
            errors.append(
                RowError(
                    row.line,
                    f"employee_number {row.employee_number} already appears on line "
                    f"{first_line_of_number[row.employee_number]}",
                )
            )
        first_line_of_number.setdefault(row.employee_number, row.line)
        if row.email in first_line_of_email:
            errors.append(
                RowError(
                    row.line,
                    f"email {row.email} already appears on line {first_line_of_email[row.email]}",
                )
            )
        first_line_of_email.setdefault(row.email, row.line)

    existing = {
        employee.employee_number: employee
        for employee in Employee.objects.select_related("user", "manager").filter(
            employee_number__in=[row.employee_number for row in rows]
        )
    }
    owner_of_email = dict(
        Employee.objects.filter(user__email__in=[row.email for row in rows]).values_list(
            "user__email", "employee_number"
        )
    )
    for row in rows:
        owner = owner_of_email.get(row.email)
        if owner is not None and owner != row.employee_number:
            errors.append(
                RowError(row.line, f"email {row.email} belongs to employee {owner} already")
            )
    _check_accounts(rows, existing, owner_of_email, errors, actor)

    known_numbers = set(first_line_of_number) | set(
        Employee.objects.filter(
            employee_number__in=[row.manager_number for row in rows if row.manager_number]
        ).values_list("employee_number", flat=True)
    )
    manager_of: dict[str, str | None] = dict(
        Employee.objects.filter(manager__isnull=False).values_list(
            "employee_number", "manager__employee_number"
        )
    )
    for row in rows:
        if not row.manager_number:
            manager_of[row.employee_number] = None
            continue
        if row.manager_number == row.employee_number:
            errors.append(RowError(row.line, "an employee cannot be their own manager"))
        elif row.manager_number not in known_numbers:
            errors.append(
                RowError(row.line, f"manager {row.manager_number} is not a known employee number")
            )
        manager_of[row.employee_number] = row.manager_number
    for row in rows:
        if row.manager_number == row.employee_number:
            continue  # reported above
        seen = {row.employee_number}
        boss = manager_of.get(row.employee_number)
        while boss:
            if boss in seen:
                errors.append(
                    RowError(row.line, f"manager {row.manager_number} makes a reporting loop")
                )
                break
            seen.add(boss)
            boss = manager_of.get(boss)
    return existing


def _check_accounts(
    rows: list[StaffRow],
    existing: dict[str, Employee],
    owner_of_email: dict[str, str],
    errors: list[RowError],
    actor,
) -> None:
    """The accounts behind the rows: an existing employee's, which the row may re-email
    or (de)activate, or for a new employee an existing account with its address, which
    the row would link. Accounts beyond HR's are for a superuser (``account_guard``)."""
    accounts = {
        user.email: user for user in User.objects.filter(email__in=[row.email for row in rows])
    }
    changes: dict[int, AccountChange] = {}
    for row in rows:
        employee = existing.get(row.employee_number)
        owner = owner_of_email.get(row.email)
        if owner is not None:
            # The address stays with its employee (another's was refused above).
            if employee is not None and owner == row.employee_number:
                changes[row.line] = AccountChange.of(employee.user, new_active=row.active)
            continue
        account = accounts.get(row.email)
        if employee is not None:
            if account is not None and account.pk != employee.user_id:
                errors.append(
                    RowError(row.line, f"email {row.email} is another account's sign-in address")
                )
                continue
            changes[row.line] = AccountChange.of(
                employee.user, new_email=row.email, new_active=row.active
            )
        elif account is not None:
            changes[row.line] = AccountChange.of(account, links=True, new_active=row.active)
    refusals = account_change_refusals(actor=actor, changes=list(changes.values()))
    errors.extend(
        RowError(line, refusals[change.user_id])
        for line, change in changes.items()
        if change.user_id in refusals
    )


def _unit_lookup(model, names: set[str]):
    by_name = {unit.name.lower(): unit for unit in model.objects.all()}
    for name in sorted(names):
        if name and name.lower() not in by_name:
            by_name[name.lower()] = model.objects.create(name=name)
    return lambda name: by_name[name.lower()] if name else None


def staff_import(*, data: bytes, dry_run: bool = False, actor=None) -> StaffImportResult:
    """Create or update staff from an HR system's CSV export.

    Matches people on employee number. Every row is checked before anything is
    written; a single bad row means nothing at all is written.
    """
    result = StaffImportResult(dry_run=dry_run)
    rows = _parse_rows(_decode(data), result.errors)
    if result.errors:
        return result
    existing = _check_across_rows(rows, result.errors, actor)
    result.errors.sort(key=lambda error: error.line)
    if result.errors:
        return result

    for row in rows:
        employee = existing.get(row.employee_number)
        if employee is None:
            result.created.append(row.employee_number)
        elif employee.active and not row.active:
            result.deactivated.append(row.employee_number)
        elif _row_changes(employee, row):
            result.updated.append(row.employee_number)
        else:
            result.unchanged.append(row.employee_number)
    # A check writes too, then takes it all back: the assignments it shows are the ones
    # the same rules make for the same people, not an estimate.
    unchanged = set(result.unchanged)
    try:
        with transaction.atomic():
            written = _write_rows(
                [row for row in rows if row.employee_number not in unchanged], existing, actor
            )
            made = _apply_rules(employees=[e for e in written if e.active])
            result.assignments = _planned(made, written)
            if dry_run:
                transaction.set_rollback(True)
    except DatabaseError as exc:
        # The whole import was one transaction, so nothing of it stays.
        raise StaffFileError(
            "The database refused the import, so nothing was written: "
            f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
        ) from exc
    return result


def _planned(made: list[Assignment], employees: list[Employee]) -> list[PlannedAssignment]:
    today = timezone.localdate()
    by_id = {employee.pk: employee for employee in employees}
    courses = dict(
        CoursePage.objects.filter(pk__in={a.course_id for a in made}).values_list("pk", "title")
    )
    planned = [
        PlannedAssignment(
            employee_number=by_id[a.employee_id].employee_number,
            person=by_id[a.employee_id].user.get_full_name(),
            course=courses[a.course_id],
            reason=AssignmentReason(a.reason).label,
            due_date=a.due_date,
            overdue=a.due_date < today,
        )
        for a in made
    ]
    return sorted(planned, key=lambda p: (not p.overdue, p.due_date, p.person, p.course))


def _row_changes(employee: Employee, row: StaffRow) -> bool:
    user = employee.user
    manager_number = employee.manager.employee_number if employee.manager else ""
    return (
        user.email != row.email
        or user.first_name != row.first_name
        or user.last_name != row.last_name
        or (employee.department.name if employee.department else "") != row.department
        or (employee.job_role.name if employee.job_role else "") != row.job_role
        or (employee.location.name if employee.location else "") != row.location
        or manager_number != row.manager_number
        or employee.hire_date != row.hire_date
        or employee.active != row.active
    )


def _write_rows(rows: list[StaffRow], existing: dict[str, Employee], actor) -> list[Employee]:
    department = _unit_lookup(Department, {row.department for row in rows})
    job_role = _unit_lookup(JobRole, {row.job_role for row in rows})
    location = _unit_lookup(Location, {row.location for row in rows})
    saved: dict[str, Employee] = {}
    for row in rows:
        employee = existing.get(row.employee_number) or Employee(
            employee_number=row.employee_number
        )
        employee.department = department(row.department)
        employee.job_role = job_role(row.job_role)
        employee.location = location(row.location)
        employee.hire_date = row.hire_date
        employee.active = row.active
        employee.manager = None
        saved[row.employee_number] = employee_save(
            employee=employee,
            email=row.email,
            first_name=row.first_name,
            last_name=row.last_name,
            actor=actor,
            apply_rules=False,  # once for everyone below, not once a row
        )
    managers = {
        e.employee_number: e
        for e in Employee.objects.filter(
            employee_number__in={row.manager_number for row in rows if row.manager_number}
        )
    }
    for row in rows:
        if row.manager_number:
            employee = saved[row.employee_number]
            employee.manager = managers[row.manager_number]
            employee.save(update_fields=["manager", "updated_at"])
    return list(saved.values())


# --- assignments ----------------------------------------------------------------------


def _due_date(*, course: CoursePage, reason: str, employee: Employee, today):
    if reason == AssignmentReason.ONBOARDING and employee.hire_date:
        return employee.hire_date + datetime.timedelta(days=course.onboarding_due_days)
    return today + datetime.timedelta(days=course.default_due_days)


def _is_new_hire(employee: Employee, today) -> bool:
    """Onboarding is for people hired recently (or about to start), not for long-serving
    staff who happen to be in the system when an onboarding course is first published."""
    if employee.hire_date is None:
        return False
    return employee.hire_date >= today - datetime.timedelta(days=settings.ONBOARDING_WINDOW_DAYS)


def assignments_apply_rules(*, employees=None, rules=None) -> int:
    """Create the assignments that onboarding courses and assignment rules call for.

    A rule or onboarding asks for a course once: nobody who has, or has had, the course
    assigned gets it again (renewals come from recertification), so this can run any
    number of times. Returns how many assignments it created.
    """
    return len(_apply_rules(employees=employees, rules=rules))


@transaction.atomic
def _apply_rules(*, employees=None, rules=None) -> list[Assignment]:
    """``assignments_apply_rules``, returning the assignments it created."""
    now = timezone.now()
    today = timezone.localdate()
    if employees is None:
        employees = list(Employee.objects.active())
    employee_ids = [e.pk for e in employees]
    wanted: dict[tuple[int, int], tuple[str, AssignmentRule | None]] = {}

    if rules is None:
        onboarding = list(CoursePage.objects.live().filter(is_onboarding=True))
        for employee in employees:
            if not _is_new_hire(employee, today):
                continue
            for course in onboarding:
                wanted[(employee.pk, course.pk)] = (AssignmentReason.ONBOARDING, None)
        rules = AssignmentRule.objects.select_related("course")
    for rule in rules:
        if not rule.course.live:
            continue
        matching = (
            rule.matching_employees().filter(pk__in=employee_ids).values_list("pk", flat=True)
        )
        for employee_id in matching:
            wanted.setdefault((employee_id, rule.course_id), (AssignmentReason.RULE, rule))

    already = set(
        Assignment.objects.filter(employee_id__in=employee_ids).values_list(
            "employee_id", "course_id"
        )
    )
    by_id = {e.pk: e for e in employees}
    courses = {c.pk: c for c in CoursePage.objects.filter(pk__in={c for _, c in wanted})}
    new = [
        Assignment(
            employee_id=employee_id,
            course_id=course_id,
            reason=reason,
            rule=rule,
            assigned_at=now,
            due_date=_due_date(
                course=courses[course_id], reason=reason, employee=by_id[employee_id], today=today
            ),
        )
        for (employee_id, course_id), (reason, rule) in wanted.items()
        if (employee_id, course_id) not in already
    ]
    Assignment.objects.bulk_create(new)
    return new


@transaction.atomic
def assignment_rule_save(*, rule: AssignmentRule, actor=None) -> int:
    """Save a rule and assign its course to everyone it matches; returns how many."""
    creating = rule.pk is None
    rule.save()
    log(instance=rule, action="wagtail.create" if creating else "wagtail.edit", user=actor)
    return assignments_apply_rules(employees=list(rule.matching_employees()), rules=[rule])


@transaction.atomic
def assignments_create(
    *, employees, course: CoursePage, due_date=None, actor=None
) -> list[Assignment]:
    """HR assigns a course by hand to one or many people; those who have it open keep theirs."""
    now = timezone.now()
    today = timezone.localdate()
    already = set(
        Assignment.objects.open().filter(course=course).values_list("employee_id", flat=True)
    )
    created = []
    for employee in employees:
        if employee.pk in already or not employee.active:
            continue
        assignment = Assignment.objects.create(
            employee=employee,
            course=course,
            reason=AssignmentReason.MANUAL,
            assigned_at=now,
            due_date=due_date or today + datetime.timedelta(days=course.default_due_days),
            assigned_by=actor,
        )
        log(instance=assignment, action="learning.assign", user=actor)
        created.append(assignment)
    return created


@transaction.atomic
def assignment_delete(*, assignment: Assignment, actor=None) -> None:
    """HR takes an open assignment away; completed ones are evidence and stay."""
    if assignment.completed_at:
        raise ValidationError("A completed assignment is part of the training record.")
    log(instance=assignment, action="learning.unassign", user=actor)
    assignment.delete()


@transaction.atomic
def assignments_withdraw(*, employees, course: CoursePage, actor=None) -> int:
    """HR takes a course away from many people at once; returns how many lost it.

    Only open assignments go; completed ones remain in the training record.
    """
    withdrawn = list(
        Assignment.objects.open()
        .select_for_update()
        .filter(course=course, employee__in=[e.pk for e in employees])
        .select_related("course", "employee__user")
    )
    for assignment in withdrawn:
        assignment_delete(assignment=assignment, actor=actor)
    return len(withdrawn)


# --- progress -----------------------------------------------------------------------


def _assignment_for(*, user, course: CoursePage) -> Assignment | None:
    return (
        Assignment.objects.open()
        .filter(employee__user=user, course=course)
        .order_by("due_date")
        .first()
    )


@transaction.atomic
def module_open(
    *, user, course: CoursePage, module: ModulePage, assignment: Assignment | None = None
) -> None:
    """Remember that someone opened a module, so they resume where they left off.

    Pass the person's assignment when the caller has it; it is marked started once.
    Refused (RefresherNotOpen) while their recertification waits for the course to
    teach the new policy version: the module would teach the words it replaces.
    """
    if assignment is None:
        refresher_check_open(assignment=_assignment_for(user=user, course=course), course=course)
    else:
        refresher_check_open(assignment=assignment, course=course)
    now = timezone.now()
    seen_before = ModuleProgress.objects.filter(user=user, module=module).update(last_opened_at=now)
    if not seen_before:
        ModuleProgress.objects.get_or_create(
            user=user,
            module=module,
            defaults={"course": course, "first_opened_at": now, "last_opened_at": now},
        )
    if assignment is None:
        Assignment.objects.open().filter(
            employee__user=user, course=course, started_at__isnull=True
        ).update(started_at=now)
    elif assignment.started_at is None and assignment.completed_at is None:
        # A queryset update: this runs on every first visit and needs no reference indexing.
        Assignment.objects.filter(pk=assignment.pk).update(started_at=now)
        assignment.started_at = now


@transaction.atomic
def knowledge_check_answer(
    *, user, module: ModulePage, block_id: str, option: str
) -> KnowledgeCheckResult:
    """Check an answer on the server and keep the latest one (raises KnowledgeCheckError)."""
    result = knowledge_check_grade(module=module, block_id=block_id, option=option)
    KnowledgeCheckAnswer.objects.update_or_create(
        user=user,
        module=module,
        block_id=block_id,
        defaults={
            "option": result.chosen,
            "correct": result.correct,
            "answered_at": timezone.now(),
        },
    )
    return result


class ModuleIncompleteError(ValueError):
    """The learner has not done everything the module asks yet."""


@transaction.atomic
def module_complete(*, user, course: CoursePage, module: ModulePage) -> bool:
    """Mark a module finished; returns True when that finishes the whole course."""
    answered = set(
        KnowledgeCheckAnswer.objects.filter(user=user, module=module).values_list(
            "block_id", flat=True
        )
    )
    missing = [block_id for block_id in module.knowledge_check_ids() if block_id not in answered]
    if missing:
        raise ModuleIncompleteError(
            f"Answer the {len(missing)} knowledge check{'s' if len(missing) > 1 else ''} "
            "in this module before you finish it."
        )
    module_open(user=user, course=course, module=module)
    ModuleProgress.objects.filter(user=user, module=module, completed_at__isnull=True).update(
        completed_at=timezone.now()
    )
    return course_complete_if_done(user=user, course=course)


def course_requirements_met(*, user, course: CoursePage) -> bool:
    """The completion rules: every module finished, every role-play passed in assessed
    mode, and the final assessment (if the course has one) passed. For a recertification
    the role-plays and the assessment count only if started since it was assigned (the
    modules it asks for again were unfinished when it was made); a delta recertification
    may be passed with its short assessment instead of the whole final one."""
    open_assignment = _assignment_for(user=user, course=course)
    if open_assignment is not None and open_assignment.policy_version_id:
        pinned = CoursePolicyPin.objects.versions_by_policy(course)
        if recertification_waits_for(open_assignment, pinned) is not None:
            return False  # the course does not teach the new version yet
    since = recertification_since(open_assignment)
    module_ids = set(course.get_modules().values_list("pk", flat=True))
    done = set(
        ModuleProgress.objects.filter(
            user=user, module_id__in=module_ids, completed_at__isnull=False
        ).values_list("module_id", flat=True)
    )
    scenario_ids = set(course.get_scenarios().values_list("pk", flat=True))
    runs = ScenarioRun.objects.passed_assessed().filter(
        user=user, course=course, scenario_id__in=scenario_ids
    )
    if since is not None:
        redo = scenario_ids
        if open_assignment.changed_sections and open_assignment.policy_version_id:
            # The delta: only role-plays on the changed policy are played again.
            redo = set(
                course.get_scenarios()
                .filter(policies=open_assignment.policy_version.policy_id)
                .values_list("pk", flat=True)
            )
        runs = runs.exclude(Q(scenario_id__in=redo) & Q(started_at__lt=since))
    passed = set(runs.values_list("scenario_id", flat=True))
    if course.assessment_id is not None:
        passes = final_passes_counting(user=user, course=course, assignment=open_assignment)
        if not passes.exists():
            return False
    has_content = bool(module_ids or scenario_ids or course.assessment_id)
    return has_content and module_ids <= done and scenario_ids <= passed


@transaction.atomic
def course_complete_if_done(*, user, course: CoursePage) -> bool:
    if not course_requirements_met(user=user, course=course):
        return False
    assignment = _assignment_for(user=user, course=course)
    if assignment is not None:
        assignment.completed_at = timezone.now()
        assignment.save(update_fields=["completed_at"])
        log(instance=assignment, action="learning.complete", user=user)
    certificate_issue(user=user, course=course, actor=user)
    return True


def recertifications_complete_waiting(*, course: CoursePage) -> int:
    """Complete the recertifications that were only waiting for the course to teach the
    policy version they name, now that it does: their holders did everything else and
    have nothing more to do. Each completes in its own transaction; one whose certificate
    is refused stays open and the rest carry on. Returns how many completed."""
    pinned = CoursePolicyPin.objects.versions_by_policy(course)
    waiting = (
        Assignment.objects.open()
        .filter(course=course, policy_version__isnull=False)
        .select_related("employee__user", "policy_version")
        .order_by("pk")
    )
    completed = 0
    for assignment in waiting:
        if recertification_waits_for(assignment, pinned) is not None:
            continue  # still on an older version of that policy
        try:
            done = course_complete_if_done(user=assignment.employee.user, course=course)
        except CertificateIssueRefused as refused:
            # Left open, as it was; the people after it still complete.
            logger.warning("Recertification %s not completed: %s", assignment.pk, refused)
            continue
        if done:
            completed += 1
    return completed


@transaction.atomic
def scenario_run_start(
    *, user, course: CoursePage, scenario: ScenarioPage, mode: str
) -> ScenarioRun:
    """Begin a play-through on the newest script of the scenario written for the policy
    versions the course is pinned to, recording those versions (or, for a policy it does
    not pin, the current one). Refused (RefresherNotOpen) while the learner's
    recertification has not opened, and (ScenarioNotReady) while the role-play has no
    script for the course's versions."""
    if mode not in ScenarioMode.values:
        raise ValueError(f"Unknown mode {mode!r}.")
    refresher_check_open(assignment=_assignment_for(user=user, course=course), course=course)
    pinned = CoursePolicyPin.objects.versions_by_policy(course)
    script = scenario_script_for_course(scenario=scenario, pinned=pinned)
    state = script.graph.start_state(mood=script.starting_mood)
    now = timezone.now()
    run = ScenarioRun.objects.create(
        user=user,
        course=course,
        scenario=scenario,
        script=script,
        mode=mode,
        current_step=state.step_key,
        mood=state.mood,
        scores={},
        path=[],
        started_at=now,
    )
    versions = []
    for policy in scenario.policies.all():
        version = pinned.get(policy.pk) or policy.current_version
        if version is not None:
            versions.append(version)
    run.policy_versions.set(versions or pinned.values())
    Assignment.objects.open().filter(
        employee__user=user, course=course, started_at__isnull=True
    ).update(started_at=now)
    return run


class ScenarioRunConflict(Exception):
    """The choice posted is not one the run can take now: an old form, another tab, a
    finished run, or a choice the current step does not offer."""


@dataclass(frozen=True)
class ScenarioChoiceResult:
    run: ScenarioRun
    choice: Choice | None
    repeated: bool = False


def _is_repeat(run: ScenarioRun, *, step_key: str, turn: int, choice_id: str) -> bool:
    """The last choice recorded is exactly this one: a double click or a retried post."""
    last = run.path[-1] if run.path else None
    return (
        last is not None
        and turn == run.turn - 1
        and last["step"] == step_key
        and last["choice"] == choice_id
    )


@transaction.atomic
def scenario_run_choose(
    *, run: ScenarioRun, step_key: str, turn: int, choice_id: str
) -> ScenarioChoiceResult:
    """Play one choice. Refuses anything but a choice of the current step at the current
    turn (ScenarioRunConflict) and changes nothing then; the same choice posted twice is
    taken once. Reaching an ending finishes the run, grades it against the pass rule of
    its script, and completes the course when an assessed run passes the last hurdle."""
    if _is_repeat(run, step_key=step_key, turn=turn, choice_id=choice_id):
        return ScenarioChoiceResult(run=run, choice=None, repeated=True)
    if run.is_finished:
        raise ScenarioRunConflict("This run has finished; start a new one to play again.")
    if step_key != run.current_step or turn != run.turn:
        raise ScenarioRunConflict("That choice belongs to an earlier step of this run.")
    graph = run.script.graph
    state = RunState(step_key=run.current_step, mood=run.mood, scores=run.scores)
    try:
        state, choice = graph.choose(state, choice_id)
    except ChoiceNotOffered as exc:
        raise ScenarioRunConflict("That is not one of the choices on this step.") from exc
    now = timezone.now()
    changes = {
        "current_step": state.step_key,
        "turn": turn + 1,
        "mood": state.mood,
        "scores": state.scores,
        "path": [*run.path, {"step": step_key, "choice": choice.id, "at": now.isoformat()}],
    }
    reached = graph.by_key[state.step_key]
    if reached.is_ending:
        shortfalls = run.script.rule().shortfalls(scores=state.scores, outcome=reached.outcome)
        changes |= {"finished_at": now, "outcome": reached.outcome, "passed": not shortfalls}
    # Only the request that still sees this turn moves the run on; a racing duplicate
    # finds it moved and is treated as the repeat it is.
    moved = ScenarioRun.objects.filter(pk=run.pk, turn=turn, finished_at__isnull=True).update(
        **changes
    )
    if not moved:
        run.refresh_from_db()
        if _is_repeat(run, step_key=step_key, turn=turn, choice_id=choice_id):
            return ScenarioChoiceResult(run=run, choice=None, repeated=True)
        raise ScenarioRunConflict("This run moved on in another window.")
    for name, value in changes.items():
        setattr(run, name, value)
    if run.is_finished and run.passed and run.mode == ScenarioMode.ASSESSED:
        course_complete_if_done(user=run.user, course=run.course)
    return ScenarioChoiceResult(run=run, choice=choice)


def course_attempt_start(*, user, course: CoursePage, assessment: Assessment) -> Attempt:
    """Start an attempt at one of the course's assessments, recording the policy versions
    the course is pinned to, and mark the assignment started.

    On a delta recertification the final assessment is the short one: only its questions
    on the changed sections (see ``delta_assessment_for``). On any recertification only
    the attempts made since it was assigned count towards the attempt limit. Refused
    (RefresherNotOpen) while the learner's recertification has not opened."""
    refresher_check_open(assignment=_assignment_for(user=user, course=course), course=course)
    pinned = CoursePolicyPin.objects.versions_by_policy(course)
    scope = counted_since = None
    if assessment.pk == course.assessment_id:
        assignment = _assignment_for(user=user, course=course)
        counted_since = recertification_since(assignment)
        delta = delta_assessment_for(assignment=assignment, course=course)
        scope = delta.scope if delta else None
    attempt = attempt_start(
        user=user,
        assessment=assessment,
        policy_versions=pinned.values(),
        scope=scope,
        counted_since=counted_since,
    )
    Assignment.objects.open().filter(
        employee__user=user, course=course, started_at__isnull=True
    ).update(started_at=attempt.started_at)
    return attempt


def courses_complete_after_attempt(*, attempt: Attempt) -> None:
    """A passed certifying attempt may be the last hurdle of every course that names the
    assessment as its final one."""
    if not attempt.passed or attempt.mode != AssessmentMode.CERTIFYING:
        return
    for course in CoursePage.objects.live().filter(assessment_id=attempt.assessment_id):
        course_complete_if_done(user=attempt.user, course=course)
