"""People and the organisation: employees, departments, job roles and locations."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from learning.choices import AssignmentReason, AssignmentStatus, ScenarioMode


class NamedOrgUnit(models.Model):
    name = models.CharField(max_length=120)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Department(NamedOrgUnit):
    class Meta(NamedOrgUnit.Meta):
        constraints = [
            models.UniqueConstraint(Lower("name"), name="department_name_unique_ci"),
        ]


class JobRole(NamedOrgUnit):
    class Meta(NamedOrgUnit.Meta):
        verbose_name = "job role"
        constraints = [
            models.UniqueConstraint(Lower("name"), name="jobrole_name_unique_ci"),
        ]


class Location(NamedOrgUnit):
    class Meta(NamedOrgUnit.Meta):
        constraints = [
            models.UniqueConstraint(Lower("name"), name="location_name_unique_ci"),
        ]


class EmployeeQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)

    def with_org(self):
        return self.select_related("user", "department", "job_role", "location", "manager__user")


class Employee(models.Model):
    """A member of staff: the HR side of a user account."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="employee"
    )
    employee_number = models.CharField(
        max_length=40,
        unique=True,
        help_text="The identifier from your HR system; imports match people on it.",
    )
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="employees"
    )
    job_role = models.ForeignKey(
        JobRole, null=True, blank=True, on_delete=models.PROTECT, related_name="employees"
    )
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.PROTECT, related_name="employees"
    )
    manager = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    hire_date = models.DateField(null=True, blank=True)
    active = models.BooleanField(
        default=True,
        help_text="Inactive staff cannot sign in and are left out of assignments and reports.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EmployeeQuerySet.as_manager()

    class Meta:
        ordering = ["user__last_name", "user__first_name", "employee_number"]
        permissions = [
            ("import_staff", "Can import staff from a CSV file"),
            ("view_compliance", "Can see compliance reports and anyone's training record"),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.employee_number})"

    @property
    def full_name(self) -> str:
        return self.user.get_full_name() or self.user.email

    @property
    def email(self) -> str:
        return self.user.email

    def clean(self):
        if self.manager_id and self.manager_id == self.pk:
            raise ValidationError({"manager": "Someone cannot be their own manager."})
        seen = {self.pk}
        boss = self.manager
        while boss is not None:
            if boss.pk in seen:
                raise ValidationError(
                    {"manager": "This manager would create a loop in the reporting line."}
                )
            seen.add(boss.pk)
            boss = boss.manager


class AssignmentRule(models.Model):
    """Assigns a course to every active employee matching all of the filled-in criteria."""

    course = models.ForeignKey(
        "courses.CoursePage", on_delete=models.CASCADE, related_name="assignment_rules"
    )
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.CASCADE)
    job_role = models.ForeignKey(JobRole, null=True, blank=True, on_delete=models.CASCADE)
    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.CASCADE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["course__title", "pk"]
        verbose_name = "assignment rule"

    def __str__(self) -> str:
        criteria = [str(x) for x in (self.department, self.job_role, self.location) if x]
        return f"{self.course.title}: {' + '.join(criteria) or 'everyone'}"

    def matching_employees(self):
        employees = Employee.objects.active()
        if self.department_id:
            employees = employees.filter(department_id=self.department_id)
        if self.job_role_id:
            employees = employees.filter(job_role_id=self.job_role_id)
        if self.location_id:
            employees = employees.filter(location_id=self.location_id)
        return employees


class AssignmentQuerySet(models.QuerySet):
    def open(self):
        return self.filter(completed_at__isnull=True)

    def with_status(self, status: str, *, today):
        """The assignments whose ``status_on(today)`` is ``status``."""
        if status == AssignmentStatus.COMPLETED:
            return self.filter(completed_at__isnull=False)
        current = self.open()
        if status == AssignmentStatus.OVERDUE:
            return current.filter(due_date__lt=today)
        current = current.filter(due_date__gte=today)
        if status == AssignmentStatus.IN_PROGRESS:
            return current.filter(started_at__isnull=False)
        if status == AssignmentStatus.NOT_STARTED:
            return current.filter(started_at__isnull=True)
        return self.none()


