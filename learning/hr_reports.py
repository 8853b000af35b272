"""HR's other reports in the Wagtail admin: training overdue or due soon, certificates
expiring in a period, recertification progress per policy version, and assessment
results per course; each filterable and exportable as CSV or XLSX."""

import datetime
from dataclasses import dataclass
from urllib.parse import urlencode

import django_filters
from django import forms
from django.core.paginator import Paginator
from django.db.models import Avg, Case, Count, Exists, Max, OuterRef, Q, Subquery, When
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.functional import cached_property
from django.views.generic import TemplateView
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.reports import ReportView
from wagtail.models import PageLogEntry

from assessments.choices import AssessmentMode, AttemptStatus
from assessments.models import Attempt
from certificates.choices import CertificateStatus
from certificates.models import Certificate
from cms.admin_access import ForbiddenOnDenyMixin, forbidden_response
from cms.exports import FormulaSafeExportMixin
from cms.models import PolicyPage, PolicyVersion
from courses.models import CoursePage, CoursePolicyPin
from learning.choices import AssignmentReason, AssignmentStatus
from learning.models import Assignment, Department
from learning.recertification import (
    FAN_OUT_DONE,
    recertification_due_on,
    recertifying_versions,
)
from learning.report_mixins import (
    LoggedExportMixin,
    UnknownFiltersIgnoredMixin,
    filter_by_person_words,
)

# HR: granted with the compliance matrix by migration 0014.
PERMISSION = "learning.view_compliance"
DUE_SOON_DAYS = 14
EXPIRING_PERIOD_DAYS = 30
MAX_DAYS = 366
NOTHING = "\u2013"  # an en dash for an empty cell


def _percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def _shown(value) -> str:
    return NOTHING if value is None or value == "" else str(value)


def _days(chosen: slice | None) -> tuple[datetime.date | None, datetime.date | None]:
    """The first and last day of a date range filter's value (it gives datetimes)."""
    if not chosen:
        return None, None
    return tuple(
        value.date() if isinstance(value, datetime.datetime) else value
        for value in (chosen.start, chosen.stop)
    )


def _day(value: datetime.date | None) -> str:
    """A date as the rest of the admin writes it: "2 Dec 2026"."""
    return date_format(value, "j M Y") if value else NOTHING


def _name(user) -> str:
    return user.get_full_name() or user.email


class HRReportView(
    UnknownFiltersIgnoredMixin,
    LoggedExportMixin,
    ForbiddenOnDenyMixin,
    FormulaSafeExportMixin,
    ReportView,
):
    """HR only: anyone without ``learning.view_compliance`` gets a 403 page, on the
    report and on its exports."""

    results_template_name = "learning/reports/hr_report_results.html"
    header_icon = "table"
    paginate_by = 50

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(PERMISSION):
            return forbidden_response(request)
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def today(self) -> datetime.date:
        return timezone.localdate()

    def rows_for(self, object_list) -> list:
        """The rows shown for a page of the queryset, or exported for all of it: a fixed
        number of queries however many there are."""
        raise NotImplementedError

    def paginate_queryset(self, queryset, page_size):
        # Rows are made here rather than in decorate_paginated_queryset so that the table
        # Wagtail builds from the page is built from them.
        paginator, page, object_list, is_paginated = super().paginate_queryset(queryset, page_size)
        page.object_list = self.rows_for(object_list)
        return paginator, page, page.object_list, is_paginated

    def decorate_paginated_queryset(self, object_list):
        # Only an export reaches here undecorated: it is not paginated.
        return self.rows_for(object_list) if self.is_export else object_list

    def report_note(self) -> str:
        """One line above the results saying what they cover."""
        return ""

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        context["report_note"] = self.report_note()
        return context


def _org_unit(employee, name: str) -> str:
    return str(getattr(employee, name) or "") if employee else ""


# --- overdue and due-soon training --------------------------------------------------------


class DaysFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class OverdueFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        choices=[("overdue", "Overdue"), ("due_soon", "Due soon, not overdue")],
        method="filter_status",
        label="Show",
    )
    within_days = DaysFilter(
        method="keep",
        label=f"Due within (days, {DUE_SOON_DAYS} if empty)",
        min_value=0,
        max_value=MAX_DAYS,
    )
    department = django_filters.ModelChoiceFilter(
        queryset=Department.objects.all(), field_name="employee__department", label="Department"
    )
    course = django_filters.ModelChoiceFilter(
        queryset=CoursePage.objects.order_by("title"), label="Course"
    )
    reason = django_filters.ChoiceFilter(choices=AssignmentReason.choices, label="Reason")

    class Meta:
        model = Assignment
        fields = ["course", "reason"]

    def filter_status(self, queryset, name, value):
        today = timezone.localdate()
        if value == "overdue":
            return queryset.filter(due_date__lt=today)
        return queryset.filter(due_date__gte=today)

    def keep(self, queryset, name, value):
        """The window is the view's: it applies its default when none is given."""
        return queryset


@dataclass
class OverdueRow:
    employee_pk: int
    name: str
    employee_number: str
    department: str
    manager: str
    course: str
    reason: str
    due_date: datetime.date
    status: str
    days_overdue: int | None
    days_left: int | None

    @property
    def days_text(self) -> str:
        if self.days_overdue is not None:
            return f"{self.days_overdue} day{'s' if self.days_overdue != 1 else ''} overdue"
        if self.days_left == 0:
            return "Due today"
        return f"{self.days_left} day{'s' if self.days_left != 1 else ''} left"


def training_due(*, today: datetime.date, within_days: int):
    """Open assignments of active staff overdue or due within ``within_days`` days."""
    horizon = today + datetime.timedelta(days=within_days)
    return (
        Assignment.objects.open()
        .filter(employee__active=True, due_date__lte=horizon)
        .order_by("due_date", "employee__user__last_name", "employee__user__first_name", "pk")
    )


def training_due_counts(*, today: datetime.date, within_days: int = DUE_SOON_DAYS) -> dict:
    """How many of those are overdue and how many due soon, in one query."""
    return training_due(today=today, within_days=within_days).aggregate(
        overdue=Count("pk", filter=Q(due_date__lt=today)),
        due_soon=Count("pk", filter=Q(due_date__gte=today)),
    )


def overdue_row(assignment: Assignment, today: datetime.date) -> OverdueRow:
    employee = assignment.employee
    days = (assignment.due_date - today).days
    return OverdueRow(
        employee_pk=employee.pk,
        name=employee.full_name,
        employee_number=employee.employee_number,
        department=_org_unit(employee, "department"),
        manager=employee.manager.full_name if employee.manager else "",
        course=assignment.course.title,
        reason=assignment.get_reason_display(),
        due_date=assignment.due_date,
        status=AssignmentStatus(assignment.status_on(today)).label,
        days_overdue=-days if days < 0 else None,
        days_left=days if days >= 0 else None,
    )


class OverdueReportView(HRReportView):
    page_title = "Overdue and due soon"
    header_icon = "time"
    index_url_name = "learning_overdue_report"
    index_results_url_name = "learning_overdue_report_results"
    filterset_class = OverdueFilterSet
    is_searchable = True
    search_backend_name = None
    export_filename = "overdue-training"
    export_log_name = "overdue"
    columns = [
        TitleColumn(
            "name",
            label="Person",
            get_url=lambda row: reverse("employees:edit", args=[row.employee_pk]),
        ),
        Column("employee_number", label="Employee number"),
        Column("department", label="Department"),
        Column("manager", label="Manager"),
        Column("course", label="Course"),
        Column("reason", label="Reason"),
        Column("due_date", label="Due"),
        Column("status", label="Status"),
        Column("days_text", label="Days overdue or left"),
    ]
    list_export = [
        "name",
        "employee_number",
        "department",
        "manager",
        "course",
        "reason",
        "due_date",
        "status",
        "days_overdue",
        "days_left",
    ]
    export_headings = {
        "name": "Person",
        "employee_number": "Employee number",
        "department": "Department",
        "manager": "Manager",
        "course": "Course",
        "reason": "Reason",
        "due_date": "Due",
        "status": "Status",
        "days_overdue": "Days overdue",
        "days_left": "Days left",
    }

    @cached_property
    def within_days(self) -> int:
        chosen = self.chosen("within_days")
        return DUE_SOON_DAYS if chosen is None else chosen

    def get_base_queryset(self):
        return training_due(today=self.today, within_days=self.within_days).select_related(
            "course", "employee__user", "employee__department", "employee__manager__user"
        )

    def search_queryset(self, queryset):
        return filter_by_person_words(queryset, self.search_query)

    def rows_for(self, object_list):
        return [overdue_row(assignment, self.today) for assignment in object_list]

    def report_note(self):
        return (
            f"Open assignments of active staff that are overdue, or due within "
            f"{self.within_days} days, as of {self.today:%d %b %Y}."
        )

    @cached_property
    def no_results_message(self):
        if self.is_searching or self.is_filtering:
            return "No overdue or due-soon training matches these filters."
        return (
            f"Nobody has training overdue or due within {self.within_days} days. "
            "Everyone is on track."
        )


