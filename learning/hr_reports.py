"""HR's other reports in the Wagtail admin: training overdue or due soon, certificates
expiring in a period, recertification progress per policy version, and assessment
results per course; each filterable and exportable as CSV or XLSX."""

import datetime
from dataclasses import dataclass
from urllib.parse import urlencode

import django_filters
from django import forms
from django.core.paginator import Paginator
from django.db.models import Avg, Case, Count, Max, OuterRef, Q, Subquery, When
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.functional import cached_property
from django.views.generic import TemplateView
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.reports import ReportView

from assessments.choices import AssessmentMode, AttemptStatus
from assessments.models import Attempt
from certificates.choices import CertificateStatus
from certificates.models import Certificate
from cms.admin_access import ForbiddenOnDenyMixin, forbidden_response
from cms.exports import FormulaSafeExportMixin
from cms.models import PolicyPage, PolicyVersion
from courses.models import CoursePage
from learning.choices import AssignmentReason, AssignmentStatus
from learning.models import Assignment, Department
from learning.recertification import recertification_due_on, recertifying_versions
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


# What each count on the recertification report is of: the people it links to.
RECERTIFICATION_SHOWS = {
    "affected": "Everyone affected",
    "done": "Done",
    "outstanding": "Outstanding",
    "overdue": "Overdue",
}


@dataclass
class RecertificationRow:
    version_pk: int
    policy: str
    version: str
    effective_on: datetime.date
    due_on: datetime.date
    affected: int
    done: int
    outstanding: int
    overdue: int
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


def recertification_counts(version_ids, *, today: datetime.date, department=None) -> dict:
    """Recertification assignments per version (affected, done, overdue): one query for
    any number of versions, given as ids or as a queryset of them."""
    # An assignment names the version whether the fan-out made it or took over an
    # open one, so both count.
    assignments = Assignment.objects.filter(policy_version_id__in=version_ids)
    if department is not None:
        assignments = assignments.filter(employee__department=department)
    rows = assignments.values("policy_version_id").annotate(
        affected=Count("pk"),
        done=Count("pk", filter=Q(completed_at__isnull=False)),
        overdue=Count("pk", filter=Q(completed_at__isnull=True, due_date__lt=today)),
    )
    return {row.pop("policy_version_id"): row for row in rows}


class CountColumn(TitleColumn):
    """A number that opens the list of what it counts."""

    cell_template_name = "learning/reports/count_cell.html"


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
        Column("due_text", label="Due"),
        *(
            CountColumn(
                show,
                label="People affected" if show == "affected" else RECERTIFICATION_SHOWS[show],
                get_url=lambda row, show=show: row.people_url(show),
            )
            for show in RECERTIFICATION_SHOWS
        ),
        Column("percent_text", label="Done %"),
    ]
    list_export = [
        "policy",
        "version",
        "effective_on",
        "due_on",
        "affected",
        "done",
        "outstanding",
        "overdue",
        "percent_done",
    ]
    export_headings = {
        "policy": "Policy",
        "version": "Version",
        "effective_on": "Effective",
        "due_on": "Due",
        "affected": "People affected",
        "done": "Done",
        "outstanding": "Outstanding",
        "overdue": "Overdue",
        "percent_done": "Done %",
    }

    def get_base_queryset(self):
        return recertifying_versions().select_related("policy")

    def rows_for(self, object_list):
        versions = list(object_list)
        department = self.chosen("department")
        counts = recertification_counts(
            [version.pk for version in versions], today=self.today, department=department
        )
        result = []
        for version in versions:
            count = counts.get(version.pk, {"affected": 0, "done": 0, "overdue": 0})
            result.append(
                RecertificationRow(
                    version_pk=version.pk,
                    department_pk=department.pk if department is not None else None,
                    policy=version.policy.title,
                    version=version.label,
                    effective_on=timezone.localdate(version.effective_at),
                    due_on=recertification_due_on(version),
                    affected=count["affected"],
                    done=count["done"],
                    outstanding=count["affected"] - count["done"],
                    overdue=count["overdue"],
                )
            )
        return result

    def report_note(self):
        return (
            "Each material policy version and the recertification assignments it made: "
            "done, still open, and open past the due date, as of "
            f"{_day(self.today)}. People certified on an earlier version are affected; "
            "follow a count to see who they are."
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
    *, version: PolicyVersion, show: str, today: datetime.date, department=None
):
    """The recertification assignments a version made, narrowed to one of the report's
    counts (affected, done, outstanding, overdue), with each person's organisation."""
    assignments = Assignment.objects.filter(policy_version=version)
    if department is not None:
        assignments = assignments.filter(employee__department=department)
    if show == "done":
        assignments = assignments.with_status(AssignmentStatus.COMPLETED, today=today)
    elif show == "outstanding":
        assignments = assignments.open()
    elif show == "overdue":
        assignments = assignments.with_status(AssignmentStatus.OVERDUE, today=today)
    return assignments.select_related("employee__user", "employee__department", "course").order_by(
        "employee__user__last_name", "employee__user__first_name", "pk"
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
        if show not in RECERTIFICATION_SHOWS:
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
        return RECERTIFICATION_SHOWS[self.show]

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
        here = next(tab["url"] for tab in tabs if tab["current"])
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
                    "status": AssignmentStatus(assignment.status_on(today)).label,
                    "due": _day(assignment.due_date),
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
            show_label=RECERTIFICATION_SHOWS[self.show].lower(),
        )
        return context


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