class Assignment(models.Model):
    """A course put in front of one employee, with a reason and a due date."""

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="assignments")
    course = models.ForeignKey(
        "courses.CoursePage", on_delete=models.CASCADE, related_name="assignments"
    )
    reason = models.CharField(max_length=20, choices=AssignmentReason.choices)
    rule = models.ForeignKey(
        AssignmentRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField()
    due_date = models.DateField()
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    policy_version = models.ForeignKey(
        "cms.PolicyVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="For a recertification: the material policy version that asked for it.",
    )
    changed_sections = models.JSONField(
        default=list,
        blank=True,
        help_text="For a recertification on a still-valid certificate: the section keys "
        "that changed, which the learner must cover again.",
    )
    opened_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="For a recertification after a policy change: when it opened, its course "
        "then teaching the new version and the version in effect. Empty while it waits.",
    )

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "pk"]
        indexes = [models.Index(fields=["employee", "course"], name="assignment_by_person")]
        constraints = [
            # One open assignment of a course per person; completed ones stay as history.
            models.UniqueConstraint(
                fields=["employee", "course"],
                condition=models.Q(completed_at__isnull=True),
                name="assignment_one_open_per_course",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.course} for {self.employee}"

    @property
    def status_label(self) -> str:
        return AssignmentStatus(self.status_on(timezone.localdate())).label

    @property
    def changed_section_headings(self) -> list[str]:
        """For a recertification on the delta path: the changed sections' headings."""
        if self.policy_version is None:
            return []
        return [
            (self.policy_version.section(key) or {"heading": key})["heading"]
            for key in self.changed_sections
        ]

    def status_on(self, today) -> str:
        if self.completed_at:
            return AssignmentStatus.COMPLETED
        if self.due_date < today:
            return AssignmentStatus.OVERDUE
        if self.started_at:
            return AssignmentStatus.IN_PROGRESS
        return AssignmentStatus.NOT_STARTED


class ModuleProgress(models.Model):
    """Where one person is in one module: opened, finished."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="module_progress"
    )
    course = models.ForeignKey("courses.CoursePage", on_delete=models.CASCADE, related_name="+")
    module = models.ForeignKey(
        "courses.ModulePage", on_delete=models.CASCADE, related_name="progress"
    )
    first_opened_at = models.DateTimeField()
    last_opened_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "module"], name="progress_once_per_module"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.module}"


class KnowledgeCheckAnswer(models.Model):
    """A learner's latest answer to one knowledge check in a module."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    module = models.ForeignKey("courses.ModulePage", on_delete=models.CASCADE, related_name="+")
    block_id = models.CharField(max_length=64)
    option = models.PositiveSmallIntegerField()
    correct = models.BooleanField()
    answered_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "module", "block_id"], name="one_answer_per_check"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} answered {self.block_id}"


class ScenarioRunQuerySet(models.QuerySet):
    def passed_assessed(self):
        return self.filter(mode=ScenarioMode.ASSESSED, passed=True)


class ScenarioRun(models.Model):
    """One play-through of a role-play scenario, on the script it started with.

    The server holds the whole state: the learner's page only ever names the current
    step and the choices it offers. ``turn`` counts the choices made and guards against
    a stale or repeated form.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scenario_runs"
    )
    course = models.ForeignKey("courses.CoursePage", on_delete=models.CASCADE, related_name="+")
    scenario = models.ForeignKey(
        "courses.ScenarioPage", on_delete=models.CASCADE, related_name="runs"
    )
    script = models.ForeignKey(
        "courses.ScenarioScript", on_delete=models.PROTECT, related_name="runs"
    )
    mode = models.CharField(max_length=10, choices=ScenarioMode.choices)
    current_step = models.CharField(max_length=60)
    turn = models.PositiveIntegerField(default=0)
    mood = models.PositiveSmallIntegerField()
    scores = models.JSONField(default=dict)
    path = models.JSONField(
        default=list, help_text="[{step, choice, at}] for every choice made, in order."
    )
    policy_versions = models.ManyToManyField(
        "cms.PolicyVersion",
        blank=True,
        related_name="+",
        help_text="The policy versions in force for the course when the run started.",
    )
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, blank=True)
    passed = models.BooleanField(null=True)

    objects = ScenarioRunQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["user", "scenario", "mode"], name="run_by_learner")]

    def __str__(self) -> str:
        return f"{self.user} playing {self.scenario} ({self.mode})"

    @property
    def is_finished(self) -> bool:
        return self.finished_at is not None


class Reminder(models.Model):
    """One reminder email about one assignment, recorded before it is sent so that it is
    sent once: the row is claimed in a transaction, and ``sent_at`` is set as it goes."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(
        max_length=20, help_text="due-N (N days before the due date), overdue, or manager."
    )
    recipient = models.EmailField()
    run = models.UUIDField(help_text="The send_reminders run that claimed it.")
    claimed_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["claimed_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "kind"], name="reminder_once_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.kind} reminder to {self.recipient}"


class TaskWorker(models.Model):
    """A background worker process as it last reported itself: written when it starts,
    every few seconds while it lives (its heartbeat) and when it stops. A running task
    whose worker has not been seen for the lease is put back in the queue."""

    worker_id = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=255, blank=True)
    pid = models.PositiveIntegerField(null=True, blank=True)
    started_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    stopped_at = models.DateTimeField(null=True, blank=True)
    current_task_id = models.UUIDField(
        null=True, blank=True, help_text="The django-tasks result it is running, if any."
    )

    class Meta:
        ordering = ["-last_seen_at"]
        permissions = [("view_background_jobs", "Can see background jobs and workers")]

    def __str__(self) -> str:
        return f"worker {self.worker_id} ({self.hostname} pid {self.pid})"