# --- certificates expiring in a period ----------------------------------------------------


class ExpiringCertificateFilterSet(WagtailFilterSet):
    expires_on = django_filters.DateFromToRangeFilter(
        method="keep", label=f"Expires between (next {EXPIRING_PERIOD_DAYS} days if empty)"
    )
    course = django_filters.ModelChoiceFilter(
        queryset=CoursePage.objects.order_by("title"), label="Course"
    )
    department = django_filters.ModelChoiceFilter(
        queryset=Department.objects.all(),
        field_name="user__employee__department",
        label="Department",
    )
    renewal = django_filters.ChoiceFilter(
        choices=[("open", "Renewal assigned"), ("none", "No renewal assigned")],
        method="filter_renewal",
        label="Renewal",
    )

    class Meta:
        model = Certificate
        fields = ["course"]

    def filter_renewal(self, queryset, name, value):
        return queryset.filter(renewal_due__isnull=value == "none")

    def keep(self, queryset, name, value):
        """The period is the view's: it applies its default when none is given."""
        return queryset


@dataclass
class ExpiringRow:
    certificate_pk: int
    serial: str
    name: str
    employee_number: str
    department: str
    course: str
    policy_versions: str
    expires_on: datetime.date
    status: str
    renewal_open: str
    renewal_due: datetime.date | None

    @property
    def renewal_text(self) -> str:
        if self.renewal_due is None:
            return "Not assigned"
        return f"Assigned, due {self.renewal_due:%d %b %Y}"


def certificates_expiring(*, start: datetime.date, stop: datetime.date):
    """Certificates, neither revoked nor superseded, expiring between the two days."""
    return Certificate.objects.exclude(
        status__in=[CertificateStatus.REVOKED, CertificateStatus.SUPERSEDED]
    ).filter(expires_on__gte=start, expires_on__lte=stop)


def expiring_row(certificate: Certificate, today: datetime.date) -> ExpiringRow:
    employee = getattr(certificate.user, "employee", None)
    return ExpiringRow(
        certificate_pk=certificate.pk,
        serial=certificate.serial,
        name=_name(certificate.user),
        employee_number=employee.employee_number if employee else "",
        department=_org_unit(employee, "department"),
        course=certificate.course_title,
        policy_versions=certificate.policy_versions_text,
        expires_on=certificate.expires_on,
        status=CertificateStatus(certificate.status_on(today)).label,
        renewal_open="Yes" if certificate.renewal_due else "No",
        renewal_due=certificate.renewal_due,
    )


