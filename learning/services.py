"""State changes for people: saving employees, deactivation, and the staff CSV import."""

import csv
import datetime
import io
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from wagtail.log_actions import log

from learning.models import Department, Employee, JobRole, Location

User = get_user_model()

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
) -> Employee:
    """Create or update an employee together with their user account."""
    creating = employee.pk is None
    email = email.strip().lower()
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
    employee.full_clean()
    employee.save()
    log(instance=employee, action="wagtail.create" if creating else "wagtail.edit", user=actor)
    if was_active and not employee.active:
        log(instance=employee, action="learning.deactivate", user=actor)
    return employee


@dataclass(frozen=True)
class RowError:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class StaffImportResult:
    dry_run: bool
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    deactivated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

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


def _parse_rows(text: str, errors: list[RowError]) -> list[StaffRow]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [name.strip().lower() for name in (reader.fieldnames or [])]
    if not header:
        raise StaffFileError("The file is empty: it needs a header row and one row per person.")
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        errors.append(RowError(1, f"missing column {', '.join(missing)}"))
        return []
    reader.fieldnames = header

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
        email = values.get("email", "").lower()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                row_errors.append(f"email {email!r} is not a valid email address")
        hire_date = None
        if values.get("hire_date"):
            try:
                hire_date = datetime.date.fromisoformat(values["hire_date"])
            except ValueError:
                row_errors.append(
                    f"hire_date {values['hire_date']!r} is not a date like 2026-03-31"
                )
        active_word = values.get("active", "").lower()
        if active_word not in TRUE_WORDS | FALSE_WORDS:
            row_errors.append(f"active {values['active']!r} should be yes or no")
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


def _check_across_rows(rows: list[StaffRow], errors: list[RowError]) -> dict[str, Employee]:
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
    existing = _check_across_rows(rows, result.errors)
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
    if dry_run:
        return result

    unchanged = set(result.unchanged)
    with transaction.atomic():
        _write_rows([row for row in rows if row.employee_number not in unchanged], existing, actor)
    return result


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


def _write_rows(rows: list[StaffRow], existing: dict[str, Employee], actor) -> None:
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