class ExpiringCertificatesReportView(HRReportView):
    page_title = "Certificates expiring"
    header_icon = "doc-full-inverse"
    index_url_name = "learning_expiring_certificates_report"
    index_results_url_name = "learning_expiring_certificates_report_results"
    filterset_class = ExpiringCertificateFilterSet
    is_searchable = True
    search_backend_name = None
    export_filename = "expiring-certificates"
    export_log_name = "expiring-certificates"
    columns = [
        TitleColumn(
            "serial",
            label="Serial",
            get_url=lambda row: reverse("learning_certificates:inspect", args=[row.certificate_pk]),
        ),
        Column("name", label="Person"),
        Column("employee_number", label="Employee number"),
        Column("department", label="Department"),
        Column("course", label="Course"),
        Column("policy_versions", label="Policy versions"),
        Column("expires_on", label="Expires on"),
        Column("status", label="Status today"),
        Column("renewal_text", label="Renewal"),
    ]
    list_export = [
        "serial",
        "name",
        "employee_number",
        "department",
        "course",
        "policy_versions",
        "expires_on",
        "status",
        "renewal_open",
        "renewal_due",
    ]
    export_headings = {
        "serial": "Serial",
        "name": "Person",
        "employee_number": "Employee number",
        "department": "Department",
        "course": "Course",
        "policy_versions": "Policy versions",
        "expires_on": "Expires on",
        "status": "Status today",
        "renewal_open": "Renewal assigned",
        "renewal_due": "Renewal due",
    }

    @cached_property
    def period(self) -> tuple[datetime.date, datetime.date]:
        start, stop = _days(self.chosen("expires_on"))
        start = start or self.today
        if stop is None:
            # Thirty days on, or the last day there is for a start near the end of time.
            room = (datetime.date.max - start).days
            stop = start + datetime.timedelta(days=min(EXPIRING_PERIOD_DAYS, room))
        return start, stop

    def get_base_queryset(self):
        start, stop = self.period
        renewal = Assignment.objects.open().filter(
            employee__user_id=OuterRef("user_id"), course_id=OuterRef("course_id")
        )
        return (
            certificates_expiring(start=start, stop=stop)
            .select_related("user__employee__department")
            .prefetch_related("versions")
            .annotate(renewal_due=Subquery(renewal.order_by("due_date").values("due_date")[:1]))
            .order_by("expires_on", "serial")
        )

    def search_queryset(self, queryset):
        queryset = filter_by_person_words(queryset, self.search_query, employee="user__employee__")
        return queryset

    def rows_for(self, object_list):
        return [expiring_row(certificate, self.today) for certificate in object_list]

    def report_note(self):
        start, stop = self.period
        return (
            f"Certificates, neither revoked nor superseded, whose expiry date falls between "
            f"{start:%d %b %Y} and {stop:%d %b %Y}."
        )

    @cached_property
    def no_results_message(self):
        start, stop = self.period
        if stop < start:
            return "The period ends before it starts: choose an end date after the start."
        if self.is_searching or self.is_filtering:
            return "No certificate expiring in that period matches these filters."
        return f"No certificate expires between {start:%d %b %Y} and {stop:%d %b %Y}."


# --- recertification progress per policy version ------------------------------------------


class RecertificationFilterSet(WagtailFilterSet):
    policy = django_filters.ModelChoiceFilter(
        queryset=PolicyPage.objects.order_by("title"), label="Policy"
    )
    department = django_filters.ModelChoiceFilter(
        queryset=Department.objects.all(), method="keep", label="People in department"
    )

    class Meta:
        model = PolicyVersion
        fields = ["policy"]

    def keep(self, queryset, name, value):
        """The department narrows whose assignments are counted; the view applies it."""
        return queryset


# What each count on the recertification report is of: the people it links to. Waiting,
# open, in progress and done make up everyone affected; overdue is counted across the
# three that are not done.
RECERTIFICATION_SHOWS = {
    "affected": "Everyone affected",
    "waiting": "Waiting for course update",
    "open": "Open, not started",
    "in_progress": "In progress",
    "done": "Done",
    "overdue": "Overdue",
}
# Lists of people reached from elsewhere that the report no longer shows a count of.
RECERTIFICATION_LISTS = RECERTIFICATION_SHOWS | {"outstanding": "Not done yet"}


def recertification_states(assignments, *, today: datetime.date, now: datetime.datetime):
    """The assignments annotated so that each of the report's states is a condition on
    them, and those conditions by name. A refresher waits (see ``refresher_wait``) while
    its course is pinned to an older major version of the policy it names, or while that
    version has not taken effect."""
    behind = CoursePolicyPin.objects.filter(
        course_id=OuterRef("course_id"),
        version__policy_id=OuterRef("policy_version__policy_id"),
        version__major__lt=OuterRef("policy_version__major"),
    )
    annotated = assignments.annotate(course_behind=Exists(behind))
    pending = Q(completed_at__isnull=True)
    waits = pending & (Q(course_behind=True) | Q(policy_version__effective_at__gt=now))
    opened = pending & ~waits
    return annotated, {
        "affected": Q(),
        "waiting": waits,
        "open": opened & Q(started_at__isnull=True),
        "in_progress": opened & Q(started_at__isnull=False),
        "done": Q(completed_at__isnull=False),
        "overdue": pending & Q(due_date__lt=today),
        "outstanding": pending,
    }


@dataclass
class RecertificationRow:
    version_pk: int
    policy: str
    version: str
    effective_on: datetime.date
    due_on: datetime.date
    affected: int
    waiting: int
    open: int
    in_progress: int
    done: int
    overdue: int
    fan_out: str = ""  # the fan-out's status, in words
    fan_out_url: str | None = None  # its job under Background jobs
    department_pk: int | None = None

    @property
    def percent_done(self) -> int | None:
        return _percent(self.done, self.affected)

    @property
    def percent_text(self) -> str:
        percent = self.percent_done
        return NOTHING if percent is None else f"{percent}%"

    @property
    def effective_text(self) -> str:
        return _day(self.effective_on)

    @property
    def due_text(self) -> str:
        return _day(self.due_on)

    def people_url(self, show: str) -> str | None:
        """The people behind one of the counts, or nothing to follow for a zero."""
        if not getattr(self, show):
            return None
        url = reverse("learning_recertification_people", args=[self.version_pk])
        query = {"show": show}
        if self.department_pk is not None:
            query["department"] = self.department_pk
        return f"{url}?{urlencode(query)}"


def recertification_counts(
    version_ids, *, today: datetime.date, now: datetime.datetime | None = None, department=None
) -> dict:
    """Recertification assignments per version in each of the report's states: one query
    for any number of versions, given as ids or as a queryset of them."""
    # An assignment names the version whether the fan-out made it or took over an
    # open one, so both count.
    assignments = Assignment.objects.filter(policy_version_id__in=version_ids)
    if department is not None:
        assignments = assignments.filter(employee__department=department)
    annotated, states = recertification_states(assignments, today=today, now=now or timezone.now())
    rows = annotated.values("policy_version_id").annotate(
        **{
            show: Count("pk", filter=states[show]) if show != "affected" else Count("pk")
            for show in RECERTIFICATION_SHOWS
        }
    )
    return {row.pop("policy_version_id"): row for row in rows}


FAN_OUT_TASK = "learning.tasks.recertify_after_policy_change"


def fan_out_statuses(versions) -> dict[int, tuple[str, str | None]]:
    """Each version's fan-out as HR reads it, with the address of its newest job under
    Background jobs when there is one: in two queries for any number of versions."""
    versions = list(versions)
    finished = {
        (page_id, (data or {}).get("version"))
        for page_id, data in PageLogEntry.objects.filter(
            action=FAN_OUT_DONE, page_id__in={version.policy_id for version in versions}
        ).values_list("page_id", "data")
    }
    newest: dict[int, tuple] = {}
    wanted = {version.pk for version in versions}
    for pk, args_kwargs, status in (
        DBTaskResult.objects.filter(task_path=FAN_OUT_TASK)
        .order_by("-enqueued_at", "-pk")
        .values_list("pk", "args_kwargs", "status")
    ):
        args = (args_kwargs or {}).get("args") or []
        if args and args[0] in wanted:
            newest.setdefault(args[0], (pk, status))
    result = {}
    for version in versions:
        job = newest.get(version.pk)
        url = reverse("learning_job", args=[job[0]]) if job else None
        if (version.policy_id, version.label) in finished:
            words = "Reached everyone"
        elif job is None:
            words = "Not run yet"
        else:
            words = {
                TaskResultStatus.READY: "Queued",
                TaskResultStatus.RUNNING: "Running",
                TaskResultStatus.FAILED: "Failed: see the job",
                TaskResultStatus.SUCCESSFUL: "Part done, continuing",
            }.get(job[1], str(job[1]).title())
        result[version.pk] = (words, url)
    return result


class CountColumn(TitleColumn):
    """A number that opens the list of what it counts."""

    cell_template_name = "learning/reports/count_cell.html"


# The report's column headings: short, so the table fits beside the admin menu.
RECERTIFICATION_HEADINGS = RECERTIFICATION_SHOWS | {"affected": "People affected", "open": "Open"}


def _count_label(show: str) -> str:
    return RECERTIFICATION_HEADINGS[show]


class RecertificationReportView(HRReportView):
    page_title = "Recertification progress"
    header_icon = "repeat"
    index_url_name = "learning_recertification_report"
    index_results_url_name = "learning_recertification_report_results"
    filterset_class = RecertificationFilterSet
    export_filename = "recertification-progress"
    export_log_name = "recertification"
    columns = [
        Column("policy", label="Policy"),
        Column("version", label="Version"),
        Column("effective_text", label="Effective"),
        Column("due_text", label="Due from"),
        *(
            CountColumn(
                show,
                label=_count_label(show),
                get_url=lambda row, show=show: row.people_url(show),
            )
            for show in RECERTIFICATION_SHOWS
        ),
        Column("percent_text", label="Done %"),
        CountColumn("fan_out", label="Fan-out", get_url=lambda row: row.fan_out_url),
    ]
    list_export = [
        "policy",
        "version",
        "effective_on",
        "due_on",
        *RECERTIFICATION_SHOWS,
        "percent_done",
        "fan_out",
    ]
    export_headings = {
        "policy": "Policy",
        "version": "Version",
        "effective_on": "Effective",
        "due_on": "Due from",
        **{show: _count_label(show) for show in RECERTIFICATION_SHOWS},
        "percent_done": "Done %",
        "fan_out": "Fan-out",
    }

    def get_base_queryset(self):
        return recertifying_versions().select_related("policy")

    def rows_for(self, object_list):
        versions = list(object_list)
        department = self.chosen("department")
        counts = recertification_counts(
            [version.pk for version in versions], today=self.today, department=department
        )
        jobs = fan_out_statuses(versions)
        result = []
        for version in versions:
            count = counts.get(version.pk, dict.fromkeys(RECERTIFICATION_SHOWS, 0))
            words, url = jobs[version.pk]
            result.append(
                RecertificationRow(
                    version_pk=version.pk,
                    department_pk=department.pk if department is not None else None,
                    policy=version.policy.title,
                    version=version.label,
                    effective_on=timezone.localdate(version.effective_at),
                    due_on=recertification_due_on(version),
                    fan_out=words,
                    fan_out_url=url,
                    **count,
                )
            )
        return result

    def report_note(self):
        return (
            "Each material policy version and the recertification assignments it made, as "
            f"of {_day(self.today)}: waiting for their course to be updated to the new "
            "version (or for the version to take effect), open and not started, in "
            "progress, and done; overdue counts those not done past their due date. A "
            "refresher is due its version's window after the later of the effective date "
            "and the day its course was ready, so no sooner than the date shown. Follow a "
            "count to see who they are, and the fan-out's status to its job."
        )

    @cached_property
    def no_results_message(self):
        if self.is_filtering:
            return "No material policy version matches these filters."
        return (
            "No policy has had a material revision yet, so nobody has been asked to "
            "recertify. A material version appears here when it is published."
        )


# --- assessment results per course ------------------------------------------------------


class AssessmentResultsFilterSet(WagtailFilterSet):
    course = django_filters.ModelChoiceFilter(
        queryset=CoursePage.objects.filter(assessment__isnull=False).order_by("title"),
        field_name="pk",
        label="Course",
    )
    department = django_filters.ModelChoiceFilter(
        queryset=Department.objects.all(), method="keep", label="People in department"
    )
    submitted = django_filters.DateFromToRangeFilter(method="keep", label="Submitted between")

    class Meta:
        model = CoursePage
        fields = []

    def keep(self, queryset, name, value):
        """These narrow which attempts are counted; the view applies them."""
        return queryset


@dataclass
class AssessmentResultRow:
    course_pk: int
    course: str
    assessment: str
    attempts: int
    awaiting_grading: int
    people: int
    people_passed: int
    pass_rate: int | None
    average_score: int | None
    last_attempt: datetime.date | None

    @property
    def pass_rate_text(self) -> str:
        return _shown(self.pass_rate)

    @property
    def average_text(self) -> str:
        return _shown(self.average_score)

    @property
    def last_attempt_text(self) -> str:
        return _shown(self.last_attempt)


class AssessmentResultsReportView(HRReportView):
    page_title = "Assessment results"
    header_icon = "form"
    index_url_name = "learning_assessment_results_report"
    index_results_url_name = "learning_assessment_results_report_results"
    filterset_class = AssessmentResultsFilterSet
    export_filename = "assessment-results"
    export_log_name = "assessment-results"
    columns = [
        Column("course", label="Course"),
        Column("assessment", label="Final assessment"),
        Column("attempts", label="Attempts"),
        Column("awaiting_grading", label="Awaiting grading"),
        Column("people", label="People"),
        Column("people_passed", label="People passed"),
        Column("pass_rate_text", label="Pass rate %"),
        Column("average_text", label="Average score %"),
        Column("last_attempt_text", label="Last attempt"),
    ]
    list_export = [
        "course",
        "assessment",
        "attempts",
        "awaiting_grading",
        "people",
        "people_passed",
        "pass_rate",
        "average_score",
        "last_attempt",
    ]
    export_headings = {
        "course": "Course",
        "assessment": "Final assessment",
        "attempts": "Attempts",
        "awaiting_grading": "Awaiting grading",
        "people": "People",
        "people_passed": "People passed",
        "pass_rate": "Pass rate %",
        "average_score": "Average score %",
        "last_attempt": "Last attempt",
    }

    def get_base_queryset(self):
        return (
            CoursePage.objects.filter(assessment__isnull=False)
            .select_related("assessment")
            .order_by("title", "pk")
        )

    def _attempts(self, assessment_ids):
        """Submitted certifying attempts: practice sittings never count for a course."""
        attempts = Attempt.objects.filter(
            assessment_id__in=assessment_ids,
            mode=AssessmentMode.CERTIFYING,
            status__in=[AttemptStatus.GRADED, AttemptStatus.AWAITING_GRADING],
        )
        department = self.chosen("department")
        if department is not None:
            attempts = attempts.filter(user__employee__department=department)
        start, stop = _days(self.chosen("submitted"))
        if start:
            attempts = attempts.filter(submitted_at__date__gte=start)
        if stop:
            attempts = attempts.filter(submitted_at__date__lte=stop)
        return attempts

    def _statistics(self, assessment_ids) -> dict[int, dict]:
        """One query for any number of assessments."""
        graded = Q(status=AttemptStatus.GRADED)
        rows = (
            self._attempts(assessment_ids)
            .values("assessment_id")
            .annotate(
                attempts=Count("pk"),
                awaiting=Count("pk", filter=Q(status=AttemptStatus.AWAITING_GRADING)),
                graded=Count("pk", filter=graded),
                passes=Count("pk", filter=graded & Q(passed=True)),
                people=Count("user", distinct=True),
                # COUNT(DISTINCT ...) FILTER is not SQLite's; a CASE is everyone's.
                people_passed=Count(
                    Case(When(graded & Q(passed=True), then="user_id")), distinct=True
                ),
                average=Avg("percent", filter=graded),
                last=Max("submitted_at"),
            )
        )
        return {row.pop("assessment_id"): row for row in rows}

    def rows_for(self, object_list):
        courses = list(object_list)
        stats = self._statistics({course.assessment_id for course in courses})
        result = []
        for course in courses:
            row = stats.get(course.assessment_id)
            if row is None:
                row = {"attempts": 0, "awaiting": 0, "graded": 0, "passes": 0}
                row |= {"people": 0, "people_passed": 0, "average": None, "last": None}
            result.append(
                AssessmentResultRow(
                    course_pk=course.pk,
                    course=course.title,
                    assessment=course.assessment.title,
                    attempts=row["attempts"],
                    awaiting_grading=row["awaiting"],
                    people=row["people"],
                    people_passed=row["people_passed"],
                    pass_rate=_percent(row["passes"], row["graded"]),
                    average_score=None if row["average"] is None else round(row["average"]),
                    last_attempt=timezone.localdate(row["last"]) if row["last"] else None,
                )
            )
        return result

    def report_note(self):
        return (
            "Each course's final assessment: submitted certifying attempts (practice "
            "attempts are left out). The pass rate and average score are of graded attempts."
        )

    @cached_property
    def no_results_message(self):
        if self.is_filtering:
            return "No course with a final assessment matches these filters."
        return (
            "No course has a final assessment yet. Choose one on a course's settings and "
            "its results appear here."
        )


# --- the people behind a recertification count ----------------------------------------------


def recertification_people(
    *,
    version: PolicyVersion,
    show: str,
    today: datetime.date,
    department=None,
    now: datetime.datetime | None = None,
):
    """The recertification assignments a version made, narrowed to one of the report's
    counts (``RECERTIFICATION_LISTS``), with each person's organisation and whether the
    refresher still waits (``course_behind``)."""
    assignments = Assignment.objects.filter(policy_version=version)
    if department is not None:
        assignments = assignments.filter(employee__department=department)
    annotated, states = recertification_states(assignments, today=today, now=now or timezone.now())
    return (
        annotated.filter(states[show])
        .select_related("employee__user", "employee__department", "course")
        .order_by("employee__user__last_name", "employee__user__first_name", "pk")
    )


class RecertificationPeopleView(ForbiddenOnDenyMixin, WagtailAdminTemplateMixin, TemplateView):
    """Who one material policy version asked to recertify, as one of the report's counts:
    each person with their department, status and due date, opening their record."""

    template_name = "learning/reports/recertification_people.html"
    header_icon = "repeat"
    paginate_by = 50

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(PERMISSION):
            return forbidden_response(request)
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def version(self) -> PolicyVersion:
        return get_object_or_404(
            recertifying_versions().select_related("policy"), pk=self.kwargs["pk"]
        )

    @cached_property
    def show(self) -> str:
        show = self.request.GET.get("show") or "affected"
        if show not in RECERTIFICATION_LISTS:
            raise Http404("No such list of people.")
        return show

    @cached_property
    def department(self) -> Department | None:
        chosen = self.request.GET.get("department")
        if not chosen:
            return None
        if not (chosen.isascii() and chosen.isdigit()):
            raise Http404("No such department.")
        return get_object_or_404(Department, pk=chosen)

    def get_page_title(self):
        return f"Recertification: {self.version.policy.title} {self.version.label}"

    def get_page_subtitle(self):
        return RECERTIFICATION_LISTS[self.show]

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {
                "url": reverse(RecertificationReportView.index_url_name),
                "label": RecertificationReportView.page_title,
            },
            {"url": "", "label": f"{self.version.policy.title} {self.version.label}"},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        assignments = recertification_people(
            version=self.version, show=self.show, today=today, department=self.department
        )
        page = Paginator(assignments, self.paginate_by).get_page(self.request.GET.get("p"))
        base = reverse("learning_recertification_people", args=[self.version.pk])
        tabs = []
        for show, label in RECERTIFICATION_SHOWS.items():
            query = {"show": show}
            if self.department is not None:
                query["department"] = self.department.pk
            tabs.append(
                {"url": f"{base}?{urlencode(query)}", "label": label, "current": show == self.show}
            )
        here = {"show": self.show}
        if self.department is not None:
            here["department"] = self.department.pk
        here = f"{base}?{urlencode(here)}"
        context.update(
            prev_url=f"{here}&p={page.previous_page_number()}" if page.has_previous() else "",
            next_url=f"{here}&p={page.next_page_number()}" if page.has_next() else "",
            version=self.version,
            department=self.department,
            tabs=tabs,
            page_obj=page,
            rows=[
                {
                    "name": assignment.employee.full_name,
                    "employee_number": assignment.employee.employee_number,
                    "department": _shown(assignment.employee.department),
                    "course": assignment.course.title,
                    "status": self._status(assignment, today),
                    "due": self._due(assignment, today),
                    "completed": _day(
                        timezone.localdate(assignment.completed_at)
                        if assignment.completed_at
                        else None
                    ),
                    "record_url": reverse(
                        "learning_employee_record", args=[assignment.employee_id]
                    ),
                }
                for assignment in page.object_list
            ],
            due_on=_day(recertification_due_on(self.version)),
            show_label=RECERTIFICATION_LISTS[self.show].lower(),
        )
        return context

    def _waits(self, assignment) -> bool:
        return assignment.completed_at is None and (
            assignment.course_behind or self.version.effective_at > timezone.now()
        )

    def _status(self, assignment, today) -> str:
        status = assignment.status_on(today)
        if self._waits(assignment) and status != AssignmentStatus.OVERDUE:
            if assignment.course_behind:
                return RECERTIFICATION_SHOWS["waiting"]
            return f"Opens {_day(timezone.localdate(self.version.effective_at))}"
        if status == AssignmentStatus.NOT_STARTED:
            return "Open, not started"
        return AssignmentStatus(status).label

    def _due(self, assignment, today) -> str:
        if self._waits(assignment) and assignment.due_date >= today:
            days = self.version.recertification_days or 0
            return f"{days} days after it opens"
        return _day(assignment.due_date)


def recertification_people_urls():
    return [
        path(
            "reports/recertification/<int:pk>/people/",
            RecertificationPeopleView.as_view(),
            name="learning_recertification_people",
        )
    ]


HR_REPORTS = {
    "overdue": OverdueReportView,
    "expiring-certificates": ExpiringCertificatesReportView,
    "recertification": RecertificationReportView,
    "assessment-results": AssessmentResultsReportView,
}
